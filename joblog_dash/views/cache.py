"""The one cache for views: keyed by structure — the builder, the dataset version and the frozen Selection.

A view is the same for everyone who chose the same, so the cache is process-wide and shared by every
session, the deck, the brief and the exports. No call site writes a key by hand: `@cached` on a
`build(db, selection)` makes the key from the function, `db.version` and the selection. Bounded (LRU).
Results are shared objects: callers never mutate them (views return frozen dataclasses and polars frames).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from joblog_dash import config
from joblog_dash.data import viewstore
from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.views.selection import Selection

MAX_ENTRIES = 512
V = TypeVar("V")

_lock = threading.Lock()
_entries: OrderedDict[tuple[str, str, Selection], Any] = OrderedDict()


Build = Callable[[JoblogDB, Selection], V]


def _fingerprint() -> str:
    """The package's code: a stored view is read back only by the code that built it (a deploy with the
    same dataset but changed views must not unpickle an old shape)."""
    digest = hashlib.sha1()
    for path in sorted((config.PACKAGE_ROOT / "joblog_dash").rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


CODE = _fingerprint()


def stored_name(name: str, selection: Selection) -> str:
    """The file name of a stored view: the builder and the selection (frozen, deterministic repr)."""
    return f"{name.rsplit('.', 2)[-2]}-{hashlib.sha1(f'{name}{selection!r}'.encode()).hexdigest()[:20]}"


def cached(*uses: str, stored: bool = False) -> Callable[[Build[V]], Build[V]]:
    """Memoise a view builder per (builder, dataset version, selection). `uses` names the Selection fields
    the builder reads (all when empty): the others are reset before the key is made and the builder runs,
    so a part that ignores a filter is computed once for all its values and cannot read one by mistake.

    With `stored`, a value not in this process's memory is read from the version's stored views
    (data.viewstore) before it is built, and a value built here is stored there: one worker (or the import,
    views.warm.prebuild) builds it, every worker reads it."""

    def decorate(build: Build[V]) -> Build[V]:
        return _memoised(build, uses, stored)

    return decorate


def _memoised(build: Build[V], uses: tuple[str, ...], stored: bool = False) -> Build[V]:
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
        if stored and config.stored_views():
            value = _stored_or_built(build, name, db, selection)
        else:
            value = build(db, selection)
        with _lock:
            _entries[key] = value
            while len(_entries) > MAX_ENTRIES:
                _entries.popitem(last=False)
        return value

    return wrapper


def _stored_or_built(build: Build[V], name: str, db: JoblogDB, selection: Selection) -> V:
    # Outside the lock: sessions building other views are not held up.
    file = stored_name(name, selection)
    value = viewstore.load(db.facts_path, CODE, file)
    if value is None:
        value = build(db, selection)
        viewstore.save(db.facts_path, CODE, file, value)
    return value  # type: ignore[no-any-return]


def clear() -> None:
    with _lock:
        _entries.clear()


def size() -> int:
    return len(_entries)
