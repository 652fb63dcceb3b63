"""The Kommuneprofil page's sections: each draws a part of the profile view (views.profile.ProfileView).

Nothing here computes a figure: titles and sentences are made from the view's published numbers, the
charts from its frames. Figures are cached by ui.cache.figure (draw function, view, dataset version).
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from joblog_dash.charts import meeting
from joblog_dash.charts import profile as charts
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui import state
from joblog_dash.ui.sections import breakdown_charts, table_behind, view_table_behind
from joblog_dash.views.profile import Comparison, ProfileView
from joblog_dash.views.selection import MAX_COMPARE, Selection


def peers(view: ProfileView) -> None:
    if view.peer_codes:
        st.markdown(t("profile_peers", names=", ".join(view.peer_names), reason=view.peer_reason))


def key_figures(view: ProfileView) -> None:
    kf, region_kf, month = view.key, view.region_key, view.month
    group_short = reference.group_label(view.group, short=True)
    st.subheader(
        t("profile_key_heading", name=view.name, group=group_short.lower(), month=fmt.month_long(month))
    )
    if kf.persons == 0:
        st.info(t("kf_no_data", month=fmt.month_long(month)))
    elif kf.persons is None:
        st.info(t("kf_suppressed", name=view.name, month=fmt.month_long(month)))
    # Two rows of three: six metrics in one row truncate their values on a laptop screen.
    row1, row2 = st.columns(3), st.columns(3)
    cols = [row1[0], row1[1], row2[0], row2[1], row1[2], row2[2]]
    hidden = t("suppressed")
    share_help = (
        t(
            "kf_share_help", lower=fmt.pct(kf.lower), upper=fmt.pct(kf.upper),
            joblogged=fmt.number(kf.persons - kf.persons_0), persons=fmt.number(kf.persons),
        )
        if kf.share is not None and kf.persons_0 is not None
        else None
    )  # fmt: skip
    shown_share = fmt.share_or_bound(kf.share, kf.bound, kf.bound_lower, kf.bound_upper)
    bounded = kf.share is None and kf.bound is not None
    cols[0].metric(
        t("kf_share"), shown_share if kf.share is not None or bounded else hidden,
        help=t("kf_bound_help") if bounded else share_help,
    )  # fmt: skip
    expected = view.status.expected
    if expected is not None and view.group == view.selection.group:
        cols[0].caption(
            t(
                "std_expected_caption",
                share=fmt.pct(expected["expected_share"]),
                adjustment=view.status.adjustment,
            )
        )
    cols[1].metric(
        t("kf_change_year", month=fmt.month_short(fmt.add_months(month, -12))),
        fmt.pp(kf.change_year),
        help=t("kf_change_year_help", share=fmt.pct(kf.share_year_ago)),
    )
    cols[2].metric(t("kf_persons"), fmt.number(kf.persons) if kf.persons is not None else hidden)
    # With a bound, the count without a job search is a range from the persons alone (as the bound is).
    bounded_none = (
        t("kf_persons_0_at_most") if kf.bound == "min"
        else t("kf_persons_0_at_least", n=fmt.number(kf.persons - round(kf.bound_upper * kf.persons)))
        if kf.bound == "max" and kf.persons is not None and kf.bound_upper is not None
        else hidden
    )  # fmt: skip
    cols[3].metric(
        t("kf_persons_0"),
        fmt.number(kf.persons_0) if kf.persons_0 is not None else bounded_none,
        help=t("kf_persons_0_help", share=fmt.pct(kf.share_none)) if kf.share_none is not None else None,
    )
    rank = view.rank_now
    if rank is not None:
        cols[4].metric(
            t("kf_rank", ranked=rank["ranked"]),
            t("kf_rank_value", rank=rank["rank"], lower=rank["rank_lower"], upper=rank["rank_upper"]),
            help=t("kf_rank_help"),
        )
    else:
        cols[4].metric(t("kf_rank", ranked=view.ranked or 98), fmt.MISSING)
    diff = kf.share - region_kf.share if kf.share is not None and region_kf.share is not None else None
    cols[5].metric(
        t("kf_region", region=view.region.label),
        fmt.pct(region_kf.share),
        delta=fmt.pp_metric(diff),
        delta_color="off",  # grey: the difference is information, not a verdict in red/green
        delta_arrow="off" if not diff else "auto",
        help=t("kf_region_help"),
    )
    # Under the metric, not as its delta description: a caption wraps, the description is cut off ("regi…").
    cols[5].caption(t("kf_region_delta", name=view.name))
    row = view.group_row()
    if row is not None:
        rate, nation = row["searches_per_person"], row["nation_searches"]
        st.metric(
            t("kf_searches"),
            fmt.number(rate, 1) if rate is not None else hidden,
            help=t("kf_searches_help", nation=fmt.number(nation, 1) if nation is not None else fmt.MISSING),
        )


def _trend_table(view: ProfileView) -> pl.DataFrame:
    series, groups = _series(view), view.groups
    table = pl.concat(
        [
            s.frame.select("month", "benefit_group", "persons", "share_joblogged").with_columns(
                unit=pl.lit(s.label)
            )
            for s in series
        ]
    ).sort("benefit_group", "unit", "month")
    return table.with_columns(
        pl.col("benefit_group").replace_strict({g: reference.group_label(g, short=True) for g in groups})
    )


def _series(view: ProfileView) -> list[charts.Series]:
    blue, orange, black, grey = charts.series_styles()
    series = [
        charts.Series(view.name, view.own, blue, width=2.5),
        charts.Series(view.region.label, view.region_trend, orange, dash="dash"),
        charts.Series(t("national"), view.nation, black, dash="dot", width=1.5),
    ]
    if view.peer_codes:
        series.append(charts.Series(t("series_peers"), view.peers_trend, grey, width=1.5))
    return series


def _trend_figure(view: ProfileView) -> go.Figure:
    group_short = reference.group_label(view.group, short=True).lower()
    title = (
        f"{charts.position_title(view.name, t('ref_region'), view.position)} ({group_short})"
        if view.key.share is not None
        else t("title_trend_hidden", name=view.name, month=fmt.month_short(view.month))
    )
    return charts.trend_panels(
        _series(view), list(view.groups), title=title, subtitle=t("subtitle_trend_all")
    )


def trend(view: ProfileView) -> None:
    """Every group over time against the region, the country and the peers."""
    fig = data.figure(_trend_figure, view)
    st.plotly_chart(fig, key="profile_trend", alt=t("alt_trend", name=view.name, region=view.region.label))
    view_table_behind(
        _trend_table,
        view,
        download=("profile_trend", "", fig),
        spec=[
            ("unit", t("letter_table_unit"), "text"),
            ("benefit_group", t("filter_group"), "text"),
            ("month", t("col_month"), "month"),
            ("persons", t("kf_persons"), "int"),
            ("share_joblogged", t("kf_share"), "pct"),
        ],
    )


def _shown_ranks(view: ProfileView) -> pl.DataFrame:
    return view.ranks.drop_nulls("rank")


def _rank_figure(view: ProfileView) -> go.Figure:
    latest = view.rank_now or _shown_ranks(view).tail(1).row(0, named=True)
    group_short = reference.group_label(view.group, short=True)
    return charts.rank_band(
        view.ranks, title=charts.rank_title(view.name, latest, fmt.month_short(latest["month"])),
        subtitle=t("subtitle_rank", group=group_short),
    )  # fmt: skip


def rank(view: ProfileView) -> None:
    if not _shown_ranks(view).height:
        st.caption(t("rank_hidden", name=view.name))
        return
    fig = data.figure(_rank_figure, view)
    st.plotly_chart(fig, key="profile_rank", alt=t("alt_rank", name=view.name))
    view_table_behind(
        _shown_ranks,
        view,
        download=("profile_rank", "", fig),
        spec=[
            ("month", t("col_month"), "month"),
            ("share_text", t("kf_share"), "text"),
            ("rank", t("col_rank"), "int"),
            ("rank_lower", t("col_lower"), "int"),
            ("rank_upper", t("col_upper"), "int"),
        ],
    )


def _split_table(view: ProfileView) -> pl.DataFrame:
    return view.split


def _split_figure(view: ProfileView) -> go.Figure:
    share_none = view.key.share_none
    return charts.category_split(
        view.split,
        title=t(
            "title_split", share=fmt.pct(share_none) if share_none is not None else t("suppressed"),
            name=view.name, group_lower=reference.group_label(view.group).lower(),
            month=fmt.month_short(view.month),
        ),
        subtitle=t("subtitle_split"),
    )  # fmt: skip


def split(view: ProfileView) -> None:
    """The 0 / 1–5 / 6+ split over time."""
    if not view.split.height:
        return
    fig = data.figure(_split_figure, view)
    st.plotly_chart(fig, key="profile_split", alt=t("alt_split", name=view.name))
    view_table_behind(
        _split_table, view, download=("profile_split", "", fig),
        spec=[("month", t("col_month"), "month"), ("persons", t("kf_persons"), "int")]
        + [(share, t(part), "pct") for share, part in (("share_none", "persons_0"), ("share_1_5", "persons_1_5"),
                                                       ("share_6plus", "persons_6plus"))],
    )  # fmt: skip


def breakdowns(view: ProfileView) -> None:
    group_short = reference.group_label(view.group, short=True)
    breakdown_charts(
        t("breakdown_heading", month=fmt.month_long(view.month)), view, f"{view.name}, {group_short}", "profile",
    )  # fmt: skip


def _letter_figure(view: ProfileView) -> go.Figure:
    row = view.status.letter
    assert row is not None  # drawn only when the view has the letter row
    return charts.letter_bars(
        [view.name, t("national")],
        [row["share_before"], row["national_before"]], [row["share_after"], row["national_after"]],
        title=t("title_letter", name=view.name, change=fmt.pp(row["change"]), national=fmt.pp(row["national_change"])),
        subtitle=t("subtitle_letter", verdict=row["moved"]),
    )  # fmt: skip


def letter(view: ProfileView) -> None:
    """The letter's effect: THE letter effect (views.parts.letter), as the follow-up list and brief use it."""
    st.subheader(t("letter_heading"))
    if not view.status.letter_covered:
        st.info(t("letter_not_covered"))
        return
    row = view.status.letter
    if row is None:
        st.caption(t("letter_hidden", name=view.name))
        return
    fig = data.figure(_letter_figure, view)
    st.plotly_chart(fig, key="profile_letter", alt=t("alt_letter", name=view.name))
    table = pl.DataFrame(
        {
            "unit": [view.name, t("national")],
            "before": [row["share_before"], row["national_before"]],
            "after": [row["share_after"], row["national_after"]],
            "change": [row["change"], row["national_change"]],
        }
    )
    table_behind(
        table,
        [
            ("unit", t("letter_table_unit"), "text"),
            ("before", t("letter_before"), "pct"),
            ("after", t("letter_after"), "pct"),
            ("change", t("col_change"), "pp"),
        ],
        download=("profile_letter", "", fig, view.selection),
    )


