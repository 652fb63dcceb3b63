"""A region's visit pack: one PDF brief per municipality of the area, named by municipality; the funnel's
log ticks in the brief."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import duckdb
import polars as pl
from pypdf import PdfReader

from joblog_dash import cli
from joblog_dash.charts import meeting
from joblog_dash.data import reference


def test_pack_holds_one_brief_per_municipality_of_the_area(demo_data_dir: Path, tmp_path: Path, capsys):
    out = tmp_path / "vestjylland.zip"
    argv = ["export", "briefs", "--area", "rar-vestjylland", "--month", "2018-09", "--out", str(out)]
    assert cli.main(argv) == 0
    # The area's municipalities, read from the reference file, not from the code under test.
    names = duckdb.sql(
        "SELECT name FROM read_csv('data/reference/municipalities.csv') WHERE rar_area = 'RAR Vestjylland'"
    ).fetchall()
    expected = sorted(f"kommunebesoeg-{reference.slugify(n)}-2018-09-demodata.pdf" for (n,) in names)
    archive = zipfile.ZipFile(out)
    assert sorted(archive.namelist()) == expected and len(expected) == 8
    for name, (municipality,) in zip(
        expected, sorted(names, key=lambda n: reference.slugify(n[0])), strict=True
    ):
        reader = PdfReader(io.BytesIO(archive.read(name)))
        assert len(reader.pages) == 2
        assert f"Kommunebesøg: {municipality}" in " ".join(reader.pages[0].extract_text().split())
    assert "8/8" in capsys.readouterr().err


def test_funnel_ticks_are_powers_of_ten_in_danish_and_the_legend_clears_the_axis_title():
    table = pl.DataFrame(
        {"municipality_code": [101, 360], "municipality": ["København", "Lolland"], "persons": [2500, 40],
         "share": [0.7, 0.5]}
    )  # fmt: skip
    curve = pl.DataFrame({"n": [1.0, 3000.0], "lower_95": [0.0, 0.6], "upper_95": [1.0, 0.8],
                          "lower_998": [0.0, 0.55], "upper_998": [1.0, 0.85]})  # fmt: skip
    layout = meeting.funnel_chart(table, curve, 0.7, "Titel", highlight=360).to_dict()["layout"]
    assert layout["xaxis"]["tickvals"] == [10, 100, 1000]
    assert layout["xaxis"]["ticktext"] == ["10", "100", "1.000"]
    assert layout["legend"]["yref"] == "container" and layout["legend"]["y"] == 0
