"""Kommuner: the municipal spread for a month, benefit group and area. Layout only: every number comes
from views.spread; the sections that draw it live in ui/spread.py."""

from joblog_dash.text.strings import source_line, t
from joblog_dash.ui import spread as sections
from joblog_dash.ui.layout import page_setup
from joblog_dash.views import spread

ctx = page_setup(t("nav_municipalities"), show_filters=("month", "group", "area"))
view = spread.build(ctx.db, ctx.selection)
source = source_line(ctx.manifest)

sections.ranked(view, ctx.selection, ctx.db, source)
sections.fair(ctx.selection, source)
sections.regions(view, ctx.selection, source)
sections.table(view, ctx.selection)
