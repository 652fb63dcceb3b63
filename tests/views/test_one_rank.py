"""One rank: every surface that places a municipality shows the same rank out of the same N for the same
selection (the whole country), for all 98 municipalities, in the latest month and in September 2018."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from joblog_dash.data import reference, warehouse
from joblog_dash.exporting import files as exports
from joblog_dash.exporting import tables as export_tables
from joblog_dash.text.strings import t
from joblog_dash.views import parts, profile, spread
from joblog_dash.views.selection import Selection

GROUP = "kontanthjaelp"


def _months(db: warehouse.JoblogDB) -> list[date]:
    return [date(2018, 9, 1), max(parts.months(db, Selection(date(2018, 9, 1), GROUP)))]


@pytest.mark.parametrize("which", [0, 1], ids=["2018-09", "latest"])
def test_the_same_rank_out_of_the_same_n_on_every_surface(demo_data_dir: Path, which: int) -> None:
    db = warehouse.open_db(demo_data_dir)
    month = _months(db)[which]
    sel = Selection(month, GROUP)
    view = spread.build(db, sel)
    # Kommuner: the chart's rows and the table.
    kommuner = {
        c: (r, n) for c, r, n in view.shown.select("municipality_code", "rank", "ranked").iter_rows() if r
    }
    table = dict(view.table.select("municipality_code", t("col_rank")).iter_rows())
    # `joblog-dash export municipalities` and the page's download: the same table.
    frame, _ = export_tables.build(db, "municipalities", sel)
    export = {
        int(c): (r, n)
        for c, r, n in frame.select("Kode", t("col_rank"), t("export_col_ranked")).iter_rows()
        if r is not None
    }
    csv = exports.to_danish_csv(frame, _).decode("utf-8-sig")
    assert t("export_col_ranked") in csv
    codes = reference.municipalities()["code"].to_list()
    assert len(codes) == 98
    n = view.shown["ranked"][0]
    assert n == len(kommuner) and n >= 95  # every municipality of 5 or more persons, bar one hidden whole
    for code in codes:
        key = profile.build(db, Selection(month, GROUP, municipality=code))
        rank_now = key.rank_now
        on_profile = None if rank_now is None else (rank_now["rank"], rank_now["ranked"])
        assert on_profile == kommuner.get(code) == export.get(code), code
        assert table.get(code) == (None if code not in kommuner else kommuner[code][0]), code
        if code in kommuner:
            assert key.ranked == n, code
    # Ranks run 1..N with ties sharing the best: the number of municipalities above each one, plus one.
    places = view.shown.filter(pl.col("rank").is_not_null())["placed"].to_list()
    for (rank, _), value in zip(
        view.shown.filter(pl.col("rank").is_not_null()).select("rank", "ranked").iter_rows(),
        places,
        strict=True,
    ):
        assert rank == 1 + sum(p > value for p in places)


@pytest.mark.parametrize("which", [0, 1], ids=["2018-09", "latest"])
def test_every_rank_lies_in_its_own_interval(demo_data_dir: Path, which: int) -> None:
    """A bounded municipality is listed at its bound's end: that rank must lie in its 95 % interval (a wide
    'højst' bound once gave rank 6 with the interval 30–98)."""
    db = warehouse.open_db(demo_data_dir)
    view = spread.build(db, Selection(_months(db)[which], GROUP))
    ranked = view.shown.filter(pl.col("rank").is_not_null())
    assert ranked.height > 90
    outside = ranked.filter((pl.col("rank") < pl.col("rank_lower")) | (pl.col("rank") > pl.col("rank_upper")))
    assert outside.is_empty(), outside.select("name", "bound", "rank", "rank_lower", "rank_upper").to_dicts()
