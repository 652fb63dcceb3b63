"""Præsentation: a short deck from the current filters, without sidebar or controls. Layout only."""

from html import escape

import streamlit as st

from joblog_dash.text.strings import t
from joblog_dash.ui import presenting, state
from joblog_dash.ui.layout import PAGES, filter_widgets, page_setup

arrived_with_municipality = presenting.arrived_with_municipality()
# The sidebar is hidden here: the filters, the period and the last slide's municipality are chosen in the
# settings beside the controls, before presenting.
ctx = page_setup(t("nav_presentation"), show_filters=())
presenting.hide_chrome()
f = ctx.selection
# The controls above the slide: a presenter must not have to scroll to reach "Næste".
left, middle, right, settings, end = st.columns([1, 0.8, 1, 1.4, 1])
with settings.popover(t("deck_settings"), width="stretch"):
    filter_widgets(ctx, ("month", "start", "group", "area", "municipality"))
    follow_up = presenting.last_slide(arrived_with_municipality)
slides = presenting.deck(f, follow_up)
index = presenting.slide_index(len(slides))
slide = slides[index]
left.button(
    t("presentation_previous"), key="deck_previous", disabled=index == 0,
    on_click=presenting.go_to, args=(index - 1,), width="stretch",
)  # fmt: skip
middle.markdown(
    f"<div class='slide-counter'>{presenting.counter(index, len(slides))}</div>", unsafe_allow_html=True
)
right.button(
    t("presentation_next"), key="deck_next", disabled=index == len(slides) - 1,
    on_click=presenting.go_to, args=(index + 1,), width="stretch",
)  # fmt: skip
end.page_link(PAGES[0][0], label=t("presentation_exit"), icon="✖️", query_params=state.to_params(f))
st.markdown(f"<div class='slide-title'>{escape(slide.title)}</div>", unsafe_allow_html=True)
st.markdown(f"<div class='slide-message'>{escape(slide.message)}</div>", unsafe_allow_html=True)
st.plotly_chart(slide.figure, key=f"deck_{slide.key}", config={"displayModeBar": False}, width="stretch")
st.caption(slide.alt)
st.caption(t("presentation_keys"))
presenting.downloads(f, ctx.manifest, follow_up)
presenting.arrow_keys()
