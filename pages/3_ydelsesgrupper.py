"""Ydelsesgrupper: one benefit group across the municipalities of an area. Layout only: every number comes
from views.groups; the sections that draw it live in ui/groups.py."""

from __future__ import annotations

from joblog_dash.text.strings import t
from joblog_dash.ui import groups as sections
from joblog_dash.ui.layout import page_setup
from joblog_dash.views import groups

ctx = page_setup(t("nav_groups"), show_filters=("month", "start", "group", "area"))
view = groups.build(ctx.db, ctx.selection)

sections.heatmap(view, ctx.selection)
sections.spread(view)
sections.movers(view, ctx.selection)
sections.breakdowns(view)
