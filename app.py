"""Overblik: the entry page. Layout only; all logic lives in joblog_dash."""

import streamlit as st

from joblog_dash.charts import trend
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import source_line, t
from joblog_dash.ui import cache as data
from joblog_dash.ui import downloads
from joblog_dash.ui.layout import page_setup
from joblog_dash.ui.sections import table_behind
from joblog_dash.views import spread as tables

ctx = page_setup(t("nav_overview"), show_filters=("month", "group", "area"))
filters = ctx.selection
month = filters.month
area = reference.area_by_key(filters.area)
area_label = area.label if area else t("national")
is_national = filters.area == reference.NATIONAL
groups = ctx.choices.groups

national = data.query("trend")
area_trend = national if is_national else data.query("trend", area=filters.area)
kpis = tables.kpis(area_trend, month, groups)
selected = next((k for k in kpis if k.group == filters.group), kpis[0])
st.markdown(f"#### {tables.headline(selected, month, area_label)}")

# --- KPIs: one per benefit group ------------------------------------------------------------------------
st.caption(t("kpi_heading", month=fmt.month_long(month), area=area_label))
year_ago = fmt.month_short(fmt.add_months(month, -12))
for column, kpi in zip(st.columns(len(kpis)), kpis, strict=True):
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
if month == ctx.choices.months[-1]:
    st.caption(f"ℹ️ {t('provisional_note', month=fmt.month_long(month))}")

# --- National trend with events (dashed lines for the selected area) ------------------------------------
months = national["month"]
shown_events = trend.visible_events(reference.events(), months.min(), months.max())
source = source_line(ctx.manifest)
fig = data.figure(
    ("overview_trend", filters.area, tuple(groups), source),
    lambda: trend.trend_figure(
        national,
        groups,
        reference.events(),
        area=None if is_national else area_trend,
        area_label=None if is_national else area_label,
        source_note=source,
    ),
)
st.plotly_chart(
    fig,
    key="overview_trend",
    alt=trend.trend_alt(
        groups, months.min(), months.max(), shown_events, None if is_national else area_label
    ),
    config={"displaylogo": False},
)
with table_behind(
    data.figure(
        ("overview_trend_table", filters.area),
        lambda: trend.trend_table(national, None if is_national else area_trend, area_label),
    )
):
    downloads.view_downloads(ctx.db, "trend", filters, "overview_trend", fig)
