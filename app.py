"""Overblik: the entry page. Layout only: every number comes from views.overview."""

from joblog_dash.text.strings import source_line, t
from joblog_dash.ui import overview as sections
from joblog_dash.ui.layout import page_setup
from joblog_dash.views import overview

ctx = page_setup(t("nav_overview"), show_filters=("month", "group", "area"))
view = overview.build(ctx.db, ctx.selection)

sections.headline(view)
sections.kpis(view)
sections.trend(view, ctx.db, source_line(ctx.manifest))
