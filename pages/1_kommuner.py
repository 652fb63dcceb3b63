"""Kommuner: the municipal spread for a month, benefit group and area. Layout only: every number comes
from views.spread; the sections that draw it live in ui/spread.py. One section at a time (lazy tabs): the
ranking first, the funnel and map, and the regions."""

from joblog_dash.text.strings import source_line, t
from joblog_dash.ui import spread as sections
from joblog_dash.ui.layout import lazy_sections, page_setup
from joblog_dash.views import spread

ctx = page_setup(t("nav_municipalities"), show_filters=("month", "group", "area"))
view = spread.build(ctx.db, ctx.selection)
source = source_line(ctx.manifest)

# Actual or adjusted shares: the ranking, the funnel and the regions all follow it, so it stands above them.
sections.basis(ctx.selection)
ranking, fair, regions = lazy_sections("ranking", "fair", "regions")
if ranking.open:
    with ranking:
        sections.ranked(view, ctx.selection, ctx.db, source)
        sections.table(view, ctx.selection)
if fair.open:
    with fair:
        sections.fair(view, ctx.selection, source)
if regions.open:
    with regions:
        sections.regions(view, ctx.selection, source)
