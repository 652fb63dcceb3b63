"""Streamlit glue for the fair-comparison sections (funnel, map, follow-up, the letter's effect).

Page-level choices (measure, over-dispersion adjustment, comparison level) live in the URL next to the
filters (`maal`, `spredning`, `niveau`), so a copied link opens the same view; a bad value falls back with
a notice. Computations are cached per dataset version like ui.data.query.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from joblog_dash.analysis import fair, followup, stats
from joblog_dash.charts import funnel as funnel_chart
from joblog_dash.charts import maps, style
from joblog_dash.charts import signals as signal_charts
from joblog_dash.charts.funnel import measure_label
from joblog_dash.data import boundaries, reference
from joblog_dash.text import fmt
from joblog_dash.text.safety import escape_markdown
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui import state
from joblog_dash.ui.layout import drill_on_click
from joblog_dash.ui.sections import table_behind

MEASURE_PARAM = "maal"
MEASURE_URL = {"joblogged": "jobsoegning", "none": "ingen", "6plus": "6plus"}
ADJUST_PARAM = "spredning"
ADJUST_URL = {True: "justeret", False: "ujusteret"}
TARGET_PARAM = "niveau"
TARGET_URL = {"national": "land", "area": "omraade"}


@dataclass(frozen=True)
class FairChoices:
    measure: str
    overdispersion: bool
    target_kind: str  # "national" or "area"
    target_label: str  # "landet" or the area's name, for sentences


def _from_url(param: str, mapping: dict, default: object, label: str) -> object:
    raw = st.query_params.get(param)
    if raw is None:
        return default
    for value, text in mapping.items():
        if text == raw:
            return value
    # The raw value is user input shown as Markdown: escape it, as ui/state.py does for the filters.
    st.info(t("notice_bad_param", name=param, value=escape_markdown(raw[:40]), fallback=label), icon="ℹ️")
    return default


def _write(param: str, text: str) -> None:
    if st.query_params.get(param) != text:
        st.query_params[param] = text


def _on_change(param: str, key: str, mapping: dict) -> None:
    st.query_params[param] = mapping[st.session_state[key]]


def choices(filters: state.Filters, prefix: str, show_target: bool = True) -> FairChoices:
    """The measure radio, the comparison level (when an area is chosen) and the adjustment toggle."""
    area = reference.area_by_key(filters.area)
    is_national = area is None or area.column is None
    measure = _from_url(MEASURE_PARAM, MEASURE_URL, "joblogged", measure_label("joblogged"))
    adjust = _from_url(ADJUST_PARAM, ADJUST_URL, True, t("fair_adjust_on"))
    target = _from_url(TARGET_PARAM, TARGET_URL, "national", t("fair_target_national"))
    if is_national:
        target = "national"
    columns = st.columns([3, 2, 2] if show_target and not is_national else [3, 4])
    with columns[0]:
        key = f"{prefix}_measure"
        st.session_state[key] = measure
        measure = st.radio(
            t("fair_measure"), fair.MEASURE_KEYS, format_func=measure_label, key=key,
            on_change=_on_change, args=(MEASURE_PARAM, key, MEASURE_URL),
        )  # fmt: skip
    if show_target and not is_national:
        with columns[1]:
            key = f"{prefix}_target"
            st.session_state[key] = target
            target = st.radio(
                t("fair_target"), ("national", "area"),
                format_func=lambda k: t("fair_target_national") if k == "national" else area.label,  # type: ignore[union-attr]
                key=key, on_change=_on_change, args=(TARGET_PARAM, key, TARGET_URL),
            )  # fmt: skip
    with columns[-1]:
        key = f"{prefix}_adjust"
        st.session_state[key] = adjust
        adjust = st.toggle(
            t("fair_adjust"), key=key, help=t("fair_adjust_help"),
            on_change=_on_change, args=(ADJUST_PARAM, key, ADJUST_URL),
        )  # fmt: skip
    _write(MEASURE_PARAM, MEASURE_URL[measure])
    _write(ADJUST_PARAM, ADJUST_URL[bool(adjust)])
    if not is_national:
        _write(TARGET_PARAM, TARGET_URL[target])
    label = "landet" if target == "national" else area.label  # type: ignore[union-attr]
    return FairChoices(measure, bool(adjust), target, label)


def area_codes(area_key: str) -> list[int] | None:
    area = reference.area_by_key(area_key)
    return None if area is None or area.column is None else reference.municipality_codes_in(area)


@st.cache_data(max_entries=128, show_spinner=False)
def _funnel(
    facts: str, month: date, group: str, measure: str, area: str, adjust: bool, target: str
) -> fair.FunnelData:
    snapshot = data.query("snapshot", month, group)
    return fair.funnel_data(snapshot, measure, area_codes(area), adjust, target)


def funnel(filters: state.Filters, chosen: FairChoices) -> fair.FunnelData:
    return _funnel(
        str(data.db().facts_path), filters.month, filters.group, chosen.measure, filters.area,
        chosen.overdispersion, chosen.target_kind,
    )  # fmt: skip


@st.cache_data(max_entries=64, show_spinner=False)
def _followup(
    facts: str, month: date, group: str, measure: str, area: str, adjust: bool, target: str, label: str
) -> followup.Followup:
    panel = data.query("panel", group)
    return followup.build(panel, month, measure, area_codes(area), adjust, target, label)


def followup_list(filters: state.Filters, chosen: FairChoices) -> followup.Followup:
    return _followup(
        str(data.db().facts_path), filters.month, filters.group, chosen.measure, filters.area,
        chosen.overdispersion, chosen.target_kind, chosen.target_label,
    )  # fmt: skip


@st.cache_data(max_entries=128, show_spinner=False)
def _signals(facts: str, group: str, code: int, month: date, measure: str) -> pl.DataFrame:
    return followup.municipality_signals(data.query("panel", group), code, month, measure)


def signals(filters: state.Filters, code: int, measure: str) -> pl.DataFrame:
    return _signals(str(data.db().facts_path), filters.group, code, filters.month, measure)


@st.cache_data(max_entries=64, show_spinner=False)
def _letter(facts: str, group: str, measure: str, area: str) -> pl.DataFrame | None:
    panel = data.query("panel", group)
    if not fair.letter_covered(panel["month"].unique().to_list()):
        return None
    return fair.letter_effect(panel, measure, area_codes(area))


def letter(filters: state.Filters, measure: str) -> pl.DataFrame | None:
    """The letter's effect for the area's municipalities, None when the data does not cover the windows."""
    return _letter(str(data.db().facts_path), filters.group, measure, filters.area)


def p_chart(table: pl.DataFrame, name: str, measure: str, subtitle: str, source: str) -> go.Figure:
    """The p-chart with its source note (one builder, so data.figure can cache the finished figure)."""
    fig = signal_charts.p_chart_figure(table, name, measure, subtitle)
    style.add_source_note(fig, source)
    return fig


def configured_boundaries() -> tuple[boundaries.Boundaries | None, str | None]:
    """(boundaries, None) when configured and valid, (None, message) when bad, (None, None) if not set."""
    try:
        return boundaries.configured(), None
    except boundaries.BoundaryError as exc:
        return None, str(exc)


def render_funnel_and_map(filters: state.Filters, source: str, prefix: str) -> None:
    """The Kommuner page's fair-comparison section: measure choices, funnel plot, map, tables behind."""
    area = reference.area_by_key(filters.area)
    area_label = area.label if area else t("national")
    group_label = reference.group_label(filters.group)
    month_label = fmt.month_short(filters.month)
    st.subheader(t("funnel_heading", month=month_label))
    chosen = choices(filters, prefix=prefix)
    try:
        result = funnel(filters, chosen)
    except ValueError:
        st.info(t("map_title_empty"))
        return
    target_label = t("fair_target_national") if chosen.target_kind == "national" else area_label
    # Figures and tables are cached per version and view (data.figure): building them cost ~250 ms a rerun.
    view = (filters.month, filters.group, filters.area, chosen, source)
    fig = data.figure(
        ("funnel", *view),
        lambda: funnel_chart.funnel_figure(
            result,
            funnel_chart.funnel_subtitle(result, group_label, month_label, chosen.overdispersion),
            target_label,
            source,
        ),
    )
    event = st.plotly_chart(
        fig, key=f"{prefix}_funnel", alt=funnel_chart.funnel_alt(result, target_label), on_select="rerun",
        selection_mode="points", config={"displaylogo": False},
    )  # fmt: skip
    st.caption(t("funnel_caption"))
    hidden = result.table.filter(pl.col("suppressed") & (pl.col("persons") > 0))
    if hidden.height:
        st.caption(t("funnel_suppressed", names=", ".join(hidden.sort("name")["name"])))
    table_behind(data.figure(("funnel_table", *view), lambda: funnel_chart.funnel_table(result)))
    drill_on_click(filters, event)

    st.subheader(t("map_heading"))
    values = data.figure(
        ("map_values", *view), lambda: maps.map_values(result.table, area_codes(filters.area))
    )
    title = maps.map_title(values, chosen.measure)
    subtitle = t("map_subtitle", group=group_label, month=month_label)
    shapes, problem = configured_boundaries()
    if problem:
        st.warning(t("boundaries_bad", message=problem), icon="⚠️")
    kind = "hex"
    if shapes is not None:
        kind = st.radio(
            t("map_kind"), ("hex", "geo"), horizontal=True, key=f"{prefix}_map_kind",
            format_func=lambda k: t("map_kind_hex") if k == "hex" else t("map_kind_geo"),
        )  # fmt: skip
    if kind == "geo" and shapes is not None:
        fig = maps.choropleth_figure(shapes, values, chosen.measure, title, subtitle)
        if shapes.missing:
            names = [reference.municipality_name(c) for c in shapes.missing]
            st.caption(t("boundaries_missing", n=len(names), names=", ".join(names[:10])))
    else:
        fig = data.figure(("hex", *view), lambda: maps.hex_figure(values, chosen.measure, title, subtitle))
    event = st.plotly_chart(
        fig, key=f"{prefix}_map_{kind}", alt=maps.map_alt(values, chosen.measure, kind), on_select="rerun",
        selection_mode="points", config={"displaylogo": False},
    )  # fmt: skip
    st.caption(t("map_caption"))
    drill_on_click(filters, event)


