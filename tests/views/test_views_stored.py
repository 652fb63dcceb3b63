"""Views stored with their dataset version (views.cache `stored=True`, views.warm.prebuild): a worker that has
not built a view reads the one another built, equal to a fresh build; prebuild stores every month's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from importfixtures import make_frame, write_dataset

from joblog_dash.data import queries, warehouse
from joblog_dash.views import cache, spread, warm
from joblog_dash.views.selection import Selection

MONTHS = [date(2018, m, 1) for m in range(1, 5)]


@pytest.fixture
def small_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> warehouse.JoblogDB:
    monkeypatch.setenv("JOBLOG_STORED_VIEWS", "1")
    write_dataset(tmp_path, make_frame(months=MONTHS, codes=[101, 147, 751, 461, 825]), kind="demo")
    cache.clear()
    yield warehouse.open_db(tmp_path)
    cache.clear()


def _fail(*args: object, **kwargs: object) -> None:
    raise AssertionError("a stored view was built again")


def test_a_view_built_once_is_read_by_a_worker_that_never_built_it(
    small_db: warehouse.JoblogDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    sel = Selection(MONTHS[-1], "kontanthjaelp")
    built = spread.build(small_db, sel)
    cache.clear()  # another worker: nothing in its memory
    monkeypatch.setattr(queries, "snapshot", _fail)
    monkeypatch.setattr(queries, "panel", _fail)
    read = spread.build(small_db, sel)
    assert read is not built and read.selection == built.selection
    assert read.table.equals(built.table) and read.shown.equals(built.shown)
    assert read.funnel is not None and read.funnel.table.equals(built.funnel.table)  # type: ignore[union-attr]


def test_stored_views_are_off_when_the_setting_says_so(
    small_db: warehouse.JoblogDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOBLOG_STORED_VIEWS", "0")
    spread.build(small_db, Selection(MONTHS[-1], "kontanthjaelp"))
    assert warm.viewstore.size(small_db.facts_path, cache.CODE)[0] == 0


def test_prebuild_stores_every_month_so_no_worker_builds_them(
    small_db: warehouse.JoblogDB, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = warm.prebuild(small_db)
    assert warm.prebuilt(small_db.facts_path) and built["files"] >= len(MONTHS) * 3
    assert not warm.prebuild_in_background(small_db)  # done: no worker starts it again
    cache.clear()
    monkeypatch.setattr(queries, "snapshot", _fail)
    monkeypatch.setattr(queries, "panel", _fail)
    for month in MONTHS:
        assert spread.build(small_db, Selection(month, "kontanthjaelp")).selection.month == month


def test_prebuild_passes_over_the_months_a_group_has_nobody(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A group that ends (or begins) inside the data: its empty months have no funnel; prebuild goes on."""
    import polars as pl

    monkeypatch.setenv("JOBLOG_STORED_VIEWS", "1")
    frame = make_frame(months=MONTHS, codes=[101, 147, 751], groups=("kontanthjaelp", "dagpenge"))
    frame = frame.filter((pl.col("benefit_group") == "kontanthjaelp") | (pl.col("month") < MONTHS[2]))
    write_dataset(tmp_path, frame, kind="demo")
    cache.clear()
    db = warehouse.open_db(tmp_path)
    try:
        warm.prebuild(db)
        assert warm.prebuilt(db.facts_path)
    finally:
        cache.clear()
