"""The warm-up builds the default view once per dataset version, so a cold worker's first visitor waits less."""

from __future__ import annotations

from pathlib import Path

import pytest

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


def test_exit_stops_the_background_builders_between_builds_and_waits_for_them(
    demo_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daemon thread killed inside a DuckDB query at interpreter shutdown aborts the process; the exit
    hook stops the builders between two builds and joins them instead."""
    import threading

    db = warehouse.open_db(demo_data_dir)
    sel = Selection(month=warm.parts.months(db, warm._ANY)[-1], group="kontanthjaelp", municipality=101)
    started, release, built = threading.Event(), threading.Event(), []

    def slow_ranks(*_args: object) -> None:
        started.set()
        release.wait(10)

    monkeypatch.setattr(warm.parts, "ranks", slow_ranks)
    for name in ("overview", "spread", "groups", "followup", "profile"):
        monkeypatch.setattr(getattr(warm, name), "build", lambda *_a, n=name: built.append(n))
    monkeypatch.setattr(warm, "_stop", threading.Event())
    warm._warmed.discard(db.version)
    monkeypatch.setattr(warm.config, "stored_views", lambda: False)
    assert warm.warm_in_background(db, sel)
    assert started.wait(10)
    threading.Timer(0.2, release.set).start()
    warm._join_at_exit()  # sets the stop and waits: the thread ends after the build it is in
    assert not any(t.is_alive() for t in warm._threads)
    assert built == []
