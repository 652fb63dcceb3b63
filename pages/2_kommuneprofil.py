"""Kommuneprofil: one municipality against the nation, its region and its peers. Layout only: every
number comes from views.profile, which the brief, the deck and `joblog-dash export profile` render too.
One section at a time (lazy tabs): key figures and the trend first; the visit brief below them all."""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from joblog_dash.text.strings import source_line, t
from joblog_dash.ui import downloads
from joblog_dash.ui import fair as fair_ui
from joblog_dash.ui import profile as sections
from joblog_dash.ui.layout import lazy_sections, page_setup
from joblog_dash.views import profile

ctx = page_setup(t("nav_profile"), show_filters=("municipality", "month", "group"))
view = profile.build(ctx.db, ctx.selection)

key, rank, breakdowns, followup, chosen = lazy_sections("key", "rank", "breakdowns", "followup", "chosen")
if key.open:
    with key:
        sections.peers(view)
        sections.key_figures(view)
        sections.trend(view)
if rank.open:
    with rank:
        left, right = st.columns(2)
        with left:
            sections.rank(view)
        with right:
            sections.split(view)
if breakdowns.open:
    with breakdowns:
        sections.breakdowns(view)
if followup.open:
    with followup:
        sections.letter(view)
        fair_ui.render_profile_followup(view, ctx.selection, source_line(ctx.manifest))
if chosen.open:
    with chosen:
        compared = profile.compared(ctx.db, ctx.selection) if ctx.selection.compare else None
        sections.chosen(view, compared, ctx.selection)

st.subheader(t("brief_heading"))
downloads.view_downloads(ctx.db, "profile", ctx.selection, "profile_table")
downloads.brief_downloads(ctx.db, ctx.selection)
downloads.pack_downloads(ctx.db, replace(ctx.selection, area=view.region.key), "profile_pack")
