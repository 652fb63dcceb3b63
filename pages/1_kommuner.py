"""Kommuner: the municipal spread for a month, benefit group and area. Layout only.

The page is a list of sections (functions taking the shared `Spread` context). A later section (funnel
plot, hex map) is added as one more function and one more entry in SECTIONS.
"""

from dataclasses import dataclass

import pandas as pd
import polars as pl
import streamlit as st

from joblog_dash.analysis import privacy
from joblog_dash.charts import spread, style
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui import downloads
from joblog_dash.ui import fair as fair_ui
from joblog_dash.ui.layout import PageContext, drill_on_click, open_profile, page_setup, profile_picker
from joblog_dash.ui.sections import table_behind
from joblog_dash.views import spread as tables


@dataclass(frozen=True)
class Spread:
    ctx: PageContext
    area_label: str
    group_label: str
    month_label: str
    shown: pl.DataFrame  # suppressed snapshot of the area (one row per municipality, with rank)
    national_share: float | None
    area_share: float | None
    search: str
    source: str


def _build(ctx: PageContext) -> Spread:
    f = ctx.filters
    area = reference.area_by_key(f.area)
    snap = data.query("snapshot", f.month, f.group, f.area)
    national = snap if f.area == reference.NATIONAL else data.query("snapshot", f.month, f.group)
    return Spread(
        ctx=ctx,
        area_label=area.label if area else t("national"),
        group_label=reference.group_label(f.group),
        month_label=fmt.month_long(f.month),
        shown=tables.suppressed_snapshot(snap),
        national_share=tables.area_share(national),
        area_share=None if f.area == reference.NATIONAL else tables.area_share(snap),
        search=st.session_state.get("kommuner_search", ""),
        source=style.DEMO_SOURCE if ctx.manifest.is_demo else f"Kilde: {ctx.manifest.source}",
    )


def section_ranked(s: Spread) -> None:
    st.subheader(t("spread_heading", area=s.area_label))
    st.text_input(t("search_label"), key="kommuner_search", placeholder=t("search_placeholder"))
    matches = tables.filter_by_name(s.shown, s.search)
    if s.search.strip() and matches.is_empty():
        st.caption(t("search_none", query=s.search.strip()[:40]))
    highlight = set(matches["municipality_code"].to_list()) if s.search.strip() else None
    is_area = s.area_share is not None
    subtitle = t(
        "ranked_subtitle",
        group=s.group_label,
        month=s.month_label,
        national=fmt.pct(s.national_share),
        area_part=t("ranked_subtitle_area", area=s.area_label, share=fmt.pct(s.area_share))
        if is_area
        else "",
    )
    f = s.ctx.filters
    fig = data.figure(
        ("kommuner_ranked", f.month, f.group, f.area, tuple(sorted(highlight or ())), s.source),
        lambda: spread.ranked_figure(
            s.shown,
            tables.ranked_title(s.shown, s.area_label),
            subtitle,
            s.national_share,
            s.area_share,
            s.area_label if is_area else None,
            highlight,
            s.source,
        ),
    )
    visible = s.shown.filter(pl.col("share_joblogged").is_not_null()).sort("share_joblogged")
    alt = t(
        "ranked_alt",
        n=visible.height,
        area=s.area_label,
        month=s.month_label,
        group=s.group_label,
        lowest=", ".join(
            f"{n} {fmt.pct(v)}" for n, v in visible.head(3).select("name", "share_joblogged").iter_rows()
        ),
        highest=", ".join(
            f"{n} {fmt.pct(v)}" for n, v in visible.tail(3).select("name", "share_joblogged").iter_rows()
        ),
    )
    event = st.plotly_chart(
        fig, key="kommuner_ranked", alt=alt, on_select="rerun", selection_mode="points",
        config={"displaylogo": False},
    )  # fmt: skip
    hidden = s.shown.filter(pl.col("share_joblogged").is_null())
    if hidden.height:
        st.caption(t("ranked_suppressed_note", names=", ".join(hidden.sort("name")["name"])))
    st.caption(t("ranked_hover"))
    with table_behind(
        _ranked_chart_table(visible), view=("kommuner_ranked", f.month, f.group, f.area, s.search.strip())
    ):
        downloads.view_downloads(s.ctx.db, "municipalities", s.ctx.filters, "kommuner_ranked", fig)
    drill_on_click(s.ctx.filters, event)


