"""The Opfølgning page's sections: each draws a part of the follow-up view (views.followup.FollowupView).

Nothing here computes a figure: the list, the reasons, the p-chart and the letter's effect come from the
view's published frames; figures and tables are cached by ui.cache.figure (draw function, view, version).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from joblog_dash.analysis import followup
from joblog_dash.charts import funnel as funnel_chart
from joblog_dash.charts import signals as signal_charts
from joblog_dash.charts import style
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui import downloads, state
from joblog_dash.ui import fair as fair_ui
from joblog_dash.ui.layout import drill_on_click, profile_link_params
from joblog_dash.ui.sections import view_table_behind
from joblog_dash.views.followup import FollowupView, LetterView
from joblog_dash.views.selection import Selection

LIST_KEY = "followup_list"
CODES_KEY = "_followup_codes"
MUNI_KEY = "followup_municipality"
WHY_LIMIT = 15


def _area_label(view: FollowupView) -> str:
    return view.selection.area_label if not view.selection.is_national else t("national")


def _list_table(view: FollowupView) -> pl.DataFrame:
    return followup.list_table(view.listed)


def _why(view: FollowupView) -> str:
    return followup.why_markdown(view.listed, limit=WHY_LIMIT)


def _select_from_list() -> None:
    # Runs only when the row selection changes, so the municipality picker below stays usable.
    rows = st.session_state[LIST_KEY].selection.rows
    codes = st.session_state.get(CODES_KEY, [])
    if rows and rows[0] < len(codes):
        st.query_params[state.PARAMS["municipality"]] = str(codes[rows[0]])


def listing(view: FollowupView) -> None:
    """The municipalities to follow up this month, with the reasons in full below the table."""
    sel, listed = view.selection, view.listed
    st.subheader(t("followup_heading", month=fmt.month_short(sel.month), area=_area_label(view)))
    if listed.is_empty():
        measure = funnel_chart.measure_label(sel.measure).lower()
        st.success(t("followup_none", n=view.checked, measure=measure))
    else:
        group = reference.group_label(sel.group).lower()
        st.markdown(t("followup_summary", n=listed.height, checked=view.checked, group=group))
        st.session_state[CODES_KEY] = listed["code"].to_list()
        shown = data.figure(_list_table, view)
        # The reasons are too long for a cell: the table leaves them out and the list below gives them in full.
        st.dataframe(
            shown, hide_index=True, key=LIST_KEY, on_select=_select_from_list, selection_mode="single-row",
            column_order=[c for c in shown.columns if c != t("col_why")],
        )  # fmt: skip
        st.caption(f"{t('followup_list_caption')} {t('followup_why_below')}")
        title = t("followup_heading", month=fmt.month_short(sel.month), area=_area_label(view))
        meta = downloads.shown_meta(sel, title, "opfoelgning")
        downloads.table_downloads(
            pl.from_arrow(shown) if not isinstance(shown, pl.DataFrame) else shown, meta, "followup_list"
        )
        # The reasons in full, readable without scrolling a cell: what the office takes to its planning.
        st.markdown(data.figure(_why, view))
    if view.skipped:
        st.caption(t("followup_skipped", names=", ".join(view.skipped)))


def _pchart(view: FollowupView, source: str) -> go.Figure:
    sel, table = view.selection, _signals(view)
    first, last = fmt.month_short(table["month"].min()), fmt.month_short(table["month"].max())
    subtitle = t("pchart_subtitle", group=reference.group_label(sel.group), first=first, last=last)
    return fair_ui.p_chart(table, reference.municipality_name(view.shown), sel.measure, subtitle, source)


def _signals(view: FollowupView) -> pl.DataFrame:
    assert view.signals is not None  # views.followup.build sets them
    return view.signals


def _pchart_table(view: FollowupView) -> pl.DataFrame:
    return signal_charts.p_chart_table(_signals(view))


def pchart(view: FollowupView, sel: Selection, source: str) -> None:
    """The shown municipality's p-chart (THE signal rule), with a picker and a link to its profile."""
    names = {code: reference.municipality_name(code) for code in view.codes}
    selected = view.shown
    st.subheader(t("pchart_heading"))
    st.session_state[MUNI_KEY] = selected
    picker, link = st.columns([3, 2], vertical_alignment="bottom")
    with picker:
        st.selectbox(
            t("filter_municipality"), view.codes, format_func=names.get, key=MUNI_KEY,
            on_change=lambda: st.query_params.update({state.PARAMS["municipality"]: str(st.session_state[MUNI_KEY])}),
        )  # fmt: skip
    with link:
        st.page_link(
            "pages/2_kommuneprofil.py", label=t("open_profile", name=names[selected]), icon="🔎",
            query_params=profile_link_params(sel, selected),
        )  # fmt: skip
    table = _signals(view)
    month_label = fmt.month_short(view.selection.month)
    if table.is_empty() or table["share"].drop_nulls().is_empty():
        st.info(t("pchart_no_data", name=names[selected], month=month_label))
        return
    first, last = fmt.month_short(table["month"].min()), fmt.month_short(table["month"].max())
    fig = data.figure(_pchart, view, source)
    st.plotly_chart(
        fig, key="followup_pchart",
        alt=t("pchart_alt", name=names[selected], first=first, last=last), config={"displaylogo": False},
    )  # fmt: skip
    view_table_behind(_pchart_table, view, download=("followup_pchart", "", fig))


def _letter_figure(letter: LetterView, source: str) -> go.Figure:
    """Keyed by group, measure and area only (views.followup.LetterView): not redrawn per month."""
    sel = letter.selection
    measure = funnel_chart.measure_label(sel.measure).lower()
    subtitle = t("letter_fair_subtitle", measure=measure, group=reference.group_label(sel.group))
    fig = signal_charts.letter_figure(letter.letter, sel.measure, subtitle)
    return style.add_source_note(fig, source)


def _letter_table(view: FollowupView) -> pl.DataFrame:
    return signal_charts.letter_table(view.letter)


def letter(view: FollowupView, sel: Selection, source: str) -> None:
    """The letter's effect for the area's municipalities (THE letter effect)."""
    area_label = _area_label(view)
    st.subheader(t("letter_fair_heading", area=area_label))
    letter_view = view.letter_view
    if letter_view is None:
        st.info(t("letter_not_covered"))
        return
    fig = data.figure(_letter_figure, letter_view, source)
    event = st.plotly_chart(
        fig, key="followup_letter",
        alt=t("letter_fair_alt", area=area_label), on_select="rerun", selection_mode="points",
        config={"displaylogo": False},
    )  # fmt: skip
    drill_on_click(sel, event)
    st.caption(t("letter_fair_caption"))
    view_table_behind(_letter_table, view, download=("followup_letter", "", fig))
