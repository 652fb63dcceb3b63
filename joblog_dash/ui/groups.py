"""The Ydelsesgrupper page's sections: each draws a part of the groups view (views.groups.GroupsView).

Nothing here computes a figure: titles come from the view's published frames, figures and tables are
cached by ui.cache.figure (draw function, view, dataset version).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import pyarrow as pa
import streamlit as st

from joblog_dash.charts import groups as charts
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui.layout import drill_on_click
from joblog_dash.ui.sections import arrow_table, breakdown_charts, view_table_behind
from joblog_dash.views.groups import MOVER_MIN_PERSONS, GroupsView
from joblog_dash.views.selection import Selection


def _labels(view: GroupsView) -> tuple[str, str, str]:
    """(group label, short group label, month label)."""
    group = view.selection.group
    return (
        reference.group_label(group),
        reference.group_label(group, short=True),
        fmt.month_short(view.selection.month),
    )


def _heatmap_figure(view: GroupsView) -> go.Figure:
    group_label, group_short, month_label = _labels(view)
    ranked = view.ranked
    if ranked.height:
        title = t("groups_heatmap_title", top=ranked["name"][0], bottom=ranked["name"][-1], month=month_label)
    else:
        title = group_label
    months = view.cells["month"].n_unique()
    subtitle = t("groups_heatmap_subtitle", months=months, group=group_short, area=view.area_label)
    return charts.heatmap(view.cells, title, subtitle, group=view.selection.group)


def _month_cells(view: GroupsView) -> pl.DataFrame:
    return view.month_cells


def heatmap(view: GroupsView, sel: Selection) -> None:
    """Municipality x month, a click opens the municipality's profile."""
    month_label = _labels(view)[2]
    fig = data.figure(_heatmap_figure, view)
    event = st.plotly_chart(
        fig, key="groups_heatmap",
        alt=t("alt_heatmap", area=view.area_label, month=month_label), on_select="rerun", selection_mode="points",
    )  # fmt: skip
    st.caption(t("heatmap_click"))
    drill_on_click(sel, event)
    view_table_behind(
        _month_cells, view,
        spec=[("name", t("col_municipality"), "text"), ("persons", t("kf_persons"), "int"),
              ("share", t("kf_share"), "pct")],
        download=("groups_heatmap", "", fig),
    )  # fmt: skip


def _spread_figure(view: GroupsView) -> go.Figure:
    group_short = _labels(view)[1]
    return charts.spread(
        view.spread, view.area_trend, view.area_label, charts.spread_title(view.spread),
        t("spread_subtitle", area=view.area_label, group=group_short), group=view.selection.group,
    )  # fmt: skip


def _spread_table(view: GroupsView) -> pl.DataFrame:
    return view.spread_table


def spread(view: GroupsView) -> None:
    """The spread of the municipal shares over time, with the area's own share."""
    if not view.spread.height:
        return
    fig = data.figure(_spread_figure, view)
    st.plotly_chart(fig, key="groups_spread", alt=t("alt_spread"))
    view_table_behind(
        _spread_table, view,
        spec=[
            ("month", t("col_month"), "month"), ("low", t("col_p10"), "pct"), ("median", t("col_median"), "pct"),
            ("high", t("col_p90"), "pct"), ("share_joblogged", t("spread_area", area=view.area_label), "pct"),
            ("municipalities", t("col_count"), "int"),
        ],
        download=("groups_spread", "", fig),
    )  # fmt: skip


def _movers_figure(view: GroupsView) -> go.Figure:
    start_label, month_label = fmt.month_short(view.start), _labels(view)[2]
    return charts.movers(
        view.improvers, view.decliners, start_label, month_label,
        charts.movers_title(view.improvers, view.decliners), t("movers_subtitle", min=MOVER_MIN_PERSONS),
    )  # fmt: skip


def _short_spec(view: GroupsView) -> list[tuple[str, str, str]]:
    start_label, month_label = fmt.month_short(view.start), _labels(view)[2]
    return [
        ("name", t("col_municipality"), "text"),
        ("share_start", t("col_share_start", month=start_label), "pct"),
        ("share_end", t("col_share_end", month=month_label), "pct"),
        ("change", t("col_change"), "pp"),
    ]


def _improvers_table(view: GroupsView) -> pa.Table:
    return arrow_table(fmt.display_table(view.improvers, _short_spec(view)))


def _decliners_table(view: GroupsView) -> pa.Table:
    return arrow_table(fmt.display_table(view.decliners, _short_spec(view)))


def _movers_table(view: GroupsView) -> pl.DataFrame:
    return view.movers


def movers(view: GroupsView, sel: Selection) -> None:
    """The largest improvements and declines from the start month to the month."""
    start_label, month_label = fmt.month_short(view.start), _labels(view)[2]
    st.subheader(t("movers_heading", start=start_label, end=month_label))
    if view.improvers.height + view.decliners.height == 0:
        st.info(t("movers_none", min=MOVER_MIN_PERSONS))
        return
    fig = data.figure(_movers_figure, view)
    event = st.plotly_chart(
        fig, key="groups_movers", alt=t("alt_movers"), on_select="rerun",
        selection_mode="points",
    )  # fmt: skip
    drill_on_click(sel, event)
    spec = _short_spec(view)
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
        st.dataframe(
            data.figure(_improvers_table, view), hide_index=True, width="stretch", key="groups_improvers"
        )
    with right:
        st.markdown(f"**{t('movers_decliners')}**")
        st.dataframe(
            data.figure(_decliners_table, view), hide_index=True, width="stretch", key="groups_decliners"
        )
    view_table_behind(_movers_table, view, spec=full_spec, download=("groups_movers", "", fig))


def breakdowns(view: GroupsView) -> None:
    """The area's month by gender and by age group (views.parts.area_breakdowns, published)."""
    group_short, month = _labels(view)[1], view.selection.month
    breakdown_charts(
        t("groups_breakdown_heading", group=group_short, area=view.area_label, month=fmt.month_long(month)),
        view, f"{group_short}, {view.area_label}", "groups",
    )  # fmt: skip
