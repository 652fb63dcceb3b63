"""Streamlit side of presentation mode: hide the chrome, large type, the cached deck, arrow keys."""

from __future__ import annotations

from functools import partial

import streamlit as st

from joblog_dash.data import store, warehouse
from joblog_dash.exporting import deck as presentation
from joblog_dash.exporting import deck_files
from joblog_dash.exporting import files as exports
from joblog_dash.exporting import tables as export_tables
from joblog_dash.text.safety import escape_markdown
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.views.selection import Selection

SLIDE_PARAM = "dias"

# Hides the sidebar, its toggle, the toolbar and the header; large type. Plain CSS, no external resources.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="collapsedControl"],
[data-testid="stSidebarNav"], [data-testid="stHeader"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stMainMenu"] { display: none !important; }
[data-testid="stMainBlockContainer"], .block-container { padding-top: 0.8rem !important; max-width: 1400px; }
[data-testid="stApp"] h1 { display: none; }
/* A slide must fit a 1366x768 laptop whole: the demo notice on one short line, tight gaps. */
[data-testid="stMain"] [data-testid="stAlert"] > div { padding: 0.3rem 0.8rem; font-size: 0.85rem; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.5rem; }
.slide-title { font-size: 2rem; line-height: 1.15; font-weight: 700; margin: 0; padding-bottom: 0.4rem; }
.slide-message { font-size: 1.25rem; line-height: 1.4; color: #333; margin: 0; padding-bottom: 0.5rem; }
.slide-counter { font-size: 1.1rem; color: #555; text-align: center; padding-top: 0.5rem; }
[data-testid="stMain"] button p { font-size: 1.2rem; }
/* Clicking a slide focuses the main area; the keyboard focus ring (layout.A11Y_CSS, and Streamlit's own
   inset shadow under it) drew a frame round the whole slide. The deck is stepped with buttons and arrow
   keys, which keep their own focus rings. */
[data-testid="stMain"]:focus, [data-testid="stMain"]:focus-visible { outline: none !important; }
[data-testid="stMain"]::before { box-shadow: none !important; }  /* Streamlit's own grey inset ring */
</style>
"""

# Arrow keys press the Forrige/Næste buttons of the parent page. Runs in the component's same-origin
# iframe; the listener is registered once per page (a flag on the parent window).
ARROW_KEYS_HTML = """
<script>
const doc = window.parent.document;
if (!window.parent.__joblogDeckKeys) {
  window.parent.__joblogDeckKeys = true;
  doc.addEventListener("keydown", (event) => {
    const tag = (event.target && event.target.tagName) || "";
    if (tag === "INPUT" || tag === "TEXTAREA" || event.altKey || event.ctrlKey || event.metaKey) return;
    const wanted = event.key === "ArrowRight" || event.key === "PageDown" ? "next"
                 : event.key === "ArrowLeft" || event.key === "PageUp" ? "previous" : null;
    if (!wanted) return;
    const button = doc.querySelector(`.st-key-deck_${wanted} button`);
    if (button && !button.disabled) { event.preventDefault(); button.click(); }
  });
}
</script>
"""


def hide_chrome() -> None:
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)


def arrow_keys() -> None:
    st.iframe(ARROW_KEYS_HTML, height=1)


DECK_FIELDS = ("month", "start", "group", "area", "municipality", "compare")  # what exporting.deck reads


def _frozen(slides: list[presentation.Slide]) -> tuple[presentation.Slide, ...]:
    for slide in slides:
        data.freeze(slide.figure)
    return tuple(slides)


def _deck(db: warehouse.JoblogDB, sel: Selection) -> tuple[presentation.Slide, ...]:
    return _frozen(presentation.build_deck(db, sel))


def _deck_follow_up(db: warehouse.JoblogDB, sel: Selection) -> tuple[presentation.Slide, ...]:
    """The deck whose last slide is the area's municipality most in need of follow-up."""
    return _frozen(presentation.build_deck(db, sel, follow_up=True))


def deck(selection: Selection, follow_up: bool = False) -> tuple[presentation.Slide, ...]:
    """The deck for the selection, one shared object per dataset version and selection (ui.cache.built:
    its slides are only read, where a copying cache would unpickle every slide's figure on each rerun)."""
    return data.built(_deck_follow_up if follow_up else _deck, selection.only(*DECK_FIELDS))


LAST_PARAM = "sidste"  # the last slide: the chosen municipality, or the area's most in need of follow-up
LAST_CHOICES = ("kommune", "opfoelgning")


def arrived_with_municipality() -> bool:
    """Whether the link named a municipality (read before page_setup writes every filter to the URL)."""
    return "kommune" in st.query_params


def last_slide(arrived_with_municipality: bool) -> bool:
    """True when the last slide is the follow-up choice: ?sidste=, else follow-up if no municipality was
    named. The choice is kept in the URL; the radio in the settings changes it."""
    raw = st.query_params.get(LAST_PARAM)
    current = raw if raw in LAST_CHOICES else LAST_CHOICES[0 if arrived_with_municipality else 1]
    chosen = st.radio(
        t("deck_last"), LAST_CHOICES, index=LAST_CHOICES.index(current), key="deck_last",
        format_func=lambda value: t(f"deck_last_{value}"),
    )  # fmt: skip
    st.query_params[LAST_PARAM] = chosen
    return chosen == "opfoelgning"


def parse_slide(raw: str | None, total: int) -> tuple[int, bool]:
    """(0-based slide, whether ?dias= named it exactly) from the 1-based URL value: a number past the end is
    the last slide, anything else invalid the first."""
    if raw is None:
        return 0, True
    text = raw.strip()
    if not (text.isascii() and text.isdecimal()):  # isdigit() takes "²", int() does not
        return 0, False
    if len(text) > 3:  # past any deck, and int() refuses over 4,300 digits
        return total - 1, False
    number = int(text)
    return min(max(number, 1), total) - 1, 1 <= number <= total


def slide_index(total: int) -> int:
    """0-based slide number from ?dias=; an invalid value shows the nearest slide with a notice and is
    replaced in the URL."""
    raw = st.query_params.get(SLIDE_PARAM)
    index, exact = parse_slide(raw, total)
    if not exact:
        shown = t("presentation_slide", index=index + 1)
        notice = t("notice_bad_param", name=SLIDE_PARAM, value=escape_markdown(str(raw)[:40]), fallback=shown)
        st.info(notice, icon="ℹ️")
        go_to(index)
    return index


def go_to(index: int) -> None:
    st.query_params[SLIDE_PARAM] = str(index + 1)


def counter(index: int, total: int) -> str:
    return t("presentation_counter", index=index + 1, total=total)


def downloads(selection: Selection, manifest: store.Manifest, follow_up: bool = False) -> None:
    """'Hent præsentationen': the deck on screen as PowerPoint and as PDF, built when a button is clicked;
    `manifest` is the open dataset's (the page's context), for the source line and the demo label."""
    slides = deck(selection, follow_up)
    source, is_demo = export_tables.source_text(manifest), manifest.is_demo
    name = deck_files.filename(selection.month, is_demo)
    st.markdown(f"**{t('deck_download_heading')}**")
    left, right = st.columns(2)
    left.download_button(
        t("deck_download_pptx"), data=partial(deck_files.to_pptx, slides, source, is_demo),
        file_name=f"{name}.pptx", mime=deck_files.PPTX_MIME, key="deck_pptx", help=t("deck_download_help"),
        on_click="ignore",
    )  # fmt: skip
    if exports.chromium_path() is None:
        right.caption(t("deck_pdf_unavailable"))
        return
    right.download_button(
        t("deck_download_pdf"), data=partial(deck_files.to_pdf, slides, source, is_demo),
        file_name=f"{name}.pdf", mime="application/pdf", key="deck_pdf", on_click="ignore",
    )  # fmt: skip
