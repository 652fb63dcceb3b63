"""Exports: every file is opened again and must give the numbers the page shows (computed here with SQL)."""

from __future__ import annotations

import csv
import io
import struct
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import plotly.graph_objects as go
import polars as pl
import pytest

from joblog_dash.config import REFERENCE_DIR
from joblog_dash.data import warehouse
from joblog_dash.exporting import files as exports
from joblog_dash.exporting import tables as export_tables
from joblog_dash.text import fmt
from joblog_dash.views import selection

MONTH = date(2018, 9, 1)
MUNIS = str(REFERENCE_DIR / "municipalities.csv")
SHARE_COLUMN = "Andel med registreret jobsøgning (pct.)"


def expected_shares(facts: Path, region: str) -> dict[str, tuple[int, float]]:
    """Municipality name -> (persons, share joblogged) straight from the parquet with DuckDB."""
    rows = (
        duckdb.connect()
        .execute(
            f"""
        SELECT m.name, sum(f.persons)::BIGINT, (sum(f.persons) - sum(f.persons_0)) / sum(f.persons)
        FROM read_parquet('{facts}') f JOIN read_csv('{MUNIS}') m ON m.code = f.municipality_code
        WHERE f.month = $month AND f.benefit_group = 'kontanthjaelp' AND m.region = $region
        GROUP BY m.name
        """,
            {"month": MONTH, "region": region},
        )
        .fetchall()
    )
    return {name: (int(n), float(share)) for name, n, share in rows}


@pytest.fixture(scope="module")
def db(demo_data_dir: Path) -> warehouse.JoblogDB:
    return warehouse.open_db(demo_data_dir)


@pytest.fixture(scope="module")
def municipalities(db: warehouse.JoblogDB) -> tuple[pl.DataFrame, exports.ExportMeta]:
    sel = selection.from_arguments(db, "2018-09", "kontanthjaelp", "region-sjaelland")
    return export_tables.build(db, "municipalities", sel)


def read_danish_csv(payload: bytes) -> tuple[list[str], list[str], list[dict[str, str]]]:
    """(preamble lines, header, rows) of a Danish-Excel CSV."""
    assert payload.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM missing: Excel would show Ã¦ for æ"
    text = payload.decode("utf-8-sig")
    lines = text.split("\r\n")
    preamble = lines[: exports.PREAMBLE_LINES]
    reader = csv.reader(io.StringIO("\r\n".join(lines[exports.PREAMBLE_LINES :])), delimiter=";")
    header, *rows = [r for r in reader if r]
    return preamble, header, [dict(zip(header, r, strict=True)) for r in rows]


def danish_number(text: str) -> float:
    return float(text.replace(".", "").replace(",", "."))


def test_danish_csv_gives_the_on_screen_numbers(municipalities, demo_facts_path: Path):
    frame, meta = municipalities
    preamble, header, rows = read_danish_csv(exports.to_danish_csv(frame, meta))
    assert preamble[0].startswith("Jobparate kontanthjælpsmodtagere i kommunerne, september 2018")
    assert "Region Sjælland" in preamble[1] and "sep. 2018" in preamble[1]
    assert preamble[3].startswith("Demodata") and preamble[4] == ""
    expected = expected_shares(demo_facts_path, "Region Sjælland")
    assert {r["Kommune"] for r in rows} == set(expected)
    for row in rows:
        persons, share = expected[row["Kommune"]]
        assert int(row["Personer"]) == persons
        # The page shows fmt.pct(share) = "xx,y pct."; the CSV holds the same number with decimal comma.
        assert row[SHARE_COLUMN] == fmt.pct(share).removesuffix(" pct.")
        assert danish_number(row[SHARE_COLUMN]) == pytest.approx(round(share * 100, 1))
        assert "." not in row[SHARE_COLUMN]


def test_polars_reads_the_csv_with_semicolon_and_decimal_comma(municipalities):
    frame, meta = municipalities
    payload = exports.to_danish_csv(frame, meta)
    back = pl.read_csv(
        io.BytesIO(payload), separator=";", decimal_comma=True, skip_rows=exports.PREAMBLE_LINES,
        encoding="utf8-lossy", schema_overrides={"Kode": pl.String},
    )  # fmt: skip
    original = frame.sort("Kode")
    back = back.sort("Kode")
    assert back["Personer"].to_list() == original["Personer"].to_list()
    assert back[SHARE_COLUMN].to_list() == [round(v * 100, 1) for v in original[SHARE_COLUMN].to_list()]


def test_xlsx_has_provenance_number_formats_and_the_same_values(municipalities, demo_facts_path: Path):
    frame, meta = municipalities
    book = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(frame, meta)))
    sheet = book.active
    assert sheet["A1"].value == meta.title and sheet["A1"].font.bold
    assert "Region Sjælland" in sheet["A2"].value
    assert sheet["A3"].value.startswith("Kilde:")
    assert sheet["A4"].value.startswith("Demodata")
    header_row = exports.PREAMBLE_LINES + 1
    header = [c.value for c in sheet[header_row]]
    assert header == frame.columns
    assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith(f"A{header_row}")
    share_col = header.index(SHARE_COLUMN)
    persons_col = header.index("Personer")
    expected = expected_shares(demo_facts_path, "Region Sjælland")
    rows = list(sheet.iter_rows(min_row=header_row + 1, values_only=False))
    assert len(rows) == frame.height
    for cells in rows:
        name = cells[header.index("Kommune")].value
        persons, share = expected[name]
        assert cells[persons_col].value == persons and cells[persons_col].number_format == "#,##0"
        assert cells[share_col].value == pytest.approx(share) and cells[share_col].number_format == "0.0%"


