"""Figures several screens share, each computed once per dataset version and the filters it depends on.

The national panel of a group, the funnel of a month, the ranks over time, the letter's effect and the
peers: the Kommuner, Kommuneprofil and Opfølgning views, the brief, the deck and the exports all take them
from here, so there is one funnel, one letter effect, one peer rule.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import polars as pl

from joblog_dash.analysis import fair, followup, municipal, privacy, standardise, stats
from joblog_dash.data import queries, reference
from joblog_dash.data.aggregates import COUNTS
from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.text.strings import t
from joblog_dash.views.cache import cached
from joblog_dash.views.selection import Selection

PEER_COUNT = 5
# Every Selection field THE funnel reads: its cache key, and the key of every figure or table drawn from it
# (ui.fair, exporting.tables), so a field added here can never be dropped from one of them.
FUNNEL_FIELDS = ("month", "group", "area", "measure", "overdispersion", "target", "basis")


@cached("group")
def months(db: JoblogDB, sel: Selection) -> list[date]:
    return queries.months(db)


@cached("group")
def benefit_groups(db: JoblogDB, sel: Selection) -> list[str]:
    return queries.benefit_groups(db)


def _months(db: JoblogDB) -> list[date]:
    return months(db, Selection(date(1900, 1, 1), ""))


@cached("group")
def _breakdown_values(db: JoblogDB, sel: Selection) -> dict[str, list[str]]:
    return queries.breakdown_values(db)


def breakdown_values(db: JoblogDB) -> dict[str, list[str]]:
    """The breakdown categories of the dataset (three queries: asked once per version, not per rerun)."""
    return _breakdown_values(db, Selection(date(1900, 1, 1), ""))


@cached("group")
def panel(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """Every municipality and month of one group (the national panel)."""
    return queries.panel(db, sel.group)


@cached("month", "group")
def snapshot(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """Every municipality in one month and group (national; areas filter it)."""
    return queries.snapshot(db, sel.month, sel.group)


@cached("month", "group", "area")
def area_snapshot(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """The area's municipalities in one month and group: the national snapshot's rows (in code order), so
    every area of a month shares one query."""
    snap = snapshot(db, sel)
    return snap if sel.is_national else snap.filter(pl.col("municipality_code").is_in(sel.area_codes or []))


@cached("area")
def area_trend(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """The area's (a region's, or the country's) monthly trend in every group, published row by row
    (month-independent: shared by every month's profile and deck)."""
    return privacy.publish(queries.trend(db, area=sel.area), keep=("month", "benefit_group"))


@cached("month")
def month_counts(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """Every municipality's counts in the month, every group (one query where a snapshot per group is
    three)."""
    return queries.month_counts(db, sel.month)


@cached(*FUNNEL_FIELDS, stored=True)
def funnel(db: JoblogDB, sel: Selection) -> fair.FunnelData:
    """THE funnel: the measure's share per municipality of the area against the country's (or the area's)
    target, with over-dispersion as chosen. Raises ValueError when nobody has persons that month.

    With basis "adjusted" each municipality is judged against its own expected share (issue 14): the
    standardised share (observed/expected × the national share) against limits from its expected count,
    so the funnel chart, the map, the table and the follow-up list follow the choice unchanged."""
    if sel.basis == "adjusted":
        return _adjusted_funnel(db, sel)
    return fair.funnel_data(
        snapshot(db, sel), sel.measure, sel.area_codes, sel.overdispersion, sel.target_kind
    )


@cached("month", "group")
def cells(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """The month's facts per municipality x gender x age group x origin (queries.standardise_cells; ~0.4 MB
    on demo data): read once for the expected figures, the adjusted funnel and the breakdowns of an area or
    of municipalities, instead of a scan of the facts for each."""
    return queries.standardise_cells(db, sel.month, sel.group)


@cached("month", "group")
def expected_counts(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """Per municipality: code, persons, observed and expected (persons with job search), unsuppressed —
    for sums over an area (its adjusted share), never shown as they are."""
    counts, _, _ = standardise.expected_counts(cells(db, sel))
    return counts


def _adjusted_funnel(db: JoblogDB, sel: Selection) -> fair.FunnelData:
    cells_ = cells(db, sel)
    std = standardise.standardise(cells_, sel.measure, sel.overdispersion, area_codes=sel.area_codes)
    national = std.national_share
    rows = std.table.filter(pl.col("persons").fill_null(0) > 0)
    scale = national / pl.col("expected_share")
    lower, upper = stats.wilson_interval(rows["observed"].to_numpy(), rows["persons"].to_numpy())
    table = (
        rows.select(
            "code",
            "name",
            "region",
            "persons",
            pl.col("observed").cast(pl.Int64).alias("successes"),
            # observed/expected × national exceeds 1 where a municipality beats its expected share by more
            # than the country falls short of 100 pct.: shown as 100 pct. (Om tallene), judged unclipped
            # (z and the verdict rest on the ratio).
            (pl.col("ratio") * national).clip(upper_bound=1.0).alias("share"),
            "expected_share",
            (pl.Series(lower) * scale).clip(upper_bound=1.0).alias("lower"),
            (pl.Series(upper) * scale).clip(upper_bound=1.0).alias("upper"),
            "z",
            "verdict",
            "outside_998",
            *[(pl.col(c) * national).alias(c) for c in ("lower_95", "upper_95", "lower_998", "upper_998")],
        )
        .with_columns(privacy.suppression_mask(rows["persons"]).alias("suppressed"))
        .sort("code")
    )
    result = stats.FunnelResult(table=table, tau2=std.tau2, target=national, q=std.q, exact=std.exact)
    return fair.FunnelData(table=table, result=result, measure=sel.measure, target_kind="national")


@cached(*FUNNEL_FIELDS, stored=True)
def published_funnel(db: JoblogDB, sel: Selection) -> fair.FunnelData:
    """THE funnel as every surface shows it: the same statistics, the table published."""
    data = funnel(db, sel)
    table = privacy.publish(data.table, keep=("code", "name", "region"), total_shown=not sel.is_national)
    return fair.FunnelData(
        table=table, result=data.result, measure=data.measure, target_kind=data.target_kind
    )


@cached("group", stored=True)
def ranks(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """Rank with its interval for every municipality and month (~1 s for the demo: computed once)."""
    return municipal.rank_table(panel(db, sel))


@cached("group", "measure", "area")
def letter(db: JoblogDB, sel: Selection) -> pl.DataFrame | None:
    """THE letter's effect per municipality of the area; None when the data lacks either window."""
    if not fair.letter_covered(_months(db)):
        return None
    return fair.letter_effect(panel(db, sel), sel.measure, sel.area_codes)


@cached("month", stored=True)
def peers(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """THE peer rule: the PEER_COUNT most similar municipalities by size and group sizes per inhabitant."""
    features = municipal.peer_features(queries.group_sizes(db, sel.month), reference.municipalities())
    groups = [c for c in features.columns if c not in ("code", "region", "population")]
    labels = {"population": t("peer_population")} | {
        g: t("peer_group_rate", group=reference.group_label(g, short=True).lower()) for g in groups
    }
    return stats.peers(features, k=PEER_COUNT, labels=labels)


@cached("municipality", "month", "group", "measure")
def signals(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """THE signal rule for one municipality: the p-chart over the 24 months up to the month, suspended months
    left out, its own level from the first 12 (analysis.followup.municipality_signals)."""
    return followup.municipality_signals(panel(db, sel), sel.municipality, sel.month, sel.measure)


def funnel_curve(funnel_data: fair.FunnelData) -> pl.DataFrame:
    """The funnel's 95 % and 99.8 % limits along the number of persons, to a little past the largest."""
    n_max = float(funnel_data.table["persons"].max() or 10) * 1.2  # type: ignore[arg-type]
    return funnel_data.result.curve(n_max=n_max)


BREAKDOWNS = ("gender", "age_group")


def breakdowns(db: JoblogDB, sel: Selection, codes: list[int] | None = None) -> dict[str, pl.DataFrame]:
    """The chosen month and group by gender and by age group, for the area or the given municipalities;
    published (a category of 1–4 persons hidden, and its complement)."""
    values = breakdown_values(db)
    scope = codes if codes is not None else sel.area_codes
    out = {}
    for dimension in BREAKDOWNS:
        if values.get(dimension):
            if scope is None:  # the whole country: the small national aggregate
                frame = queries.breakdown(db, sel.month, sel.group, dimension)
            else:  # municipalities: sums over the month's cells, which the expected figures read anyway
                frame = cell_breakdown(cells(db, sel), dimension, scope)
            out[dimension] = privacy.publish(frame, keep=("category",), total_shown=True)
    return out


def cell_breakdown(cells_: pl.DataFrame, dimension: str, codes: list[int]) -> pl.DataFrame:
    """queries.breakdown's frame for the municipalities `codes`, summed from a standardise_cells frame: the
    counts per category and the shares as ratios of the sums (null without persons), sorted by category."""
    counts = (
        cells_.filter(pl.col("municipality_code").is_in(codes))
        .group_by(pl.col(dimension).alias("category"))
        .agg(pl.col(c).sum() for c in COUNTS)
        .sort("category")
    )
    persons = pl.col("persons")

    def share(numerator: pl.Expr) -> pl.Expr:
        return pl.when(persons != 0).then(numerator / persons)

    return counts.with_columns(
        share(persons - pl.col("persons_0")).alias("share_joblogged"),
        share(pl.col("persons_0")).alias("share_none"),
        share(pl.col("persons_6plus")).alias("share_6plus"),
        share(pl.col("job_searches")).alias("searches_per_person"),
    )


@cached("month", "group", "area")
def area_breakdowns(db: JoblogDB, sel: Selection) -> dict[str, pl.DataFrame]:
    return breakdowns(db, sel)


@cached("month", "group", "area", "measure", "overdispersion", stored=True)
def expected(db: JoblogDB, sel: Selection) -> standardise.Standardised:
    """THE expected-versus-actual comparison (indirect standardisation by the dataset's breakdowns) for the
    area's municipalities against national rates, published: the ratio reveals the observed count as
    surely as the share does, so it is hidden with it."""
    result = standardise.standardise(
        cells(db, sel), sel.measure, sel.overdispersion, area_codes=sel.area_codes
    )
    table = privacy.publish(result.table, keep=("code", "name", "region"), successes="observed")
    hidden = pl.col("observed").is_null()
    table = table.with_columns(
        [pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in ("expected", "ratio", "difference",
                                                                          "expected_share", "composition_effect")]
    )  # fmt: skip
    return dataclasses.replace(result, table=table)