def render_profile_followup(filters: state.Filters, source: str) -> None:
    """The Kommuneprofil's follow-up section: funnel position, active signals and the p-chart (share
    joblogged, against the country, adjusted for over-dispersion: the defaults of the other pages)."""
    code = filters.municipality
    name = reference.municipality_name(code)
    st.subheader(t("profile_fair_heading", name=name))
    national = replace(filters, area=reference.NATIONAL)
    chosen = FairChoices("joblogged", True, "national", "landet")
    try:
        row = funnel(national, chosen).table.filter(pl.col("code") == code).row(0, named=True)
    except ValueError:
        row = None
    if row is None or row["persons"] == 0 or row["suppressed"]:
        st.caption(t("profile_fair_no_funnel", name=name))
    else:
        st.markdown(
            t(
                "profile_funnel_position", name=name, verdict=row["verdict"],
                share=fmt.pct(row["share"]), z=funnel_chart.signed(row["z"], 1),
            )
        )  # fmt: skip
    table = signals(filters, code, chosen.measure)
    if table.is_empty() or table["persons"].sum() == 0:
        return
    latest = stats.latest_signals(table)
    st.markdown(t("profile_signals", text=latest.text) if latest.active else t("profile_no_signals"))
    first, last = fmt.month_short(table["month"].min()), fmt.month_short(table["month"].max())
    group_label = reference.group_label(filters.group)
    view = (code, filters.month, filters.group, source)
    fig = data.figure(
        ("profile_pchart", *view),
        lambda: p_chart(table, name, chosen.measure, t("pchart_subtitle", group=group_label, first=first,
                                                         last=last), source),
    )  # fmt: skip
    st.plotly_chart(
        fig, key="profile_pchart", alt=t("pchart_alt", name=name, first=first, last=last),
        config={"displaylogo": False},
    )  # fmt: skip
    table_behind(data.figure(("profile_pchart_table", *view), lambda: signal_charts.p_chart_table(table)))
    st.page_link(
        "pages/4_opfoelgning.py",
        label=t("profile_to_followup"),
        icon="🚩",
        query_params=filters.query_params(),
    )
