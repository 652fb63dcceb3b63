"""Streamlit glue for the fair-comparison sections (funnel, map, follow-up, the letter's effect).

Page-level choices (measure, over-dispersion adjustment, comparison level) are Selection fields held in the
URL by ui/state.py (`maal`, `spredning`, `niveau`), so a copied link opens the same view; a bad value falls
back with a notice. The figures come from the views (views.parts, views.profile).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from joblog_dash.analysis import fair
from joblog_dash.charts import funnel as funnel_chart
from joblog_dash.charts import maps, style
from joblog_dash.charts import signals as signal_charts
from joblog_dash.charts.funnel import measure_label
from joblog_dash.data import boundaries, reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui import state
from joblog_dash.ui.layout import drill_on_click
from joblog_dash.ui.sections import view_table_behind
from joblog_dash.views.profile import STATUS_MEASURE, ProfileView
from joblog_dash.views.selection import Selection
from joblog_dash.views.spread import SpreadView


def choices(sel: Selection, prefix: str, show_target: bool = True, basis: bool = True) -> None:
    """The measure radio, the comparison level (when an area is chosen) and the over-dispersion toggle,
    and with `basis` the basis radio (basis_choice; a page whose other sections follow the basis too draws
    that above its sections instead).

    They are bound to the URL like the sidebar filters (ui/state.py): the selection already holds their
    values, and a change is written to the URL before the rerun reads it."""
    columns = st.columns([3, 2, 2] if show_target and not sel.is_national else [3, 4])
    with columns[0]:
        st.radio(
            t("fair_measure"), fair.MEASURE_KEYS, format_func=measure_label,
            **state.prepare_widget("measure", sel, key=f"{prefix}_measure"),
        )  # fmt: skip
    if show_target and not sel.is_national:
        with columns[1]:
            st.radio(
                t("fair_target"), ("national", "area"),
                format_func=lambda k: t("fair_target_national") if k == "national" else sel.area_label,
                **state.prepare_widget("target", sel, key=f"{prefix}_target"),
            )  # fmt: skip
    with columns[-1]:
        st.toggle(
            t("fair_adjust"), help=t("fair_adjust_help"),
            **state.prepare_widget("overdispersion", sel, key=f"{prefix}_adjust"),
        )  # fmt: skip
    if basis:
        basis_choice(sel, prefix)
    st.caption(t("searches_not_in_funnel"))


def basis_choice(sel: Selection, prefix: str) -> None:
    """Actual shares or shares adjusted for the recipients' composition (bound to the URL like choices)."""
    st.radio(
        t("std_basis"), ("raw", "adjusted"), horizontal=True, help=t("std_basis_help"),
        format_func=lambda k: t("std_basis_raw") if k == "raw" else t("std_basis_adjusted"),
        **state.prepare_widget("basis", sel, key=f"{prefix}_basis"),
    )  # fmt: skip
    if sel.basis == "adjusted":
        st.caption(t("std_basis_used_adjusted"))


def target_label(sel: Selection) -> str:
    """The funnel's comparison in a sentence: "landet" or the area's name."""
    return "landet" if sel.target_kind == "national" else sel.area_label


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


def _funnel(view: SpreadView) -> fair.FunnelData:
    assert view.funnel is not None  # drawn only when the view has a funnel
    return view.funnel


def _target_text(sel: Selection) -> str:
    return t("fair_target_national") if sel.target_kind == "national" else sel.area_label


def _funnel_figure(view: SpreadView, source: str) -> go.Figure:
    sel, result = view.selection, _funnel(view)
    subtitle = funnel_chart.funnel_subtitle(
        result, reference.group_label(sel.group), fmt.month_short(sel.month), sel.overdispersion
    )
    return funnel_chart.funnel_figure(result, subtitle + _basis_note(sel), _target_text(sel), source)


def _basis_note(sel: Selection) -> str:
    """Said on the chart itself, so a downloaded image or a screenshot keeps it."""
    return t("chart_basis_adjusted") if sel.basis == "adjusted" else ""


def _funnel_table(view: SpreadView) -> pl.DataFrame:
    return funnel_chart.funnel_table(_funnel(view))


def _map_values(view: SpreadView) -> pl.DataFrame:
    return maps.map_values(_funnel(view).table, view.selection.area_codes)


def _hex_figure(view: SpreadView, title: str, subtitle: str) -> go.Figure:
    return maps.hex_figure(data.figure(_map_values, view), view.selection.measure, title, subtitle)


