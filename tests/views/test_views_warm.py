"""The warm-up builds the default view once per dataset version, so a cold worker's first visitor waits less."""

from __future__ import annotations

from pathlib import Path

from joblog_dash.data import warehouse
from joblog_dash.views import cache, profile, warm
from joblog_dash.views.selection import Selection


def test_warm_fills_the_view_cache_once_per_version(demo_data_dir: Path) -> None:
    db = warehouse.open_db(demo_data_dir)
    months = warehouse.open_db(demo_data_dir).sql("SELECT max(month) AS m FROM muni_month")["m"][0]
    sel = Selection(month=months, group="kontanthjaelp", municipality=101)
    cache.clear()
    warm.warm(db, sel)
    filled = cache.size()
    assert filled >= 6  # ranks, overview, spread, groups, follow-up, profile and their parts
    assert profile.build(db, sel) is profile.build(db, sel)  # served from the cache: the same object
    assert cache.size() == filled
    warm._warmed.discard(db.version)
    assert warm.warm_in_background(db, sel) is True
    assert warm.warm_in_background(db, sel) is False