COMPARE_MONTHS = 24


def _chosen_figure(comparison: Comparison, view: ProfileView) -> go.Figure:
    group = reference.group_label(view.group, short=True).lower()
    return meeting.chosen_lines(
        comparison.trend, comparison.codes, comparison.names, fmt.add_months(view.month, -(COMPARE_MONTHS - 1)),
        view.month, t("chosen_title", name=view.name, group=group), t("chosen_subtitle"), group=view.group,
    )  # fmt: skip


def _chosen_trend_table(comparison: Comparison) -> pl.DataFrame:
    return comparison.trend.select("name", "month", "persons", "share_joblogged")


def chosen(view: ProfileView, comparison: Comparison | None, selection: Selection) -> None:
    """The municipality side by side with up to 8 municipalities the user picks (the choice is in the URL):
    `comparison` is views.profile.compared for the selection, None while none are chosen."""
    names = dict(reference.municipalities().select("code", "name").iter_rows())
    options = sorted((c for c in names if c != view.code), key=lambda c: names[c])
    st.multiselect(
        t("chosen_pick"), options, format_func=lambda code: names[code], max_selections=MAX_COMPARE,
        help=t("chosen_help"), **state.prepare_widget("compare", selection),
    )  # fmt: skip
    if comparison is None:
        st.caption(t("chosen_none", name=view.name))
        return
    st.markdown(f"**{t('chosen_heading', month=fmt.month_long(view.month))}**")
    st.dataframe(
        fmt.display_table(comparison.table, [
            ("name", t("col_municipality"), "text"), ("persons", t("kf_persons"), "int"),
            ("share", t("kf_share"), "pct"), ("lower", t("col_lower"), "pct"), ("upper", t("col_upper"), "pct"),
            ("change_year", t("col_change_year"), "pp"),
        ]),
        hide_index=True, key="profile_chosen_table",
    )  # fmt: skip
    fig = _chosen_figure(comparison, view)  # a few lines: cheap, and keyed by the choice itself
    group = reference.group_label(view.group, short=True).lower()
    st.plotly_chart(fig, key="profile_chosen", alt=t("chosen_title", name=view.name, group=group))
    table_behind(
        _chosen_trend_table(comparison),
        [("name", t("col_municipality"), "text"), ("month", t("col_month"), "month"),
         ("persons", t("kf_persons"), "int"), ("share_joblogged", t("kf_share"), "pct")],
        download=("profile_chosen", "", fig, selection),
    )  # fmt: skip
