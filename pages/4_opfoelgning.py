"""Opfølgning: which municipalities a regional office should follow up this month, and why. Layout only."""

import streamlit as st

from joblog_dash.analysis import followup
from joblog_dash.charts import funnel as funnel_chart
from joblog_dash.charts import signals as signal_charts
from joblog_dash.charts import style
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import source_line, t
from joblog_dash.ui import cache as data
from joblog_dash.ui import fair as fair_ui
from joblog_dash.ui import state
from joblog_dash.ui.layout import drill_on_click, page_setup, profile_link_params
from joblog_dash.ui.sections import table_behind
from joblog_dash.views import followup as followup_view

LIST_KEY = "followup_list"
CODES_KEY = "_followup_codes"
MUNI_KEY = "followup_municipality"
WHY_LIMIT = 15

ctx = page_setup(t("nav_followup"), show_filters=("month", "group", "area"))
filters = ctx.selection
area_label = filters.area_label if not filters.is_national else t("national")
group_label = reference.group_label(filters.group)
month_label = fmt.month_short(filters.month)
source = source_line(ctx.manifest)

st.caption(t("followup_intro"))
fair_ui.choices(filters, prefix="followup")
chosen = filters
VIEW = (filters, source)  # everything the cached pieces depend on
result = followup_view.build(ctx.db, filters)
listed = result.listed

# --- The list -----------------------------------------------------------------------------------------------
st.subheader(t("followup_heading", month=month_label, area=area_label))
if listed.is_empty():
    st.success(
        t("followup_none", n=result.checked, measure=funnel_chart.measure_label(chosen.measure).lower())
    )
else:
    st.markdown(t("followup_summary", n=listed.height, checked=result.checked, group=group_label.lower()))


def _select_from_list() -> None:
    # Runs only when the row selection changes, so the municipality picker below stays usable.
    rows = st.session_state[LIST_KEY].selection.rows
    codes = st.session_state.get(CODES_KEY, [])
    if rows and rows[0] < len(codes):
        st.query_params[state.PARAMS["municipality"]] = str(codes[rows[0]])


if not listed.is_empty():
    st.session_state[CODES_KEY] = listed["code"].to_list()
    # Display tables and figures are cached per version and view (data.figure), not rebuilt every rerun.
    shown = data.figure(("followup_list", *VIEW), lambda: followup.list_table(listed))
    # The reasons are too long for a cell: the table leaves them out and the list below gives them in full.
    st.dataframe(
        shown, hide_index=True, key=LIST_KEY, on_select=_select_from_list, selection_mode="single-row",
        column_order=[c for c in shown.columns if c != t("col_why")],
    )  # fmt: skip
    st.caption(f"{t('followup_list_caption')} {t('followup_why_below')}")
    # The reasons in full, readable without scrolling a cell: what the office takes to its planning.
    st.markdown(data.figure(("followup_why", *VIEW), lambda: followup.why_markdown(listed, limit=WHY_LIMIT)))
if result.skipped:
    st.caption(t("followup_skipped", names=", ".join(result.skipped)))

# --- One municipality's p-chart -------------------------------------------------------------------------------
codes_in_area = filters.area_codes or reference.municipalities()["code"].to_list()
names = dict(reference.municipalities().select("code", "name").iter_rows())
if filters.municipality in codes_in_area:
    selected = filters.municipality
elif not listed.is_empty():
    selected = int(listed["code"][0])
else:
    selected = sorted(codes_in_area, key=lambda c: names[c])[0]

st.subheader(t("pchart_heading"))
st.session_state[MUNI_KEY] = selected
picker, link = st.columns([3, 2], vertical_alignment="bottom")
with picker:
    selected = st.selectbox(
        t("filter_municipality"), sorted(codes_in_area, key=lambda c: names[c]), format_func=names.get,
        key=MUNI_KEY, on_change=lambda: st.query_params.update(
            {state.PARAMS["municipality"]: str(st.session_state[MUNI_KEY])}
        ),
    )  # fmt: skip
with link:
    st.page_link(
        "pages/2_kommuneprofil.py", label=t("open_profile", name=names[selected]), icon="🔎",
        query_params=profile_link_params(filters, selected),
    )  # fmt: skip
table = followup_view.municipality_signals(ctx.db, filters, selected)
if table.is_empty() or table["share"].drop_nulls().is_empty():
    st.info(t("pchart_no_data", name=names[selected], month=month_label))
else:
    first, last = fmt.month_short(table["month"].min()), fmt.month_short(table["month"].max())
    fig = data.figure(
        ("followup_pchart", selected, *VIEW),
        lambda: fair_ui.p_chart(
            table, names[selected], chosen.measure,
            t("pchart_subtitle", group=group_label, first=first, last=last), source,
        ),
    )  # fmt: skip
    st.plotly_chart(
        fig, key="followup_pchart", alt=t("pchart_alt", name=names[selected], first=first, last=last),
        config={"displaylogo": False},
    )  # fmt: skip
    table_behind(
        data.figure(("followup_pchart_table", selected, *VIEW), lambda: signal_charts.p_chart_table(table))
    )


def _letter_figure(effect: object) -> object:
    fig = signal_charts.letter_figure(
        effect, chosen.measure,
        t("letter_fair_subtitle", measure=funnel_chart.measure_label(chosen.measure).lower(), group=group_label),
    )  # fmt: skip
    return style.add_source_note(fig, source)


# --- The letter's effect ------------------------------------------------------------------------------------
st.subheader(t("letter_fair_heading", area=area_label))
effect = result.letter
if effect is None:
    st.info(t("letter_not_covered"))
else:
    fig = data.figure(("followup_letter", *VIEW), lambda: _letter_figure(effect))
    event = st.plotly_chart(
        fig, key="followup_letter", alt=t("letter_fair_alt", area=area_label), on_select="rerun",
        selection_mode="points", config={"displaylogo": False},
    )  # fmt: skip
    drill_on_click(filters, event)
    st.caption(t("letter_fair_caption"))
    table_behind(data.figure(("followup_letter_table", *VIEW), lambda: signal_charts.letter_table(effect)))