def test_formula_injection_is_neutralised_in_csv_and_xlsx():
    frame = pl.DataFrame({"Navn": ['=HYPERLINK("http://x")', "+1", "Aarhus"], "Personer": [1, -2, 3]})
    meta = exports.ExportMeta("=cmd|' /C calc'!A0", (("Kilde", "@SUM(A1)"),), "-2+3", is_demo=False)
    text = exports.to_danish_csv(frame, meta).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\r\n'+1;" in text and text.startswith("'=cmd")
    assert "\r\nFiltre: Kilde: @SUM(A1)\r\n" in text  # not at the start of a cell: harmless
    assert "\r\nAarhus;3" in text and ";-2\r\n" in text  # numbers stay numbers
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_xlsx(frame, meta))).active
    values = [sheet.cell(row=r, column=1).value for r in range(7, 10)]
    assert values == ['\'=HYPERLINK("http://x")', "'+1", "Aarhus"]
    assert sheet["A1"].data_type == "s" and sheet["A1"].value.startswith("'=")


def test_csv_cells_by_kind():
    assert exports.csv_cell(0.68249, "share") == "68,2"
    assert exports.csv_cell(-0.031, "pp") == "-3,1"
    assert exports.csv_cell(12345, "count") == "12345"
    assert exports.csv_cell(1.959964, "number") == "1,96"
    assert exports.csv_cell(date(2018, 9, 1), "month") == "2018-09-01"
    assert exports.csv_cell(None, "share") == "" and exports.csv_cell(float("nan"), "number") == ""


def test_trend_export_matches_the_national_series(db: warehouse.JoblogDB, demo_facts_path: Path):
    frame, meta = export_tables.build(db, "trend", selection.from_arguments(db, "2018-09", "kontanthjaelp"))
    _, _, rows = read_danish_csv(exports.to_danish_csv(frame, meta))
    assert rows[-1]["Måned"] == "2018-09-01" and len(rows) == frame.height
    persons, none = (
        duckdb.connect()
        .execute(
            f"""SELECT sum(persons), sum(persons_0) FROM read_parquet('{demo_facts_path}')
            WHERE month = DATE '2018-09-01' AND benefit_group = 'kontanthjaelp'"""
        )
        .fetchone()
    )
    assert int(rows[-1]["Personer"]) == persons
    assert rows[-1][SHARE_COLUMN] == fmt.pct((persons - none) / persons).removesuffix(" pct.")


def test_funnel_machine_csv(db: warehouse.JoblogDB):
    sel = selection.from_arguments(db, "2018-09", "kontanthjaelp")
    payload = export_tables.funnel_machine_csv(db, sel)
    assert not payload.startswith(b"\xef\xbb\xbf")
    back = pl.read_csv(io.BytesIO(payload))
    assert tuple(back.columns) == export_tables.FUNNEL_CSV_COLUMNS
    shown = back.filter(pl.col("share").is_not_null())
    assert shown["share"].is_between(0, 1).all() and shown.height > 85
    # A shown share never reveals a count of 1–4 with or without job search (publish's complement rule).
    joblogged = (shown["share"] * shown["persons"]).round()
    assert not ((joblogged.is_between(1, 4)) | ((shown["persons"] - joblogged).is_between(1, 4))).any()
    assert (shown["lower_998"] <= shown["lower_95"]).all() and (shown["upper_95"] <= shown["upper_998"]).all()
    over = shown.filter(pl.col("share") > pl.col("upper_95"))
    assert set(over["verdict"]) <= {"over"}
    within = shown.filter(pl.col("share").is_between(pl.col("lower_95"), pl.col("upper_95")))
    assert set(within["verdict"]) == {"inden for"}


def _png_size(payload: bytes) -> tuple[int, int]:
    assert payload[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", payload[16:24])


def test_png_and_svg_carry_title_source_and_demo_notice():
    fig = go.Figure(go.Bar(x=["A", "B"], y=[0.4, 0.7]))
    fig.update_layout(title={"text": "<b>B ligger over A</b>"}, height=400)
    meta = exports.ExportMeta("B ligger over A", (("Måned", "sep. 2018"),), "Demodata (syntetiske tal)", True)
    png = exports.figure_png(fig, meta)
    width, height = _png_size(png)
    assert (width, height) == (2400, 2 * (400 + exports.FOOTER_PX)) and len(png) > 10_000
    svg = exports.figure_svg(fig, meta).decode("utf-8")
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    text = " ".join(t for t in root.itertext())
    assert "B ligger over A" in text and "Kilde: Demodata" in text and "Måned: sep. 2018" in text
    assert exports.DEMO_WATERMARK in text and "Demodata: syntetiske tal" in text
    real = exports.ExportMeta("B ligger over A", (), "STAR", False)
    real_text = " ".join(ET.fromstring(exports.figure_svg(fig, real)).itertext())
    assert exports.DEMO_WATERMARK not in real_text and exports.REAL_STATUS in real_text
