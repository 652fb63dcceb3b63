"""The Kommuner page's sections: each draws a part of the spread view (views.spread.SpreadView).

Nothing here computes a figure: titles, sentences, charts and the table come from the view's published
frames; the name search only picks rows. Figures and tables are cached by ui.cache.figure.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import polars as pl
import streamlit as st

from joblog_dash.analysis import municipal, privacy
from joblog_dash.charts import spread as charts
from joblog_dash.data import warehouse
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui import downloads
from joblog_dash.ui import fair as fair_ui
from joblog_dash.ui.layout import drill_on_click, open_profile, profile_picker
from joblog_dash.ui.sections import table_behind, view_table_behind
from joblog_dash.views import spread as views
from joblog_dash.views.selection import Selection
from joblog_dash.views.spread import SpreadView

SEARCH_KEY = "kommuner_search"


def _ranked_subtitle(view: SpreadView) -> str:
    is_area = view.area_share is not None
    key = "ranked_subtitle" if view.value == views.RAW else "ranked_subtitle_adjusted"
    return t(
        key, group=view.group_label, month=view.month_label, national=fmt.pct(view.national_share),
        area_part=t("ranked_subtitle_area", area=view.area_label, share=fmt.pct(view.area_share)) if is_area else "",
    )  # fmt: skip


def _ranked_figure(view: SpreadView, highlight: tuple[int, ...] | None, source: str) -> go.Figure:
    is_area = not view.selection.is_national
    return charts.ranked_figure(
        view.shown, views.ranked_title(view.shown, view.area_label, view.value), _ranked_subtitle(view),
        view.national_share, view.area_share, view.area_label if is_area else None,
        None if highlight is None else set(highlight), source, view.value,
    )  # fmt: skip


def _share_texts(rows: pl.DataFrame, column: str) -> list[str]:
    """The share in `column`, or the bound where only the bound is published (on that column's scale)."""
    lower, upper = ("bound_lower", "bound_upper") if column == views.RAW else views.ADJUSTED_BOUNDS
    return [
        fmt.share_or_bound(v, k, lo, up)
        for v, k, lo, up in rows.select(column, "bound", lower, upper).iter_rows()
    ]


def _ranked_alt(view: SpreadView) -> str:
    visible = view.visible
    low, high = visible.head(3), visible.tail(3)
    return t(
        "ranked_alt", n=visible.height, area=view.area_label, month=view.month_label, group=view.group_label,
        lowest=", ".join(f"{n} {v}" for n, v in zip(low["name"], _share_texts(low, view.value), strict=True)),
        highest=", ".join(f"{n} {v}" for n, v in zip(high["name"], _share_texts(high, view.value), strict=True)),
    )  # fmt: skip


def _ranked_chart_table(view: SpreadView) -> pl.DataFrame:
    rows = view.visible.sort(municipal.PLACED, descending=True)
    adjusted = (
        {
            t("std_expected_share"): [fmt.pct(v) for v in rows["expected_share"]],
            t("col_share_adjusted"): _share_texts(rows, view.value),
        }
        if view.value != views.RAW
        else {}
    )
    return pl.DataFrame(
        {
            t("col_rank"): rows["rank"],
            t("col_municipality"): rows["name"],
            t("col_region"): rows["region"],
            t("col_share"): _share_texts(rows, views.RAW),
            **adjusted,
            t("col_persons"): [fmt.number(v) for v in rows["persons"]],
        }
    )


def search() -> str:
    return st.session_state.get(SEARCH_KEY, "")


def ranked(view: SpreadView, sel: Selection, db: warehouse.JoblogDB, source: str) -> None:
    """The municipalities of the area ranked by share, with the name search highlighting."""
    st.subheader(t("spread_heading", area=view.area_label))
    st.text_input(t("search_label"), key=SEARCH_KEY, placeholder=t("search_placeholder"))
    query = search().strip()
    matches = views.filter_by_name(view.shown, query)
    if query and matches.is_empty():
        st.caption(t("search_none", query=query[:40]))
    highlight = tuple(sorted(matches["municipality_code"].to_list())) if query else None
    fig = data.figure(_ranked_figure, view, highlight, source)
    event = st.plotly_chart(
        fig, key="kommuner_ranked", alt=_ranked_alt(view), on_select="rerun", selection_mode="points",
        config={"displaylogo": False},
    )  # fmt: skip
    if view.bounded_names:
        st.caption(t("bound_note", names=", ".join(view.bounded_names)))
    if view.hidden_names:
        st.caption(t("ranked_suppressed_note", names=", ".join(view.hidden_names)))
    st.caption(t("ranked_hover"))
    with view_table_behind(_ranked_chart_table, view):
        downloads.view_downloads(db, "municipalities", sel, "kommuner_ranked", fig)
    drill_on_click(sel, event)


def basis(sel: Selection) -> None:
    """Actual or adjusted shares, for every section of the page."""
    fair_ui.basis_choice(sel, prefix="kommuner")


def fair(view: SpreadView, sel: Selection, source: str) -> None:
    """Funnel plot (which differences are more than chance) and the map of Denmark (ui/fair.py)."""
    fair_ui.render_funnel_and_map(view, sel, source, prefix="kommuner")


def _region_figure(view: SpreadView, source: str) -> go.Figure:
    top = charts.region_medians(view.national, view.value).row(0, named=True)
    return charts.region_figure(
        view.national, t("region_title", region=top["region"], share=fmt.pct(top["median"])),
        t("region_subtitle" if view.value == views.RAW else "region_subtitle_adjusted", group=view.group_label,
          month=view.month_label), source, view.value,
    )  # fmt: skip


def regions(view: SpreadView, sel: Selection, source: str) -> None:
    """The regions' medians over the country's municipalities."""
    medians = charts.region_medians(view.national, view.value)
    if medians.is_empty():
        return
    st.subheader(t("region_heading"))
    fig = data.figure(_region_figure, view, source)
    medians_text = "; ".join(f"{r} {fmt.pct(m)}" for r, m, _ in medians.iter_rows())
    event = st.plotly_chart(
        fig, key="kommuner_regions", alt=t("region_alt", month=view.month_label, group=view.group_label,
                                           medians=medians_text),
        on_select="rerun", selection_mode="points", config={"displaylogo": False},
    )  # fmt: skip
    table_behind(
        pl.DataFrame(
            {
                t("col_region"): medians["region"],
                "Median": [fmt.pct(v) for v in medians["median"]],
                "Kommuner": medians["n"],
            }
        ),
        download=("kommuner_regions", "", fig, sel),
    )
    drill_on_click(sel, event)


def _table_data(view: SpreadView, query: str) -> tuple[list[int], list[bool], pd.DataFrame]:
    """(codes, suppressed flags, display frame) of the table; the polars → pandas step is the slow part."""
    table = views.filter_by_name(view.table, query, t("col_municipality"))
    shown = table.drop("municipality_code", "suppressed", "bounded").to_pandas()
    return table["municipality_code"].to_list(), table["suppressed"].to_list(), shown


def number_columns(columns: list[str]) -> dict[str, int]:
    """The decimals of the numeric columns of Kommuner's table: shares in percent and changes in
    percentage points one (the unit is in the heading), job searches per person one, counts and ranks none.

    The page shows them with format "localized": a Danish browser reads decimal comma and thousands dot
    while the column stays a number and sorts as one (a pandas Styler would pin the comma in any browser,
    but costs ~0.1 s per rerun on 98 rows); a missing value is the placeholder dash."""
    counts = {t(k) for k in ("col_persons", "persons_0", "persons_1_5", "persons_6plus")}
    ranks = {t(k) for k in ("col_rank", "col_rank_from", "col_rank_to")}
    out: dict[str, int] = {}
    for column in columns:
        if column == t("col_trend"):
            continue
        if "(pct." in column or column == t("export_col_searches"):
            out[column] = 1
        elif column in counts or column in ranks:
            out[column] = 0
    return out


def table(view: SpreadView, sel: Selection) -> None:
    """Every municipality of the area with its figures and a sparkline; a row opens its profile."""
    st.subheader(t("table_heading", area=view.area_label))
    codes, suppressed, shown = data.figure(_table_data, view, search().strip().lower())
    st.caption(t("table_caption" if view.value == views.RAW else "table_caption_adjusted"))
    # All columns are wider than the page: the core ones by default, the rest one toggle away.
    extra = {t(k) for k in ("col_region", "col_change_year_pp", "col_persons", "persons_0", "persons_1_5")}
    extra |= {t("persons_6plus"), t("export_col_searches"), t("col_interval_from"), t("col_interval_to")}
    wide = st.toggle(t("table_all_columns"), key="kommuner_all_columns")
    numbers = number_columns(list(shown.columns))
    event = st.dataframe(
        shown,
        hide_index=True,
        column_order=None if wide else [c for c in shown.columns if c not in extra],
        key="kommuner_table",
        on_select="rerun",
        selection_mode="single-row",
        alt=t("table_alt", area=view.area_label),
        placeholder=fmt.MISSING,
        column_config={
            **{c: st.column_config.NumberColumn(format="localized", step=10**-d) for c, d in numbers.items()},
            t("col_rank"): st.column_config.NumberColumn(width="small"),
            t("col_bound"): st.column_config.TextColumn(width="small"),
            t("col_trend"): st.column_config.LineChartColumn(y_min=0, y_max=100, width="medium"),
        },
    )
    profile_picker(sel, codes, "kommuner_open_profile")  # the keyboard route of the row drill
    if view.bounded_names:
        st.caption(t("bound_note", names=", ".join(view.bounded_names)))
    hidden = [name for name, flag in zip(shown[t("col_municipality")], suppressed, strict=True) if flag]
    if hidden:
        st.caption(t("table_suppressed_note", names=", ".join(sorted(hidden)), min=privacy.MIN_PERSONS))
    rows = event.selection.rows if event else []
    if rows:
        open_profile(sel, codes[rows[0]])
