"""Kommuneprofil: one municipality against the nation, its region and its peers. Layout only."""

from __future__ import annotations

from functools import partial

import polars as pl
import streamlit as st

from joblog_dash.analysis import stats
from joblog_dash.charts import profile as charts
from joblog_dash.charts import style
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui import cache as data
from joblog_dash.ui import downloads
from joblog_dash.ui import fair as fair_ui
from joblog_dash.ui.layout import page_setup
from joblog_dash.ui.sections import breakdown_section, table_behind
from joblog_dash.views import profile

PEERS_K = 5


@st.cache_data(max_entries=16, show_spinner=False)
def _ranks(facts_path: str, group: str) -> pl.DataFrame:
    # ~1 s for every month of the demo data; computed once per dataset version and group.
    return profile.rank_table(data.query("panel", group))


@st.cache_data(max_entries=16, show_spinner=False)
def _letter(facts_path: str, group: str) -> pl.DataFrame:
    return profile.before_after_letter(data.query("panel", group))


@st.cache_data(max_entries=64, show_spinner=False)
def _peers(facts_path: str, month: object, labels: tuple[tuple[str, str], ...]) -> pl.DataFrame:
    features = profile.peer_features(data.query("group_sizes", month), reference.municipalities())
    return stats.peers(features, k=PEERS_K, labels=dict(labels))


def _trend_table(series: list[charts.Series], groups: tuple[str, ...]) -> pl.DataFrame:
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


ctx = page_setup(t("nav_profile"), show_filters=("municipality", "month", "group"))
f = ctx.filters
code, month, group = f.municipality, f.month, f.group
facts = str(ctx.db.facts_path)
name = reference.municipality_name(code)
region = reference.area_of_municipality(code, "region")
group_short = reference.group_label(group, short=True)
month_label = fmt.month_short(month)
groups = ctx.choices.groups
VIEW = ("profile", code, month, group)  # everything a figure of this page depends on

own = data.query("trend", codes=[code])
region_trend = data.query("trend", area=region.key)
nation = data.query("trend", area=reference.NATIONAL)

# --- Peers ---
labels = {"population": t("peer_population")} | {
    g: t("peer_group_rate", group=reference.group_label(g, short=True).lower()) for g in groups
}
peer_rows = _peers(facts, month, tuple(sorted(labels.items()))).filter(pl.col("code") == code).sort("rank")
peer_codes = peer_rows["peer_code"].to_list()
if peer_codes:
    st.markdown(
        t(
            "profile_peers",
            names=", ".join(reference.municipality_name(c) for c in peer_codes),
            reason=peer_rows["reason"][0],
        )
    )
peer_trend = data.query("trend", codes=peer_codes) if peer_codes else own.clear()

# --- Key figures ---
own_group = own.filter(pl.col("benefit_group") == group)
region_group = region_trend.filter(pl.col("benefit_group") == group)
kf = profile.key_figures(own_group, month)
ranks = _ranks(facts, group)
own_ranks = ranks.filter(pl.col("municipality_code") == code).sort("month")
rank_now = own_ranks.filter(pl.col("month") == month)
region_kf = profile.key_figures(region_group, month)

st.subheader(t("profile_key_heading", name=name, group=group_short.lower(), month=fmt.month_long(month)))
if kf.persons == 0:
    st.info(t("kf_no_data", month=fmt.month_long(month)))
# Two rows of three: six metrics in one row truncate their values on a laptop screen.
row1, row2 = st.columns(3), st.columns(3)
cols = [row1[0], row1[1], row2[0], row2[1], row1[2], row2[2]]
cols[0].metric(
    t("kf_share"),
    fmt.pct(kf.share),
    help=t(
        "kf_share_help",
        lower=fmt.pct(kf.lower),
        upper=fmt.pct(kf.upper),
        joblogged=fmt.number(kf.persons - kf.persons_0),
        persons=fmt.number(kf.persons),
    ),
)
cols[1].metric(
    t("kf_change_year", month=fmt.month_short(fmt.add_months(month, -12))),
    fmt.pp(kf.change_year),
    help=t("kf_change_year_help", share=fmt.pct(kf.share_year_ago)),
)
cols[2].metric(t("kf_persons"), fmt.number(kf.persons))
cols[3].metric(
    t("kf_persons_0"), fmt.number(kf.persons_0), help=t("kf_persons_0_help", share=fmt.pct(kf.share_none))
)
if rank_now.height and rank_now["rank"][0] is not None:
    r = rank_now.row(0, named=True)
    cols[4].metric(
        t("kf_rank", ranked=r["ranked"]),
        t("kf_rank_value", rank=r["rank"], lower=r["rank_lower"], upper=r["rank_upper"]),
        help=t("kf_rank_help"),
    )
else:
    cols[4].metric(t("kf_rank", ranked=98), fmt.MISSING)
diff = kf.share - region_kf.share if kf.share is not None and region_kf.share is not None else None
cols[5].metric(
    t("kf_region", region=region.label),
    fmt.pct(region_kf.share),
    delta=fmt.pp_metric(diff),
    delta_color="off",  # grey: the difference is information, not a verdict in red/green
    delta_arrow="off" if not diff else "auto",
    help=t("kf_region_help"),
)
# Under the metric, not as its delta description: a caption wraps, the description is cut off ("regi…").
cols[5].caption(t("kf_region_delta", name=name))

