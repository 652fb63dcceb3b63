"""views.groups.build (Ydelsesgrupper): heat map, spread and movers from the published panel, against
DuckDB SQL on the parquet file; no cell, median or mover rests on a count of 1–4."""

from __future__ import annotations

import statistics
from datetime import date
from pathlib import Path

import polars as pl
from helpers import muni_counts, rests_on_small

from joblog_dash.data import reference, warehouse
from joblog_dash.views import groups
from joblog_dash.views.selection import Selection

SEP_2018 = date(2018, 9, 1)
JAN_2018 = date(2018, 1, 1)
AREA = "region-nordjylland"
GROUP = "uddannelseshjaelp"


def _view(demo_data_dir: Path) -> groups.GroupsView:
    sel = Selection(SEP_2018, GROUP, area=AREA, start=JAN_2018)
    return groups.build(warehouse.open_db(demo_data_dir), sel)


def test_heatmap_cells_equal_sql_and_blank_small_counts(demo_data_dir: Path, demo_facts_path: Path) -> None:
    view = _view(demo_data_dir)
    codes = reference.municipality_codes_in(reference.area_by_key(AREA))  # type: ignore[arg-type]
    counts = muni_counts(demo_facts_path, GROUP, codes)
    hidden = 0
    for code, month, share in view.cells.select("municipality_code", "month", "share").iter_rows():
        n, none = counts.get((code, month), (0, 0))
        if n == 0 or rests_on_small(n, none):
            assert share is None, (code, month)
            hidden += n > 0
        elif share is not None:
            assert abs(share - (n - none) / n) < 1e-12
    assert hidden > 0  # the demo's small municipalities (Læsø) have such months in this group


def test_spread_is_the_median_of_the_shown_cells(demo_data_dir: Path, demo_facts_path: Path) -> None:
    view = _view(demo_data_dir)
    counts = muni_counts(demo_facts_path, GROUP)
    shown = view.cells.filter(pl.col("share").is_not_null())
    # The heat map's cells cover the 36 months up to the month (Oct 2015 – Sep 2018); the spread every month.
    window = view.spread.filter(pl.col("month").is_between(date(2015, 10, 1), SEP_2018))
    assert window.height == 36 and set(view.cells["month"]) == set(window["month"])
    for month, median, municipalities in window.select("month", "median", "municipalities").iter_rows():
        cells = shown.filter(pl.col("month") == month)["municipality_code"].to_list()
        shares = [(counts[(c, month)][0] - counts[(c, month)][1]) / counts[(c, month)][0] for c in cells]
        assert municipalities == len(shares)
        assert abs(median - statistics.median(shares)) < 1e-12


def test_movers_equal_sql(demo_data_dir: Path, demo_facts_path: Path) -> None:
    view = _view(demo_data_dir)
    counts = muni_counts(demo_facts_path, GROUP)
    assert view.movers.height > 0
    for code, change in view.movers.select("municipality_code", "change").iter_rows():
        (n0, none0), (n1, none1) = counts[(code, JAN_2018)], counts[(code, SEP_2018)]
        assert min(n0, n1) >= groups.MOVER_MIN_PERSONS
        assert not rests_on_small(n0, none0) and not rests_on_small(n1, none1)
        assert abs(change - ((n1 - none1) / n1 - (n0 - none0) / n0)) < 1e-12
    assert view.improvers.height + view.decliners.height <= 2 * groups.MOVERS_SHOWN
