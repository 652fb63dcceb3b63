"""Præsentation: a short deck from the current filters, without sidebar or controls. Layout only."""

from html import escape

import streamlit as st

from joblog_dash.text.strings import t
from joblog_dash.ui import presenting, state
from joblog_dash.ui.layout import PAGES, page_setup

ctx = page_setup(t("nav_presentation"), show_filters=("month", "start", "group", "area", "municipality"))
presenting.hide_chrome()
f = ctx.selection
slides = presenting.deck(f)
index = presenting.slide_index(len(slides))
slide = slides[index]
# The controls above the slide: on a 1366×768 laptop or a 1400×900 window the slide runs past the fold,
# and a presenter must not have to scroll to reach "Næste".
left, middle, right, end = st.columns([1, 1, 1, 1])
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
presenting.downloads(f, ctx.manifest)
presenting.arrow_keys()
