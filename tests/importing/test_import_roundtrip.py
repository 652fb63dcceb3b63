"""Export the demo data as a Jobindsats-style CSV, import it, and get identical figures back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
from importfixtures import make_big_frame

from joblog_dash.data import schema, store
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing import service
from joblog_dash.text.safety import (
    escape_markdown,
    neutralise_formula,
    neutralise_formulas,
    printable,
    safe_filename,
)


def _roundtrip(frame: pl.DataFrame, tmp_path: Path) -> pl.DataFrame:
    path = tmp_path / "eksport.csv"
    path.write_bytes(ji.to_jobindsats_csv(frame))
    service.import_file(path, data_dir=tmp_path / "data")
    return pl.read_parquet(store.current_paths(tmp_path / "data")[0])


def test_demo_subset_round_trips_to_identical_figures(demo_facts_path: Path, tmp_path: Path) -> None:
    demo = pl.read_parquet(demo_facts_path)
    months = sorted(demo["month"].unique().to_list())
    subset = schema.conform(
        demo.filter(pl.col("month").is_in([months[0], months[len(months) // 2], months[-1]]))
    )
    assert subset.height > 10_000 and (subset["gender"] != "I alt").any()
    assert _roundtrip(subset, tmp_path).equals(subset)


def test_full_breakdown_round_trips(tmp_path: Path) -> None:
    frame = make_big_frame(1)
    assert _roundtrip(frame, tmp_path).equals(frame)


def test_writer_uses_danish_numbers_and_labels() -> None:
    frame = make_big_frame(1).head(1).with_columns(pl.lit(1234567, pl.Int32).alias("job_searches"))
    table = ji.to_jobindsats_frame(frame)
    assert table["Antal registrerede jobsøgninger"][0] == "1.234.567"
    assert table["Periode"][0] == "2016M01"
    assert "Køn" in table.columns and "Herkomst" in table.columns


def test_exported_cells_never_start_a_formula() -> None:
    frame = (
        make_big_frame(1)
        .head(2)
        .with_columns(pl.Series("benefit_group", ['=HYPERLINK("http://x")', "@SUM(A1)"]))
    )
    csv = ji.to_jobindsats_csv(frame).decode("utf-8-sig")
    cells = [cell.strip('"') for line in csv.splitlines() for cell in line.split(";")]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=HYPERLINK" in csv and "'@SUM(A1)" in csv
    assert neutralise_formula("-2+3") == "'-2+3" and neutralise_formula(-5) == -5
    assert neutralise_formulas(pl.DataFrame({"a": ["+1", "ok"]}))["a"].to_list() == ["'+1", "ok"]


def test_text_helpers_make_hostile_names_harmless() -> None:
    assert printable("a\x1b[31mb\u202ec") == "a[31mbc"
    assert "[" not in escape_markdown("[x](javascript:alert(1))").replace("\\[", "")
    assert safe_filename("../../etc/passwd") == "passwd"
    hostile = safe_filename("<img src=x onerror=alert(1)>.csv")
    assert hostile.endswith(".csv") and not set("<>=") & set(hostile)
    assert safe_filename("..") == "fil"


def test_periods_and_labels() -> None:
    assert ji.period("2018M01") == date(2018, 1, 1) and ji.period("2018-12") == date(2018, 12, 1)
    assert ji.period("2018M00") is None and ji.period("1999M01") is None and ji.period("2018-01-15") is None
    assert (
        ji.age_group("50-59 år") == "50+"
        and ji.age_group("20-24 år") == "16-24"
        and ji.age_group("18-29") is None
    )
    assert (
        ji.benefit_group("A-dagpenge mv.") == "dagpenge"
        and ji.benefit_group("kontanthjaelp") == "kontanthjaelp"
    )
