"""What every page shares: page config, the dataset, the data notice, navigation and the filter sidebar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st
from streamlit.elements.lib.mutable_tab_container import TabContainer

from joblog_dash import config
from joblog_dash.data import reference, store, warehouse
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import state, upload_gate
from joblog_dash.ui.downloads import copy_link
from joblog_dash.views import parts, warm
from joblog_dash.views.selection import Selection

# (script, label key, icon). Emoji icons: material icons would make the browser fetch a web font.
PAGES = (
    ("app.py", "nav_overview", "📊"),
    ("pages/1_kommuner.py", "nav_municipalities", "🏘️"),
    ("pages/2_kommuneprofil.py", "nav_profile", "🔎"),
    ("pages/3_ydelsesgrupper.py", "nav_groups", "👥"),
    ("pages/4_opfoelgning.py", "nav_followup", "🚩"),
    ("pages/5_om_tallene.py", "nav_about", "ℹ️"),
    ("pages/6_praesentation.py", "nav_presentation", "🎬"),
)
PROFILE_PAGE = "pages/2_kommuneprofil.py"
PRESENTATION_PAGE = "pages/6_praesentation.py"
PRESENTATION_PARAM = "praesentation"  # ?praesentation=1 on any page opens the deck with the same filters
SECTION_PARAM = (
    "afsnit"  # the open section of a page with lazy sections (?afsnit=Regioner); Streamlit owns it
)

# Accessibility fixes to Streamlit's own styles, on every page (WCAG 2.1 AA; checked by axe-core in
# tests/browser/test_accessibility.py). The app's theme is light only (.streamlit/config.toml, no theme menu).
# - Captions: Streamlit fades them with opacity 0.6 (#828180 on white, contrast 3.9:1; AA asks 4.5:1 for
#   normal text). #696866 is the theme's text colour #2f2d2b at 72 % on white: 5.6:1 on white, 5.2:1 on
#   the sidebar's #f8f8f7, still clearly lighter than body text (13.9:1). A colour, not a higher opacity:
#   opacity would also fade links and icons inside captions.
# - Chart text: Streamlit's plotly theme draws axis ticks and titles, colour-bar labels and bar texts in
#   #808495 (3.7:1 on the charts' white). axe-core cannot judge SVG text (it reports it "incomplete"), so
#   this was measured by hand; #5e6275 keeps the theme's cool grey at 6.0:1. Only that exact theme colour
#   is replaced; colours a chart sets itself are left alone.
# - Keyboard focus: page links, selectboxes/text inputs, toggles and the scrolling main area get no (or only
#   a faint border-tint) focus indicator from Streamlit; give them a 2px outline in the primary colour,
#   which Streamlit's own focus rings use too.
FOCUS_COLOUR = "#c53948"
A11Y_CSS = f"""<style>
[data-testid="stCaptionContainer"] {{ opacity: 1; color: #696866; }}
.js-plotly-plot svg text[style*="fill: rgb(128, 132, 149)"] {{ fill: #5e6275 !important; }}
[data-testid="stPageLink-NavLink"]:focus-visible,
[data-baseweb="select"]:has(input:focus-visible),
[data-baseweb="input"]:has(input:focus-visible),
[data-baseweb="checkbox"]:has(input:focus-visible) {{
  outline: 2px solid {FOCUS_COLOUR}; outline-offset: 2px;
}}
[data-testid="stMain"]:focus-visible {{ outline: 2px solid {FOCUS_COLOUR}; outline-offset: -2px; }}
</style>"""


@dataclass(frozen=True)
class PageContext:
    db: warehouse.JoblogDB
    manifest: store.Manifest
    choices: state.Choices
    selection: Selection


_ANY = Selection(date(1900, 1, 1), "")  # the choices do not depend on a selection


def _choices(db: warehouse.JoblogDB) -> state.Choices:
    return state.Choices(
        months=parts.months(db, _ANY),
        groups=parts.benefit_groups(db, _ANY),
        areas=[a.key for a in reference.areas()],
        municipalities=reference.municipalities()["code"].to_list(),
    )


def render_data_notice(manifest: store.Manifest, latest: date | None = None) -> None:
    """The provenance line; a prominent warning while the figures are demo data. With `latest`, it also says
    which month is the newest and that its figures are provisional."""
    note = f"  \n{t('latest_month_notice', month=fmt.month_long(latest))}" if latest else ""
    if manifest.is_demo:
        st.warning(t("demo_notice") + note, icon="⚠️")
    else:
        st.info(
            t(
                "real_notice",
                source=manifest.source,
                imported=manifest.created_at[:10],
                first=fmt.month_short(fmt.parse_month_key(manifest.first_month[:7])),  # type: ignore[arg-type]
                last=fmt.month_short(fmt.parse_month_key(manifest.last_month[:7])),  # type: ignore[arg-type]
            )
            + note,
            icon="📄",
        )


def month_option(month: date, latest: date | None) -> str:
    """A month as the month filter shows it: the latest month is marked provisional."""
    text = fmt.month_short(month)
    return t("month_provisional", month=text) if month == latest else text


def _navigation(selection: Selection) -> None:
    root = config.PACKAGE_ROOT
    params = state.to_params(selection)
    for script, label_key, icon in PAGES:
        if (root / script).is_file():
            st.page_link(script, label=t(label_key), icon=icon, query_params=params)


def _filter_widgets(ctx_choices: state.Choices, filters: Selection, show: tuple[str, ...]) -> None:
    area_labels = {a.key: a.label for a in reference.areas()}
    if "month" in show:
        latest = ctx_choices.months[-1] if ctx_choices.months else None
        st.selectbox(
            t("filter_month"),
            options=ctx_choices.months[::-1],
            format_func=lambda month: month_option(month, latest),
            **state.prepare_widget("month", filters),
        )
    if "start" in show:
        st.selectbox(
            t("filter_from"),
            options=[m for m in ctx_choices.months if m < filters.month][::-1] or [filters.start],
            format_func=fmt.month_short,
            **state.prepare_widget("start", filters),
        )
    if "group" in show:
        st.selectbox(
            t("filter_group"),
            options=state.groups_in_month(ctx_choices, filters.month),
            format_func=reference.group_label,
            **state.prepare_widget("group", filters),
        )
    if "area" in show:
        st.selectbox(
            t("filter_area"),
            options=ctx_choices.areas,
            format_func=lambda key: area_labels[key],
            **state.prepare_widget("area", filters),
        )
    if "municipality" in show:
        names = dict(reference.municipalities().select("code", "name").iter_rows())
        st.selectbox(
            t("filter_municipality"),
            options=sorted(ctx_choices.municipalities, key=lambda c: names[c]),
            format_func=lambda code: names[code],
            **state.prepare_widget("municipality", filters),
        )


def filter_widgets(ctx: PageContext, show: tuple[str, ...]) -> None:
    """The filter selectboxes named in `show`, where the caller is (a page whose sidebar is hidden)."""
    _filter_widgets(ctx.choices, ctx.selection, show)


def page_setup(title: str, show_filters: tuple[str, ...] = ("month", "group", "area")) -> PageContext:
    """Configure the page, open the dataset, resolve the filters and draw the sidebar.

    Stops the page with a clear message (never a traceback) when there is no readable dataset.
    """
    st.set_page_config(page_title=f"{title} · {t('app_title')}", page_icon="📊", layout="wide")
    if title != t("nav_about"):  # only Om tallene has the administrator's upload, which decides itself
        upload_gate.close()
    st.html(A11Y_CSS)  # style only: Streamlit puts it in the event container, it takes no space
    try:
        db = warehouse.open_db()
    except store.DatasetMissingError as exc:
        st.title(title)
        st.error(f"{t('dataset_missing')} {exc}")
        st.stop()
    choices = _choices(db)
    warm.warm_in_background(db, state.default_selection(choices))  # once per dataset version
    filters, notices = state.current(choices)
    if st.query_params.get(PRESENTATION_PARAM) == "1" and title != t("nav_presentation"):
        st.switch_page(PRESENTATION_PAGE, query_params={**state.to_params(filters), PRESENTATION_PARAM: "1"})
    with st.sidebar:
        st.markdown(f"### {t('app_title')}")
        _navigation(filters)
        st.divider()
        st.markdown(f"**{t('filters')}**")
        _filter_widgets(choices, filters, show_filters)
        copy_link()
    st.title(title)
    render_data_notice(db.manifest, choices.months[-1] if choices.months else None)
    if db.problem:  # the current version is damaged; an older readable one is shown
        st.warning(t("fallback_notice", version=db.manifest.version, problem=db.problem), icon="🛠️")
    for notice in notices:
        st.info(notice, icon="ℹ️")
    return PageContext(db=db, manifest=db.manifest, choices=choices, selection=filters)


def lazy_sections(*keys: str) -> list[TabContainer]:
    """The page's sections as tabs of which only the open one runs and is sent to the browser (`if
    tab.open:`): a heavy page then draws one section's charts per rerun, not all of them.

    `keys` name the sections (`section_<key>` is the label, `section_<key>_about` what it holds); the first
    is open by default. The open tab is bound to the URL as ?afsnit=<label> (left out for the first), so a
    shared link opens the same section; an unknown label falls back to the first. The open tab starts with
    one line saying what the others hold, so a user who sees one section knows the rest are there."""
    tabs = st.tabs(
        [t(f"section_{key}") for key in keys], key=SECTION_PARAM, bind="query-params", on_change="rerun"
    )
    for tab, key in zip(tabs, keys, strict=True):
        if tab.open:
            others = "; ".join(
                f"**{t(f'section_{k}')}**: {t(f'section_{k}_about')}" for k in keys if k != key
            )
            tab.caption(t("sections_others", others=others))
    return list(tabs)


def profile_link_params(selection: Selection, municipality: int) -> dict[str, str]:
    return {**state.to_params(selection), state.PARAMS["municipality"]: str(municipality)}


def open_profile(filters: Selection, municipality: int) -> None:
    """Click-to-drill: go to the municipality's profile, keeping the other filters."""
    if not (config.PACKAGE_ROOT / PROFILE_PAGE).is_file():
        st.info(t("profile_missing"), icon="ℹ️")
        return
    st.switch_page(PROFILE_PAGE, query_params=profile_link_params(filters, municipality))


def profile_picker(filters: Selection, codes: list[int], key: str) -> None:
    """'Åbn kommuneprofil': a selectbox of the table's municipalities (in table order) that opens the chosen
    one's profile. The keyboard path of a table's row drill: a data grid row can only be selected with the
    mouse or Shift+Space, which a keyboard user cannot be expected to know."""
    pending = f"_{key}_open"

    def remember() -> None:
        # Reset the widget, or coming back to the page would open the profile again at once.
        st.session_state[pending] = st.session_state[key]
        st.session_state[key] = None

    st.selectbox(
        t("open_profile_label"),
        options=codes,
        index=None,
        format_func=reference.municipality_name,
        placeholder=t("open_profile_placeholder"),
        help=t("open_profile_help"),
        key=key,
        on_change=remember,
    )
    code = st.session_state.pop(pending, None)
    if code is not None:
        open_profile(filters, code)


def drill_on_click(filters: Selection, event: object) -> None:
    """After st.plotly_chart(..., on_select="rerun"): open the clicked municipality's profile, if any."""
    code = clicked_municipality(event)
    if code is not None:
        open_profile(filters, code)


def clicked_municipality(selection: object) -> int | None:
    """The municipality code carried in `customdata` of a clicked plotly point (first element)."""
    try:
        points = selection["selection"]["points"]  # type: ignore[index]
    except (KeyError, TypeError):
        return None
    for point in points or []:
        custom = point.get("customdata")
        value = custom[0] if isinstance(custom, list | tuple) and custom else custom
        try:
            code = int(value)
        except (TypeError, ValueError):
            continue
        if code in reference.municipalities()["code"].to_list():
            return code
    return None
