"""Warm the views a new dataset version is first asked for, before the first user asks.

A shared link opened on a cold worker used to wait for the ranks over time (~1 s), the funnel, the letter's
effect and the follow-up list; they are computed once per version and shared by every session
(views.cache), so a background thread builds the default selection's views as soon as a version is opened.
"""

from __future__ import annotations

import logging
import threading

from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.views import followup, groups, overview, parts, profile, spread
from joblog_dash.views.selection import Selection

log = logging.getLogger(__name__)
_warmed: set[str] = set()
_lock = threading.Lock()


def warm(db: JoblogDB, selection: Selection) -> None:
    """Build the common views of `selection` (the app's default view) once."""
    try:
        parts.ranks(db, selection)
        for build in (overview.build, spread.build, groups.build, followup.build, profile.build):
            build(db, selection)
    except Exception:  # a warm-up must never take a worker down: the page computes on demand instead
        log.exception("warming the views failed")


def warm_in_background(db: JoblogDB, selection: Selection) -> bool:
    """Start warming once per dataset version; False when it was started before."""
    with _lock:
        if db.version in _warmed:
            return False
        _warmed.add(db.version)
    threading.Thread(target=warm, args=(db, selection), name="joblog-warm", daemon=True).start()
    return True
