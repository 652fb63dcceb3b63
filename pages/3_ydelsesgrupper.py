"""Ydelsesgrupper: one benefit group across the municipalities of an area. Layout only."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from joblog_dash import fmt, privacy, profile, reference
from joblog_dash.charts import groups as charts
from joblog_dash.charts.profile import breakdown_bars, breakdown_title
from joblog_dash.strings import t
from joblog_dash.ui import data
from joblog_dash.ui.layout import clicked_municipality, open_profile, page_setup

MOVERS_SHOWN = 10


@st.cache_resource(max_entries=256, show_spinner=False)
def _figure(key: tuple[object, ...], _build: Callable[[], go.Figure]) -> go.Figure:
    """A built figure per view. Building a plotly figure costs 30–250 ms; the figures are never mutated,
    so one shared object per key is safe. `_build` is not hashed: `key` names everything it depends on."""
    return _build()


def _table(frame: pl.DataFrame, spec: list[tuple[str, str, str]]) -> None:
    with st.expander(t("see_table")):
        st.dataframe(profile.display_table(frame, spec), hide_index=True, width="stretch")


def _drill(key: str, event: object) -> None:
    code = clicked_municipality(event)
    if code is not None:
        open_profile(ctx.filters, code)


ctx = page_setup(t("nav_groups"), show_filters=("month", "start", "group", "area"))
f = ctx.filters
month, start, group = f.month, f.start, f.group
area = reference.area_by_key(f.area)
area_label = area.label if area else t("national")
group_label = reference.group_label(group)
group_short = reference.group_label(group, short=True)
month_label, start_label = fmt.month_short(month), fmt.month_short(start)
VIEW = (str(ctx.db.facts_path), f.area, group, month, start)  # everything a figure depends on

panel = data.query("panel", group, area=f.area)
area_trend = data.query("trend", area=f.area, groups=[group])

# --- Heat map: municipality x month ---
cells = profile.heatmap_frame(panel, month)
ranked = cells.filter((pl.col("month") == month) & pl.col("share").is_not_null()).sort("order")
if ranked.height:
    title = t("groups_heatmap_title", top=ranked["name"][0], bottom=ranked["name"][-1], month=month_label)
else:
    title = group_label
fig = _figure(
    ("heatmap", *VIEW),
    partial(charts.heatmap, cells, title, t("groups_heatmap_subtitle", group=group_short, area=area_label)),
)
event = st.plotly_chart(
    fig,
    key="groups_heatmap",
    alt=t("alt_heatmap", area=area_label, month=month_label),
    on_select="rerun",
    selection_mode="points",
)
st.caption(t("heatmap_click"))
_drill("groups_heatmap", event)
_table(
    cells.filter(pl.col("month") == month).sort("order"),
    [
        ("name", t("col_municipality"), "text"),
        ("persons", t("kf_persons"), "int"),
        ("share", t("kf_share"), "pct"),
    ],
)

# --- Spread over time ---
spread = profile.share_spread(panel)
if spread.height:
    fig = _figure(
        ("spread", *VIEW),
        partial(
            charts.spread,
            spread,
            area_trend,
            area_label,
            charts.spread_title(spread),
            t("spread_subtitle", area=area_label, group=group_short),
        ),
    )
    st.plotly_chart(fig, key="groups_spread", alt=t("alt_spread"))
    _table(
        spread.join(area_trend.select("month", "share_joblogged"), on="month", how="left"),
        [
            ("month", t("col_month"), "month"),
            ("low", t("col_p10"), "pct"),
            ("median", t("col_median"), "pct"),
            ("high", t("col_p90"), "pct"),
            ("share_joblogged", t("spread_area", area=area_label), "pct"),
            ("municipalities", t("col_count"), "int"),
        ],
    )

# --- Improvers and decliners ---
st.subheader(t("movers_heading", start=start_label, end=month_label))
table = profile.movers(panel, start, month)
improvers, decliners = profile.top_movers(table, MOVERS_SHOWN)
if improvers.height + decliners.height == 0:
    st.info(t("movers_none", min=profile.MOVER_MIN_PERSONS))
else:
    fig = _figure(
        ("movers", *VIEW),
        partial(
            charts.movers,
            improvers,
            decliners,
            start_label,
            month_label,
            charts.movers_title(improvers, decliners),
            t("movers_subtitle", min=profile.MOVER_MIN_PERSONS),
        ),
    )
    event = st.plotly_chart(
        fig, key="groups_movers", alt=t("alt_movers"), on_select="rerun", selection_mode="points"
    )
    _drill("groups_movers", event)
    spec = [
        ("name", t("col_municipality"), "text"),
        ("share_start", t("col_share_start", month=start_label), "pct"),
        ("share_end", t("col_share_end", month=month_label), "pct"),
        ("change", t("col_change"), "pp"),
    ]
    full_spec = [
        *spec[:2],
        ("interval_start", t("col_interval_month", month=start_label), "text"),
        ("persons_start", f"{t('kf_persons')} {start_label}", "int"),
        spec[2],
        ("interval_end", t("col_interval_month", month=month_label), "text"),
        ("persons_end", f"{t('kf_persons')} {month_label}", "int"),
        spec[3],
    ]
    left, right = st.columns(2)
    with left:
        st.markdown(f"**{t('movers_improvers')}**")
        st.dataframe(profile.display_table(improvers, spec), hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{t('movers_decliners')}**")
        st.dataframe(profile.display_table(decliners, spec), hide_index=True, width="stretch")
    _table(table, full_spec)

# --- Gender and age for the month ---
st.subheader(t("groups_breakdown_heading", group=group_short, area=area_label, month=fmt.month_long(month)))
values = data.query("breakdown_values")
dimensions = [d for d in ("gender", "age_group") if values.get(d)]
if not dimensions:
    st.info(t("breakdown_missing"))
for column, dimension in zip(st.columns(max(len(dimensions), 1)), dimensions, strict=False):
    frame = privacy.suppress(
        data.query("breakdown", month, group, dimension, area=f.area), ["share_joblogged", "share_none"]
    )
    label = t(f"breakdown_{dimension}")
    with column:
        fig = _figure(
            ("breakdown", dimension, *VIEW),
            partial(
                breakdown_bars,
                frame,
                breakdown_title(frame, label, month_label),
                f"{group_short}, {area_label}",
            ),
        )
        st.plotly_chart(
            fig,
            key=f"groups_breakdown_{dimension}",
            alt=t("alt_breakdown", dimension=label.lower(), month=month_label),
        )
        shown = frame.with_columns(
            pl.when(pl.col("suppressed"))
            .then(pl.lit(privacy.SUPPRESSED_TEXT))
            .otherwise(pl.col("persons").cast(pl.String))
            .alias("persons_text")
        )
        _table(
            shown,
            [
                ("category", label, "text"),
                ("persons_text", t("kf_persons"), "text"),
                ("share_joblogged", t("kf_share"), "pct"),
            ],
        )