def _ranked_chart_table(visible: pl.DataFrame) -> pl.DataFrame:
    rows = visible.sort("share_joblogged", descending=True)
    return pl.DataFrame(
        {
            t("col_municipality"): rows["name"],
            t("col_region"): rows["region"],
            t("col_share"): [fmt.pct(v) for v in rows["share_joblogged"]],
            t("col_persons"): [fmt.number(v) for v in rows["persons"]],
        }
    )


def section_fair(s: Spread) -> None:
    # Funnel plot (which differences are more than chance) and the map of Denmark; logic in ui/fair.py.
    fair_ui.render_funnel_and_map(s.ctx.filters, s.source, prefix="kommuner")


def section_regions(s: Spread) -> None:
    f = s.ctx.filters
    national = (
        s.shown
        if f.area == reference.NATIONAL
        else tables.suppressed_snapshot(data.query("snapshot", f.month, f.group))
    )
    medians = spread.region_medians(national)
    if medians.is_empty():
        return
    st.subheader(t("region_heading"))
    top = medians.row(0, named=True)
    fig = data.figure(
        ("kommuner_regions", f.month, f.group, s.source),
        lambda: spread.region_figure(
            national,
            t("region_title", region=top["region"], share=fmt.pct(top["median"])),
            t("region_subtitle", group=s.group_label, month=s.month_label),
            s.source,
        ),
    )
    medians_text = "; ".join(f"{r} {fmt.pct(m)}" for r, m, _ in medians.iter_rows())
    event = st.plotly_chart(
        fig, key="kommuner_regions", alt=t("region_alt", month=s.month_label, group=s.group_label,
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
        )
    )
    drill_on_click(s.ctx.filters, event)


def _table_data(s: Spread) -> tuple[list[int], list[bool], pd.DataFrame]:
    """(codes, suppressed flags, display frame) of the table; the polars → pandas step is the slow part."""
    f = s.ctx.filters
    panel = data.query(
        "panel", f.group, f.area, start=fmt.add_months(f.month, -(tables.SPARK_MONTHS - 1)), end=f.month
    )
    table = tables.display_table(s.shown, tables.sparklines(panel, f.month))
    table = tables.filter_by_name(table, s.search, t("col_municipality"))
    shown = table.drop("municipality_code", "suppressed").to_pandas()
    return table["municipality_code"].to_list(), table["suppressed"].to_list(), shown


def section_table(s: Spread) -> None:
    f = s.ctx.filters
    st.subheader(t("table_heading", area=s.area_label))
    view = ("kommuner_table", f.month, f.group, f.area, s.search.strip().lower())
    codes, suppressed, shown = data.figure(view, lambda: _table_data(s))
    # No pandas Styler for greying the "for få personer" rows: even an empty Styler costs 60–140 ms per
    # rerun on 98 rows. The rows say "for få personer" in every hidden cell, and are named in grey below.
    st.caption(t("table_caption"))
    # All 13 columns are wider than the page: the core ones by default, the rest one toggle away.
    extra = {t(k) for k in ("col_region", "col_change_year", "col_persons", "persons_0", "persons_1_5")}
    extra.add(t("persons_6plus"))
    wide = st.toggle(t("table_all_columns"), key="kommuner_all_columns")
    event = st.dataframe(
        shown,
        hide_index=True,
        column_order=None if wide else [c for c in shown.columns if c not in extra],
        key="kommuner_table",
        on_select="rerun",
        selection_mode="single-row",
        alt=t("table_alt", area=s.area_label),
        column_config={
            t("col_rank"): st.column_config.NumberColumn(width="small"),
            t("col_persons"): st.column_config.NumberColumn(format="%d"),
            t("col_trend"): st.column_config.LineChartColumn(y_min=0, y_max=100, width="medium"),
        },
    )
    profile_picker(s.ctx.filters, codes, "kommuner_open_profile")
    hidden = [name for name, flag in zip(shown[t("col_municipality")], suppressed, strict=True) if flag]
    if hidden:
        st.caption(t("table_suppressed_note", names=", ".join(sorted(hidden)), min=privacy.MIN_PERSONS))
    rows = event.selection.rows if event else []
    if rows:
        open_profile(s.ctx.filters, codes[rows[0]])


# Sections in page order. Add a section (e.g. funnel plot, hex map) as a function taking Spread here.
SECTIONS = [section_ranked, section_fair, section_regions, section_table]

ctx = page_setup(t("nav_municipalities"), show_filters=("month", "group", "area"))
spread_ctx = _build(ctx)
for section in SECTIONS:
    section(spread_ctx)