def render_funnel_and_map(view: SpreadView, sel: Selection, source: str, prefix: str) -> None:
    """The Kommuner page's fair-comparison section: measure choices, funnel plot, map, tables behind; every
    number from the view's funnel (views.spread: THE funnel for the measure and options chosen). `sel` is
    the page's whole selection (the view's keeps only what it reads): a click opens a profile with it."""
    group_label = reference.group_label(sel.group)
    month_label = fmt.month_short(sel.month)
    st.subheader(t("funnel_heading", month=month_label))
    choices(sel, prefix=prefix, basis=False)  # the basis stands above the page's sections: all follow it
    if view.funnel is None:
        st.info(t("map_title_empty"))
        return
    result = view.funnel
    # Figures and tables are cached per version and view (ui.cache.figure): building them cost ~250 ms.
    fig = data.figure(_funnel_figure, view, source)
    event = st.plotly_chart(
        fig, key=f"{prefix}_funnel", alt=funnel_chart.funnel_alt(result, _target_text(sel)), on_select="rerun",
        selection_mode="points", config={"displaylogo": False},
    )  # fmt: skip
    st.caption(t("funnel_caption"))
    hidden = result.table.filter(pl.col("suppressed") & (pl.col("persons") > 0))
    if hidden.height:
        st.caption(t("funnel_suppressed", names=", ".join(hidden.sort("name")["name"])))
    view_table_behind(_funnel_table, view, download=(f"{prefix}_funnel", "", fig))
    drill_on_click(sel, event)

    st.subheader(t("map_heading"))
    values = data.figure(_map_values, view)
    title = maps.map_title(values, sel.measure)
    subtitle = t("map_subtitle", group=group_label, month=month_label) + _basis_note(sel)
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
        fig = maps.choropleth_figure(shapes, values, sel.measure, title, subtitle)
        if shapes.missing:
            names = [reference.municipality_name(c) for c in shapes.missing]
            st.caption(t("boundaries_missing", n=len(names), names=", ".join(names[:10])))
    else:
        fig = data.figure(_hex_figure, view, title, subtitle)
    event = st.plotly_chart(
        fig, key=f"{prefix}_map_{kind}", alt=maps.map_alt(values, sel.measure, kind), on_select="rerun",
        selection_mode="points", config={"displaylogo": False},
    )  # fmt: skip
    st.caption(t("map_caption"))
    view_table_behind(_funnel_table, view, download=(f"{prefix}_map", title, fig))
    drill_on_click(sel, event)


def _profile_pchart(view: ProfileView, source: str) -> go.Figure:
    table = view.status.signals
    first, last = fmt.month_short(table["month"].min()), fmt.month_short(table["month"].max())
    subtitle = t("pchart_subtitle", group=reference.group_label(view.group), first=first, last=last)
    return p_chart(table, view.name, STATUS_MEASURE, subtitle, source)


def _profile_pchart_table(view: ProfileView) -> pl.DataFrame:
    return signal_charts.p_chart_table(view.status.signals)


def render_profile_followup(view: ProfileView, selection: Selection, source: str) -> None:
    """The Kommuneprofil's follow-up section, read off the profile view's status: the funnel position, the
    active signals and the p-chart (share joblogged, against the country, adjusted for over-dispersion: the
    defaults of the other pages — and what the brief and the deck say)."""
    name, status = view.name, view.status
    st.subheader(t("profile_fair_heading", name=name))
    row = status.funnel
    if row is None:
        st.caption(t("profile_fair_no_funnel", name=name))
    else:
        st.markdown(
            t(
                "profile_funnel_position", name=name, verdict=row["verdict"],
                share=fmt.pct(row["share"]), z=funnel_chart.signed(row["z"], 1),
            )
        )  # fmt: skip
    if status.expected_sentence:
        st.markdown(status.expected_sentence)
    table = status.signals
    if status.signal_text is None:
        st.caption(t("profile_signals_hidden", name=name))
    else:
        st.markdown(
            t("profile_signals", text=status.signal_text) if status.signal_active else t("profile_no_signals")
        )
    if table.is_empty() or table["persons"].drop_nulls().sum() == 0:
        return
    first, last = fmt.month_short(table["month"].min()), fmt.month_short(table["month"].max())
    fig = data.figure(_profile_pchart, view, source)
    st.plotly_chart(
        fig, key="profile_pchart", alt=t("pchart_alt", name=name, first=first, last=last),
        config={"displaylogo": False},
    )  # fmt: skip
    view_table_behind(_profile_pchart_table, view, download=("profile_pchart", "", fig))
    st.page_link(
        "pages/4_opfoelgning.py",
        label=t("profile_to_followup"),
        icon="🚩",
        query_params=state.to_params(selection),
    )
