"""views.overview: Overblik's KPIs, headline and trends, checked against DuckDB SQL on the parquet file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from helpers import muni_counts

from joblog_dash.analysis import privacy
from joblog_dash.data import reference, warehouse
from joblog_dash.text import fmt
from joblog_dash.views import overview
from joblog_dash.views.selection import Selection

SEP_2018 = date(2018, 9, 1)


def _pooled(counts: dict, codes: list[int], month: date) -> tuple[int, int]:
    rows = [counts[(c, month)] for c in codes if (c, month) in counts]
    return sum(n for n, _ in rows), sum(none for _, none in rows)


def test_area_kpis_equal_sql(demo_data_dir: Path, demo_facts_path: Path) -> None:
    db = warehouse.open_db(demo_data_dir)
    area = reference.area_by_key("region-sjaelland")
    codes = reference.municipality_codes_in(area)  # type: ignore[arg-type]
    view = overview.build(db, Selection(SEP_2018, "kontanthjaelp", area="region-sjaelland"))
    # One KPI per group that exists in the month (the data has rows for it then).
    groups = duckdb.sql(
        f"SELECT DISTINCT benefit_group FROM read_parquet('{demo_facts_path}') WHERE month = DATE '{SEP_2018}'"
    ).fetchall()
    assert view.area_label == "Region Sjælland" and {k.group for k in view.kpis} == {g for (g,) in groups}
    for kpi in view.kpis:
        counts = muni_counts(demo_facts_path, kpi.group, codes)
        n, none = _pooled(counts, codes, SEP_2018)
        n_year, none_year = _pooled(counts, codes, fmt.add_months(SEP_2018, -12))
        assert (kpi.persons, kpi.persons_none) == (n, none)
        assert abs(kpi.share - (n - none) / n) < 1e-12  # type: ignore[operator]
        expected_year = (n - none) / n - (n_year - none_year) / n_year
        assert abs(kpi.change_year - expected_year) < 1e-12  # type: ignore[operator]
    assert view.selected.group == "kontanthjaelp"
    assert fmt.pct(view.selected.share) in view.headline and "Region Sjælland" in view.headline


def test_trend_is_published_and_shared_by_months_and_groups(demo_data_dir: Path) -> None:
    db = warehouse.open_db(demo_data_dir)
    a = overview.build(db, Selection(SEP_2018, "kontanthjaelp", area="region-sjaelland"))
    b = overview.build(db, Selection(date(2019, 3, 1), "dagpenge", area="region-sjaelland"))
    assert a.trend is b.trend  # one trend per area, whatever month or group (views.cache)
    assert "suppressed" in a.trend.national.columns and a.trend.area is not None


def test_a_kpi_never_rests_on_a_small_count() -> None:
    """Published trend rows: 40 persons of whom 37 without job search (3 with: hidden, and the share with
    it), 4 persons (hidden whole), 100 persons of whom 30 without (shown)."""
    frame = pl.DataFrame(
        {
            "month": [SEP_2018] * 3,
            "benefit_group": ["kontanthjaelp", "dagpenge", "sygedagpenge"],
            "persons": [40, 4, 100],
            "persons_0": [37, 1, 30],
        }
    ).with_columns(((pl.col("persons") - pl.col("persons_0")) / pl.col("persons")).alias("share_joblogged"))
    published = privacy.publish(frame, keep=overview.TREND_KEEP)
    kontant, dagpenge, syge = overview.kpis(
        published, SEP_2018, ["kontanthjaelp", "dagpenge", "sygedagpenge"]
    )
    assert kontant.share is None and not kontant.suppressed and kontant.persons == 40
    assert dagpenge.suppressed and dagpenge.share is None and dagpenge.persons is None
    assert syge.share == 0.7 and syge.persons_none == 30


def test_kpis_only_for_groups_that_exist_in_the_month(demo_data_dir: Path, demo_facts_path: Path) -> None:
    # After the kontanthjælp reform (1 July 2025) there is no uddannelseshjælp: its successor instead.
    db = warehouse.open_db(demo_data_dir)
    month = date(2026, 3, 1)
    view = overview.build(db, Selection(month, "kontanthjaelp"))
    groups = duckdb.sql(
        f"SELECT DISTINCT benefit_group FROM read_parquet('{demo_facts_path}') WHERE month = DATE '{month}'"
    ).fetchall()
    assert {k.group for k in view.kpis} == {g for (g,) in groups}
    assert "uddannelseshjaelp" not in {k.group for k in view.kpis}