# --- Every group over time against nation, region and peers ---
blue, orange, black, grey = charts.series_styles()
series = [
    charts.Series(name, own, blue, width=2.5),
    charts.Series(region.label, region_trend, orange, dash="dash"),
    charts.Series(t("national"), nation, black, dash="dot", width=1.5),
]
if peer_codes:
    series.append(charts.Series(t("series_peers"), peer_trend, grey, width=1.5))
position = profile.position_since(own_group, region_group)
fig = data.figure(
    ("trend", *VIEW),
    partial(
        charts.trend_panels,
        series,
        groups,
        title=f"{charts.position_title(name, t('ref_region'), position)} ({group_short.lower()})",
        subtitle=t("subtitle_trend_all"),
    ),
)
st.plotly_chart(fig, key="profile_trend", alt=t("alt_trend", name=name, region=region.label))
table_behind(
    _trend_table(series, tuple(groups)),
    [
        ("unit", t("letter_table_unit"), "text"),
        ("benefit_group", t("filter_group"), "text"),
        ("month", t("col_month"), "month"),
        ("persons", t("kf_persons"), "int"),
        ("share_joblogged", t("kf_share"), "pct"),
    ],
    view=("trend", *VIEW),
)

left, right = st.columns(2)
# --- Rank over time with its interval ---
with left:
    if own_ranks.drop_nulls("rank").height:
        latest = (rank_now if rank_now.height else own_ranks.drop_nulls("rank").tail(1)).row(0, named=True)
        fig = data.figure(
            ("rank", *VIEW),
            partial(
                charts.rank_band,
                own_ranks,
                title=charts.rank_title(name, latest, fmt.month_short(latest["month"])),
                subtitle=t("subtitle_rank", group=group_short),
            ),
        )
        st.plotly_chart(fig, key="profile_rank", alt=t("alt_rank", name=name))
        table_behind(
            own_ranks.drop_nulls("rank"),
            [
                ("month", t("col_month"), "month"),
                ("share", t("kf_share"), "pct"),
                ("rank", t("col_rank"), "int"),
                ("rank_lower", t("col_lower"), "int"),
                ("rank_upper", t("col_upper"), "int"),
            ],
            view=("rank", *VIEW),
        )

# --- The 0 / 1-5 / 6+ split over time ---
with right:
    split_rows = own_group.filter(pl.col("persons") > 0)
    if split_rows.height:
        fig = data.figure(
            ("split", *VIEW),
            partial(
                charts.category_split,
                split_rows,
                title=t(
                    "title_split",
                    share=fmt.pct(kf.share_none),
                    name=name,
                    group_lower=reference.group_label(group).lower(),
                    month=month_label,
                ),
                subtitle=t("subtitle_split"),
            ),
        )
        st.plotly_chart(fig, key="profile_split", alt=t("alt_split", name=name))
        split_table = split_rows.with_columns(
            [
                (pl.col(c) / pl.col("persons")).alias(f"{c}_share")
                for c in ("persons_0", "persons_1_5", "persons_6plus")
            ]
        )
        table_behind(
            split_table,
            [("month", t("col_month"), "month"), ("persons", t("kf_persons"), "int")]
            + [(f"{c}_share", t(c), "pct") for c in ("persons_0", "persons_1_5", "persons_6plus")],
            view=("split", *VIEW),
        )

# --- Gender and age for the month ---
breakdown_section(
    t("breakdown_heading", month=fmt.month_long(month)), month, group, f"{name}, {group_short}", "profile",
    VIEW, codes=[code],
)  # fmt: skip

# --- After the letter ---
st.subheader(t("letter_heading"))
if not profile.covers_letter(ctx.choices.months):
    st.info(t("letter_not_covered"))
else:
    letter = _letter(facts, group).filter(pl.col("code") == code)
    if letter.height and letter["share_before"][0] is not None:
        row = letter.row(0, named=True)
        fig = data.figure(
            ("letter", *VIEW),
            partial(
                charts.letter_bars,
                [name, t("national")],
                [row["share_before"], row["national_before"]],
                [row["share_after"], row["national_after"]],
                title=t(
                    "title_letter",
                    name=name,
                    change=fmt.pp(row["change"]),
                    national=fmt.pp(row["national_change"]),
                ),
                subtitle=t("subtitle_letter", verdict=row["classification"]),
            ),
        )
        st.plotly_chart(fig, key="profile_letter", alt=t("alt_letter", name=name))
        letter_table = pl.DataFrame(
            {
                "unit": [name, t("national")],
                "before": [row["share_before"], row["national_before"]],
                "after": [row["share_after"], row["national_after"]],
                "change": [row["change"], row["national_change"]],
            }
        )
        table_behind(
            letter_table,
            [
                ("unit", t("letter_table_unit"), "text"),
                ("before", t("letter_before"), "pct"),
                ("after", t("letter_after"), "pct"),
                ("change", t("col_change"), "pp"),
            ],
            view=("letter", *VIEW),
        )

# --- Follow-up: funnel position, active signals and the p-chart (logic in joblog_dash/ui/fair.py) ---
fair_ui.render_profile_followup(
    f, style.DEMO_SOURCE if ctx.manifest.is_demo else f"Kilde: {ctx.manifest.source}"
)

# --- Meeting-ready: the table behind the key figures and the municipal visit brief -----------------------
st.subheader(t("brief_heading"))
downloads.view_downloads(ctx.db, "profile", f, "profile_table")
downloads.brief_downloads(ctx.db, code, month, group)
