"""The one cache for views: keyed by structure — the builder, the dataset version and the frozen Selection.

A view is the same for everyone who chose the same, so the cache is process-wide and shared by every
session, the deck, the brief and the exports. No call site writes a key by hand: `@cached` on a
`build(db, selection)` makes the key from the function, `db.version` and the selection. Bounded (LRU).
Results are shared objects: callers never mutate them (views return frozen dataclasses and polars frames).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.views.selection import Selection

MAX_ENTRIES = 512
V = TypeVar("V")

_lock = threading.Lock()
_entries: OrderedDict[tuple[str, str, Selection], Any] = OrderedDict()


Build = Callable[[JoblogDB, Selection], V]


def cached(*uses: str) -> Callable[[Build[V]], Build[V]]:
    """Memoise a view builder per (builder, dataset version, selection). `uses` names the Selection fields
    the builder reads (all when empty): the others are reset before the key is made and the builder runs,
    so a part that ignores a filter is computed once for all its values and cannot read one by mistake."""

    def decorate(build: Build[V]) -> Build[V]:
        return _memoised(build, uses)

    return decorate


def _memoised(build: Build[V], uses: tuple[str, ...]) -> Build[V]:
    name = f"{build.__module__}.{build.__qualname__}"

    @wraps(build)
    def wrapper(db: JoblogDB, selection: Selection) -> V:
        if uses:
            selection = selection.only(*uses)
        key = (name, db.version, selection)
        with _lock:
            if key in _entries:
                _entries.move_to_end(key)
                return _entries[key]
        value = build(db, selection)  # outside the lock: sessions building other views are not held up
        with _lock:
            _entries[key] = value
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        return value

    return wrapper


def clear() -> None:
    with _lock:
        _entries.clear()


def size() -> int:
    return len(_entries)
