"""Overblik: the entry page. Layout only; all logic lives in joblog_dash."""

import streamlit as st

from joblog_dash import fmt, reference
from joblog_dash.strings import t
from joblog_dash.ui import data
from joblog_dash.ui.layout import page_setup

ctx = page_setup(t("nav_overview"))
trend = data.query("trend", area=ctx.filters.area)
month = ctx.filters.month
st.subheader(f"{fmt.month_long(month)}")
columns = st.columns(len(ctx.choices.groups))
for column, group in zip(columns, ctx.choices.groups, strict=True):
    rows = trend.filter(trend["benefit_group"] == group)
    now = rows.filter(rows["month"] == month)
    prev = rows.filter(rows["month"] == fmt.add_months(month, -1))
    share = now["share_joblogged"][0] if now.height else None
    delta = share - prev["share_joblogged"][0] if share is not None and prev.height else None
    column.metric(
        reference.group_label(group, short=True),
        fmt.pct(share),
        fmt.pp(delta) if delta is not None else None,
    )
