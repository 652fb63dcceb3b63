"""Page sections that more than one page shows: the table behind a chart and the gender/age breakdown."""

from __future__ import annotations

from datetime import date
from functools import partial
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

Spec = list[tuple[str, str, str]]  # (column, Danish heading, kind) as fmt.display_table takes it


def table_behind(
    frame: pl.DataFrame, spec: Spec | None = None, view: tuple[Any, ...] | None = None
) -> DeltaGenerator:
    """The numbers behind a chart, one click away ("Se tallene bag figuren").

    With `spec`, raw columns become Danish text through fmt.display_table; without, `frame` is
    already a display table. With `view` (naming everything the table depends on), the finished table is
    cached per dataset version like a figure (data.figure). Returns the expander, so a caller can add to it
    (`with table_behind(...):`)."""
    box = st.expander(t("see_table"))

    def build() -> pa.Table:
        return arrow_table(frame if spec is None else fmt.display_table(frame, spec))

    box.dataframe(build() if view is None else data.figure(("table_behind", *view), build), hide_index=True)
    return box


def arrow_table(frame: pl.DataFrame) -> pa.Table:
    """The frame as an Arrow table with plain string columns: st.dataframe sends an Arrow table as it is,
    while a polars frame goes through pandas and Streamlit's format checks (10–20 % of a page's rerun)."""
    table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
    schema = pa.schema(
        [f.with_type(pa.string()) if pa.types.is_large_string(f.type) else f for f in table.schema]
    )
    return table.cast(schema)


def breakdown_charts(
    heading: str, frames: dict[str, pl.DataFrame], month: date, subtitle: str, key: str, view: tuple[Any, ...]
) -> None:
    """Share joblogged by gender and by age group (published frames from a view), side by side, each with
    its table. `view` names everything the figures depend on (for the figure cache); `key` prefixes the
    element keys."""
    st.subheader(heading)
    if not frames:
        st.info(t("breakdown_missing"))
        return
    month_label = fmt.month_short(month)
    for column, (dimension, frame) in zip(st.columns(len(frames)), frames.items(), strict=True):
        label = t(f"breakdown_{dimension}")
        with column:
            fig = data.figure(
                (key, "breakdown", dimension, *view),
                partial(breakdown_bars, frame, breakdown_title(frame, label, month_label), subtitle),
            )
            st.plotly_chart(
                fig,
                key=f"{key}_breakdown_{dimension}",
                alt=t("alt_breakdown", dimension=label.lower(), month=month_label),
            )
            shown = frame.with_columns(
                pl.when(pl.col("persons").is_null())
                .then(pl.lit(privacy.SUPPRESSED_TEXT))
                .otherwise(pl.col("persons").cast(pl.String))
                .alias("persons_text")
            )
            table_behind(
                shown,
                [
                    ("category", label, "text"),
                    ("persons_text", t("kf_persons"), "text"),
                    ("share_joblogged", t("kf_share"), "pct"),
                ],
                view=(key, "breakdown", dimension, *view),
            )
