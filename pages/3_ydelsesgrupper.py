"""Ydelsesgrupper: one benefit group across the municipalities of an area. Layout only."""

from __future__ import annotations

from functools import partial

import polars as pl
import streamlit as st

from joblog_dash.charts import groups as charts
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui.layout import drill_on_click, page_setup
from joblog_dash.ui.sections import arrow_table, breakdown_charts, table_behind
from joblog_dash.views import groups as group_figures
from joblog_dash.views import parts

MOVERS_SHOWN = 10

ctx = page_setup(t("nav_groups"), show_filters=("month", "start", "group", "area"))
f = ctx.selection
month, start, group = f.month, f.start, f.group
area = reference.area_by_key(f.area)
area_label = area.label if area else t("national")
group_label = reference.group_label(group)
group_short = reference.group_label(group, short=True)
month_label, start_label = fmt.month_short(month), fmt.month_short(start)
VIEW = ("groups", f.area, group, month, start)  # everything a figure depends on

panel = data.query("panel", group, area=f.area)
area_trend = data.query("trend", area=f.area, groups=[group])

# --- Heat map: municipality x month ---
# Statistics, figures and tables are cached per version and view (data.figure), not rebuilt every rerun.
cells = data.figure(("heatmap_cells", *VIEW), lambda: group_figures.heatmap_frame(panel, month))
ranked = cells.filter((pl.col("month") == month) & pl.col("share").is_not_null()).sort("order")
if ranked.height:
    title = t("groups_heatmap_title", top=ranked["name"][0], bottom=ranked["name"][-1], month=month_label)
else:
    title = group_label
fig = data.figure(
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
drill_on_click(f, event)
table_behind(
    cells.filter(pl.col("month") == month).sort("order"),
    [
        ("name", t("col_municipality"), "text"),
        ("persons", t("kf_persons"), "int"),
        ("share", t("kf_share"), "pct"),
    ],
    view=("heatmap", *VIEW),
)

# --- Spread over time ---
spread = data.figure(("spread_frame", *VIEW), lambda: group_figures.share_spread(panel))
if spread.height:
    fig = data.figure(
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
    table_behind(
        spread.join(area_trend.select("month", "share_joblogged"), on="month", how="left"),
        [
            ("month", t("col_month"), "month"),
            ("low", t("col_p10"), "pct"),
            ("median", t("col_median"), "pct"),
            ("high", t("col_p90"), "pct"),
            ("share_joblogged", t("spread_area", area=area_label), "pct"),
            ("municipalities", t("col_count"), "int"),
        ],
        view=("spread", *VIEW),
    )

# --- Improvers and decliners ---
st.subheader(t("movers_heading", start=start_label, end=month_label))
table = data.figure(("movers_frame", *VIEW), lambda: group_figures.movers(panel, start, month))
improvers, decliners = data.figure(
    ("top_movers", *VIEW), lambda: group_figures.top_movers(table, MOVERS_SHOWN)
)
if improvers.height + decliners.height == 0:
    st.info(t("movers_none", min=group_figures.MOVER_MIN_PERSONS))
else:
    fig = data.figure(
        ("movers", *VIEW),
        partial(
            charts.movers,
            improvers,
            decliners,
            start_label,
            month_label,
            charts.movers_title(improvers, decliners),
            t("movers_subtitle", min=group_figures.MOVER_MIN_PERSONS),
        ),
    )
    event = st.plotly_chart(
        fig, key="groups_movers", alt=t("alt_movers"), on_select="rerun", selection_mode="points"
    )
    drill_on_click(f, event)
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
        shown = data.figure(("improvers", *VIEW), lambda: arrow_table(fmt.display_table(improvers, spec)))
        st.dataframe(shown, hide_index=True, width="stretch")
    with right:
        st.markdown(f"**{t('movers_decliners')}**")
        shown = data.figure(("decliners", *VIEW), lambda: arrow_table(fmt.display_table(decliners, spec)))
        st.dataframe(shown, hide_index=True, width="stretch")
    table_behind(table, full_spec, view=("movers", *VIEW))

# --- Gender and age for the month ---
breakdown_charts(
    t("groups_breakdown_heading", group=group_short, area=area_label, month=fmt.month_long(month)),
    parts.area_breakdowns(ctx.db, f), month, f"{group_short}, {area_label}", "groups", VIEW,
)  # fmt: skip
