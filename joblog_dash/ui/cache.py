"""Cached access to the query layer for the pages.

Results are cached per dataset version (the facts file path names the version), so an import or a
rollback is picked up at once while reruns reuse results. The cache is bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from joblog_dash.data import queries, warehouse


def db() -> warehouse.JoblogDB:
    return warehouse.open_db()


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(facts_path: str, name: str, args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> Any:
    return getattr(queries, name)(db(), *args, **dict(kwargs))


def query(name: str, *args: Any, **kwargs: Any) -> pl.DataFrame:
    """Call `queries.<name>(db, *args, **kwargs)`, cached per dataset version and arguments."""
    if not hasattr(queries, name) or name.startswith("_"):
        raise AttributeError(f"No query named {name!r}")
    normalised = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    return _cached(str(db().facts_path), name, args, normalised)


class FrozenFigure(go.Figure):
    """A cached figure shared by every session. st.plotly_chart calls `to_dict()` (a deep copy of every
    trace) on every rerun, 10–25 % of a page's rerun for the larger figures; a figure nobody changes can
    hand out the same dict each time. Changing it after the first `to_dict()` would not be seen."""

    _frozen: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        if self._frozen is None:
            self._frozen = super().to_dict()
        return self._frozen


@st.cache_resource(max_entries=256, show_spinner=False)
def _figure(facts_path: str, key: tuple[Any, ...], _build: Callable[[], Any]) -> Any:
    return freeze(_build())


def freeze(value: Any) -> Any:
    """Make a plotly Figure a FrozenFigure in place (same object and state; only to_dict remembers its
    answer); anything else is returned as it is."""
    if type(value) is go.Figure:
        value.__class__ = FrozenFigure
    return value


def figure(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    """A built chart (or display table) per dataset version and view: building a plotly figure costs
    30–350 ms per rerun. One shared object per key, so callers must not mutate it; `key` must name
    everything `build` depends on (`build` itself is not hashed)."""
    return _figure(str(db().facts_path), key, build)
