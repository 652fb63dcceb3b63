"""Warm the views a new dataset version is first asked for, before the first user asks; and build, once
per version, what every month and group of every screen needs.

A shared link opened on a cold worker used to wait for the ranks over time (~1 s), the funnel, the letter's
effect and the follow-up list; they are computed once per version and shared by every session
(views.cache), so a background thread builds the default selection's views as soon as a version is opened.

`prebuild` goes further: for every month and group it builds the views and parts whose builders are stored
with the version (views.cache `stored=True`, data.viewstore) and that cost most on a first visit — the ranks
over time, Kommuner with THE funnel of the month, Opfølgning's list, and the month's expected figures and
peers that every profile reads — so a worker's first visit of a month reads them. `joblog-dash demo` runs
it; a worker that opens a version without them (after an import) builds them in the background, one worker
at a time (a lock file). What it leaves out (other areas, the adjusted basis, each municipality's profile,
Overblik and Ydelsesgrupper, which are quick) is stored by the first worker that builds it.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

from joblog_dash import config
from joblog_dash.data import viewstore
from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.views import cache, followup, groups, overview, parts, profile, spread
from joblog_dash.views.selection import Selection

log = logging.getLogger(__name__)
_ANY = Selection(date(1900, 1, 1), "")  # months and groups do not depend on a selection
_warmed: set[str] = set()
_lock = threading.Lock()
# Background builders stop between two builds when the process exits, and the exit waits for them: a daemon
# thread killed inside a DuckDB query at interpreter shutdown aborts the process ("exception not rethrown").
_stop = threading.Event()
_threads: list[threading.Thread] = []


class _Stopped(Exception):
    """The process is exiting: stop building."""


def _check_stop() -> None:
    if _stop.is_set():
        raise _Stopped


def _start_thread(target: object, name: str, args: tuple = ()) -> None:
    thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
    with _lock:
        _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
    thread.start()


@atexit.register
def _join_at_exit() -> None:
    _stop.set()
    with _lock:
        running = list(_threads)
    for thread in running:
        thread.join(timeout=30)


def warm(db: JoblogDB, selection: Selection) -> None:
    """Build the common views of `selection` (the app's default view) once."""
    try:
        parts.ranks(db, selection)
        for build in (overview.build, spread.build, groups.build, followup.build, profile.build):
            _check_stop()
            build(db, selection)
    except _Stopped:
        return
    except Exception:  # a warm-up must never take a worker down: the page computes on demand instead
        log.exception("warming the views failed")


def warm_in_background(db: JoblogDB, selection: Selection) -> bool:
    """Start warming once per dataset version; False when it was started before."""
    with _lock:
        if db.version in _warmed:
            return False
        _warmed.add(db.version)
    _start_thread(warm, "joblog-warm", (db, selection))
    if config.stored_views():
        prebuild_in_background(db)
    return True


DONE = ".prebuilt"  # in the version's views folder once prebuild has finished


def prebuild(db: JoblogDB, only: list[str] | None = None) -> dict[str, float]:
    """Build and store what every month and group (or the groups `only`) of every screen needs (the
    national area and the screens' default options). Returns {seconds, files, bytes}."""
    began = time.perf_counter()
    months = parts.months(db, _ANY)
    for group in only or parts.benefit_groups(db, _ANY):
        sel = Selection(months[-1], group)
        parts.ranks(db, sel)
        for month in months:
            _check_stop()
            sel = replace(sel, month=month, start=_start(month, months))
            parts.peers(db, sel)
            try:
                spread.build(db, sel)  # with THE funnel of the month
                followup.build(db, sel)
                parts.expected(db, sel)
            except ValueError:  # the group has nobody this month (before it began, after it ended)
                continue
    folder = viewstore.folder(db.facts_path, cache.CODE)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / DONE).touch()
    viewstore.prune(db.facts_path, cache.CODE)
    files, size = viewstore.size(db.facts_path, cache.CODE)
    return {"seconds": round(time.perf_counter() - began, 1), "files": files, "bytes": size}


def _start(month: date, months: list[date]) -> date:
    """The screens' default start month: a year before, or the first month."""
    earlier = [m for m in months if m < month]
    year_before = month.replace(year=month.year - 1)
    return year_before if year_before in months else (earlier[0] if earlier else month)


def prebuilt(facts_path: Path) -> bool:
    """Whether prebuild has finished for the version of `facts_path` with this code."""
    return (viewstore.folder(facts_path, cache.CODE) / DONE).exists()


def prebuild_in_background(db: JoblogDB) -> bool:
    """Prebuild the version's views in a background thread unless they are there or another worker is
    building them (an exclusive lock file); False when nothing was started."""
    folder = viewstore.folder(db.facts_path, cache.CODE)
    if prebuilt(db.facts_path):
        return False
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock = os.open(folder / ".prebuilding", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except OSError:  # another worker builds them, or the folder is read-only
        return False

    def run() -> None:
        try:
            prebuild(db)
        except _Stopped:  # the process exits: the next worker builds them (no DONE marker was written)
            pass
        except Exception:  # never take a worker down: the pages build on demand instead
            log.exception("prebuilding the views failed")
        finally:
            os.close(lock)
            (folder / ".prebuilding").unlink(missing_ok=True)

    _start_thread(run, "joblog-prebuild")
    return True
