"""Page sections that more than one page shows: the table behind a chart and the gender/age breakdown."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl
import pyarrow as pa
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from joblog_dash.analysis import privacy
from joblog_dash.charts.profile import breakdown_bars, breakdown_title
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui import downloads
from joblog_dash.views.selection import Selection

Spec = list[tuple[str, str, str]]  # (column, Danish heading, kind) as fmt.display_table takes it


def table_behind(
    frame: pl.DataFrame,
    spec: Spec | None = None,
    download: tuple[str, str, Any, Selection] | None = None,
    key: str | None = None,
) -> DeltaGenerator:
    """The numbers behind a chart, one click away ("Se tallene bag figuren").

    With `spec`, raw columns become Danish text through fmt.display_table; without, `frame` is already a
    display table. `download` = (key, title, figure, selection): the table as shown and the chart as files,
    as in view_table_behind. `key` keys the table (a keyed table keeps its element across reruns, where an
    unkeyed one is identified by its data and made anew when they change; default: the download's key).
    Returns the expander, so a caller can add to it (`with table_behind(...):`)."""
    box = st.expander(t("see_table"))
    table = _display(frame, None if spec is None else tuple(spec))
    box.dataframe(table, hide_index=True, key=key or (f"{download[0]}_table" if download else None))
    if download is not None:
        name, title, fig, selection = download
        _downloads(box, pl.from_arrow(table), name, title, fig, selection)  # type: ignore[arg-type]
    return box


def _downloads(
    box: DeltaGenerator, table: pl.DataFrame, key: str, title: str, fig: Any, sel: Selection
) -> None:
    meta = downloads.shown_meta(sel, title or figure_title(fig), key)
    with box:
        downloads.table_downloads(table, meta, key)
        if fig is not None:
            downloads.chart_downloads(fig, meta, key)


def _table_key(
    select: Callable[..., Any], args: tuple[Any, ...], download: tuple[str, str, Any] | None
) -> str:
    """A table's element key made from what it shows: its download's key, or the select function and the
    plain arguments (so two tables of one page never share a key)."""
    if download is not None:
        return f"{download[0]}_table"
    plain = [str(a) for a in args if isinstance(a, str | int)]
    return "_".join(["table", select.__name__.strip("_"), *plain])


def view_table_behind(
    select: Callable[..., pl.DataFrame],
    view: object,
    *args: Any,
    spec: Spec | None = None,
    download: tuple[str, str, Any] | None = None,
    key: str | None = None,
) -> DeltaGenerator:
    """`table_behind(select(view, *args), spec)`, the finished table cached like a figure (ui.cache.figure:
    keyed by `select`, the view, the dataset version and the arguments). `download` = (key, title, figure
    or None): the table as shown as CSV/XLSX, and the chart as PNG/SVG, with the filters and the source.
    `key` keys the table (default: made from the download's key or from `select` and the arguments)."""
    box = st.expander(t("see_table"))
    table = data.figure(_selected_display, view, select, None if spec is None else tuple(spec), *args)
    box.dataframe(table, hide_index=True, key=key or _table_key(select, args, download))
    if download is not None:
        key, title, fig = download
        _downloads(box, pl.from_arrow(table), key, title, fig, getattr(view, "selection", view))  # type: ignore[arg-type]
    return box


def figure_title(fig: Any) -> str:
    """A chart's title text, read from its JSON (no graph-object validation)."""
    title = (fig.to_dict().get("layout", {}) if fig is not None else {}).get("title", {})
    return str(title.get("text", "")) if isinstance(title, dict) else str(title or "")


def _display(frame: pl.DataFrame, spec: tuple[tuple[str, str, str], ...] | None) -> pa.Table:
    return arrow_table(frame if spec is None else fmt.display_table(frame, list(spec)))


def _selected_display(
    view: object,
    select: Callable[..., pl.DataFrame],
    spec: tuple[tuple[str, str, str], ...] | None,
    *args: Any,
) -> pa.Table:
    return _display(select(view, *args), spec)


def arrow_table(frame: pl.DataFrame) -> pa.Table:
    """The frame as an Arrow table with plain string columns: st.dataframe sends an Arrow table as it is,
    while a polars frame goes through pandas and Streamlit's format checks (10–20 % of a page's rerun)."""
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    schema = pa.schema(
        [f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema]
    )
    return table.cast(schema)


def breakdown_charts(heading: str, view: Any, subtitle: str, key: str) -> None:
    """Share joblogged by gender and by age group (the view's published `breakdowns` frames), side by side,
    each with its table; `key` prefixes the element keys."""
    st.subheader(heading)
    frames = view.breakdowns
    if not frames:
        st.info(t("breakdown_missing"))
        return
    month_label = fmt.month_short(view.selection.month)
    for column, dimension in zip(st.columns(len(frames)), frames, strict=True):
        label = t(f"breakdown_{dimension}")
        with column:
            fig = data.figure(_breakdown_figure, view, dimension, label, subtitle)
            st.plotly_chart(
                fig,
                key=f"{key}_breakdown_{dimension}",
                alt=t("alt_breakdown", dimension=label.lower(), month=month_label),
            )
            spec = [
                ("category", label, "text"),
                ("persons_text", t("kf_persons"), "text"),
                ("share_joblogged", t("kf_share"), "pct"),
            ]
            view_table_behind(
                _breakdown_table, view, dimension, spec=spec, key=f"{key}_breakdown_{dimension}_table",
                download=(f"{key}_breakdown_{dimension}", "", fig),
            )  # fmt: skip


def _breakdown_figure(view: Any, dimension: str, label: str, subtitle: str) -> Any:
    frame = view.breakdowns[dimension]
    return breakdown_bars(
        frame, breakdown_title(frame, label, fmt.month_short(view.selection.month)), subtitle
    )


def _breakdown_table(view: Any, dimension: str) -> pl.DataFrame:
    return view.breakdowns[dimension].with_columns(
        pl.when(pl.col("persons").is_null())
        .then(pl.lit(privacy.SUPPRESSED_TEXT))
        .otherwise(pl.col("persons").cast(pl.String))
        .alias("persons_text")
    )
