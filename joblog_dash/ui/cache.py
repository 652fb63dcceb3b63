"""The pages' figure cache: finished charts and display tables, keyed by structure.

Pages and sections get their data from the views (views.*.build, cached in views/cache.py); what is cached
here is the costly last step, a plotly figure or an Arrow display table drawn from a view. The key is made,
never written by hand: the draw function's qualified name, the view's type and selection (or a Selection),
the dataset version, and the remaining arguments (functions among them by qualified name).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go

from joblog_dash.data import warehouse
from joblog_dash.views.selection import Selection


def db() -> warehouse.JoblogDB:
    return warehouse.open_db()


MAX_FIGURES = 256
_lock = threading.Lock()
_figures: OrderedDict[tuple[object, ...], Any] = OrderedDict()


class FrozenFigure(go.Figure):
    """A cached figure shared by every session. st.plotly_chart calls `to_dict()` (a deep copy of every
    trace) on every rerun, 10–25 % of a page's rerun for the larger figures; a figure nobody changes can
    hand out the same dict each time. Changing it after the first `to_dict()` would not be seen."""

    _frozen: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        if self._frozen is None:
            self._frozen = super().to_dict()
        return self._frozen


def freeze(value: Any) -> Any:
    """Make a plotly Figure a FrozenFigure in place (same object and state; only to_dict remembers its
    answer); anything else is returned as it is."""
    if type(value) is go.Figure:
        value.__class__ = FrozenFigure
    return value


def qualified(value: object) -> object:
    """A function by its qualified name (stable across reruns), a list as a tuple; anything else as it is
    (must be hashable)."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{value.__module__}.{value.__qualname__}"
    if isinstance(value, list):
        return tuple(qualified(v) for v in value)
    return value


def view_key(view: object) -> tuple[object, ...]:
    """What a view is: its type and its (frozen) selection; a bare Selection stands for itself."""
    if isinstance(view, Selection):
        return ("Selection", view)
    return (qualified(type(view)), view.selection)  # type: ignore[attr-defined]


def key_of(draw: Callable[..., Any], view: object, args: tuple[Any, ...]) -> tuple[object, ...]:
    return (qualified(draw), *view_key(view), db().version, tuple(qualified(a) for a in args))


def figure(draw: Callable[..., Any], view: object, *args: Any) -> Any:
    """`draw(view, *args)` — a chart or display table — built once per dataset version, view and arguments.

    `view` is a view object (with its `selection`) or a Selection; `draw` must depend on nothing else (a
    module-level function, so its name identifies it). One shared object per key: callers never mutate it.

    A process-wide LRU like views.cache, not st.cache_resource: Streamlit hashes the key with its own
    hasher on every call, hit or miss — 3–4 ms per figure, ~40 ms of a Kommuneprofil rerun with 13 of
    them; the key is made of hashable parts, so a dict finds it in microseconds."""
    key = key_of(draw, view, args)
    with _lock:
        if key in _figures:
            _figures.move_to_end(key)
            return _figures[key]
    value = freeze(draw(view, *args))  # outside the lock: other sessions' figures are not held up
    with _lock:
        value = _figures.setdefault(key, value)  # two sessions drawing at once share the first one
        _figures.move_to_end(key)
        while len(_figures) > MAX_FIGURES:
            _figures.popitem(last=False)
    return value


def built(build: Callable[[warehouse.JoblogDB, Any], Any], selection: Selection) -> Any:
    """`build(dataset, selection)` on the open dataset, once per dataset version and selection (like
    figure): for a screen whose view is assembled above the views layer (the presentation's deck), so that
    its sections receive the finished object and only this module opens the dataset."""
    return figure(_built, selection, build)


def _built(selection: Selection, build: Callable[[warehouse.JoblogDB, Any], Any]) -> Any:
    return build(db(), selection)


def clear() -> None:
    with _lock:
        _figures.clear()
