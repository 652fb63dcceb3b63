"""The Overblik page's sections: each draws a part of the overview view (views.overview.OverviewView).

Nothing here computes a figure: the headline, the KPIs and the trend come from the view's published numbers.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from joblog_dash.charts import trend as charts
from joblog_dash.data import reference, warehouse
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui import downloads
from joblog_dash.ui.sections import view_table_behind
from joblog_dash.views.overview import OverviewView, TrendView


def headline(view: OverviewView) -> None:
    st.markdown(f"#### {view.headline}")


def kpis(view: OverviewView) -> None:
    """One metric per benefit group, with the change since a month and a year before."""
    month = view.selection.month
    st.caption(t("kpi_heading", month=fmt.month_long(month), area=view.area_label))
    year_ago = fmt.month_short(fmt.add_months(month, -12))
    for column, kpi in zip(st.columns(len(view.kpis)), view.kpis, strict=True):
        with column:
            st.metric(
                reference.group_label(kpi.group, short=True),
                fmt.pct(kpi.share)
                if kpi.share is not None
                else t("suppressed" if kpi.suppressed else "kpi_no_data"),
                fmt.pp_metric(kpi.change_month),
                help=f"{reference.group_label(kpi.group)}. {t('kpi_help')}",
                delta_description=t("kpi_month_delta_label"),
                border=True,
            )
            if not kpi.suppressed:
                st.caption(
                    t("kpi_year", month=year_ago, pp=fmt.pp(kpi.change_year))
                    + "  \n"
                    + t("kpi_none", n=fmt.number(kpi.persons_none), total=fmt.number(kpi.persons))
                )


def _trend_figure(view: TrendView, source: str) -> go.Figure:
    return charts.trend_figure(
        view.national, list(view.groups), reference.events(), area=view.area,
        area_label=None if view.area is None else view.area_label, source_note=source,
    )  # fmt: skip


def _trend_table(view: TrendView) -> pl.DataFrame:
    return charts.trend_table(view.national, view.area, view.area_label)


def trend(view: OverviewView, db: warehouse.JoblogDB, source: str) -> None:
    """The country's trend with events (dashed lines for the chosen area), its table and downloads."""
    trends = view.trend
    area_label = None if trends.area is None else trends.area_label
    shown_events = charts.visible_events(reference.events(), trends.first, trends.last)
    fig = data.figure(_trend_figure, trends, source)
    st.plotly_chart(
        fig,
        key="overview_trend",
        alt=charts.trend_alt(list(trends.groups), trends.first, trends.last, shown_events, area_label),
        config={"displaylogo": False},
    )
    with view_table_behind(_trend_table, trends):
        downloads.view_downloads(db, "trend", view.selection, "overview_trend", fig)
