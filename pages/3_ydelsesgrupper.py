"""Ydelsesgrupper: one benefit group across the municipalities of an area. Layout only: every number comes
from views.groups; the sections that draw it live in ui/groups.py. One section at a time (lazy tabs): the
municipalities compared month by month first."""

from __future__ import annotations

from joblog_dash.text.strings import t
from joblog_dash.ui import groups as sections
from joblog_dash.ui.layout import lazy_sections, page_setup
from joblog_dash.views import groups

ctx = page_setup(t("nav_groups"), show_filters=("month", "start", "group", "area"))
view = groups.build(ctx.db, ctx.selection)

compare, spread, movers, breakdowns = lazy_sections("compare", "spread", "movers", "breakdowns")
if compare.open:
    with compare:
        sections.heatmap(view, ctx.selection)
if spread.open:
    with spread:
        sections.spread(view)
if movers.open:
    with movers:
        sections.movers(view, ctx.selection)
if breakdowns.open:
    with breakdowns:
        sections.breakdowns(view)
