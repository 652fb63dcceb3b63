"""Opfølgning: which municipalities a regional office should follow up this month, and why. Layout only:
every number comes from views.followup; the sections that draw it live in ui/followup.py."""

import streamlit as st

from joblog_dash.text.strings import source_line, t
from joblog_dash.ui import downloads
from joblog_dash.ui import fair as fair_ui
from joblog_dash.ui import followup as sections
from joblog_dash.ui.layout import page_setup
from joblog_dash.views import followup

ctx = page_setup(t("nav_followup"), show_filters=("month", "group", "area"))
source = source_line(ctx.manifest)

st.caption(t("followup_intro"))
fair_ui.choices(ctx.selection, prefix="followup")
view = followup.build(ctx.db, ctx.selection)

sections.listing(view)
sections.pchart(view, ctx.selection, source)
sections.letter(view, ctx.selection, source)

st.subheader(t("brief_heading"))
downloads.pack_downloads(ctx.db, ctx.selection, "followup_pack")
