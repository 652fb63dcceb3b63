"""Kommuneprofil: one municipality against the country, its region and its peers.

`build(db, selection)` returns every number the page shows; the visit brief, the deck's municipality slide
and `joblog-dash export profile` render the same object, so they cannot disagree. Every frame in it is
published (analysis.privacy), and every scalar is read from a published frame.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from joblog_dash.analysis import municipal, privacy, standardise, stats
from joblog_dash.analysis.municipal import KeyFigures, Position
from joblog_dash.data import queries, reference
from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.text import fmt
from joblog_dash.views import parts
from joblog_dash.views.cache import cached
from joblog_dash.views.selection import Selection

TREND_KEEP = ("month", "benefit_group")
# The follow-up status is judged on the defaults of every screen: share joblogged, against the country,
# over-dispersion allowed for — so the brief, the deck and the page say the same whatever the page's radio.
STATUS_MEASURE = "joblogged"


@dataclass(frozen=True)
class FollowupStatus:
    """THE funnel verdict, THE signal rule and THE letter effect for one municipality, month and group."""

    funnel: dict | None  # published row of parts.funnel (share, lower, upper, z, verdict, outside_998, …)
    signals: pl.DataFrame  # published p-chart table of the 24-month window
    signal_text: str | None  # None when the month rests on too few persons
    signal_active: bool
    signal_adverse: bool
    letter: dict | None  # published row of parts.letter; None when not covered or no row
    letter_covered: bool
    funnel_table: pl.DataFrame | None  # every municipality, published (for the brief's and deck's funnel)
    funnel_curve: pl.DataFrame | None  # the limits along the number of persons
    funnel_target: float | None
    expected: dict | None  # published row of parts.expected: expected share, ratio, verdict (issue 14)
    adjustment: str  # what the expected figure is adjusted for, in Danish ("køn, alder og herkomst")
    expected_sentence: str | None  # how much of the gap to the country the composition explains

    @property
    def verdict(self) -> str | None:
        return None if self.funnel is None else self.funnel["verdict"]

    @property
    def outside_998(self) -> bool:
        return bool(self.funnel and self.funnel["verdict"] is not None and self.funnel["outside_998"])


@dataclass(frozen=True)
class ProfileView:
    selection: Selection
    code: int
    name: str
    region: reference.Area
    groups: tuple[str, ...]
    months: tuple[date, ...]
    peer_codes: tuple[int, ...]
    peer_names: tuple[str, ...]
    peer_reason: str
    own: pl.DataFrame  # monthly trend of the municipality, every group
    region_trend: pl.DataFrame
    nation: pl.DataFrame
    peers_trend: pl.DataFrame
    key: KeyFigures  # the chosen group and month
    region_key: KeyFigures
    ranks: pl.DataFrame  # the municipality's rank over time (month, share, rank, rank_lower, rank_upper)
    ranked: int  # municipalities ranked in the month
    position: Position  # against the region, in the chosen group
    split: pl.DataFrame  # the chosen group's months with persons, counts and 0 / 1–5 / 6+ shares
    table: pl.DataFrame  # per group: counts, shares, region/nation/peers shares
    status: FollowupStatus
    start: date  # the brief's "since January"
    share_none_start: float | None
    region_none: float | None
    is_demo: bool
    breakdowns: dict[str, pl.DataFrame]  # the month by gender and by age group (published; page only)

    @property
    def month(self) -> date:
        return self.selection.month

    @property
    def group(self) -> str:
        return self.selection.group

    @property
    def rank_now(self) -> dict | None:
        found = self.ranks.filter((pl.col("month") == self.month) & pl.col("rank").is_not_null())
        return found.row(0, named=True) if found.height else None

    def group_row(self, group: str | None = None) -> dict | None:
        found = self.table.filter(pl.col("benefit_group") == (group or self.group))
        return found.row(0, named=True) if found.height else None


def _published_trend(frame: pl.DataFrame) -> pl.DataFrame:
    return privacy.publish(frame, keep=TREND_KEEP)


def _value(frame: pl.DataFrame, month: date, column: str) -> float | None:
    found = frame.filter(pl.col("month") == month)
    return None if found.is_empty() or found[column][0] is None else float(found[column][0])


def published_key_figures(raw: pl.DataFrame, published: pl.DataFrame, month: date) -> KeyFigures:
    """Key figures of one group's series, with every figure the published series hides left out."""
    kf = municipal.key_figures(raw, month)
    row = published.filter(pl.col("month") == month)
    if row.is_empty() or row["persons"][0] is None:
        return KeyFigures(month, None, None, None, None, None, None, None, None)  # type: ignore[arg-type]
    hidden_share = row["share_joblogged"][0] is None
    year_ago = _value(published, fmt.add_months(month, -12), "share_joblogged")
    return KeyFigures(
        month=month,
        persons=kf.persons,
        persons_0=None if row["persons_0"][0] is None else kf.persons_0,  # type: ignore[arg-type]
        share=None if hidden_share else kf.share,
        lower=None if hidden_share else kf.lower,
        upper=None if hidden_share else kf.upper,
        share_none=None if hidden_share else kf.share_none,
        share_year_ago=year_ago,
        change_year=None if hidden_share or year_ago is None else kf.change_year,
        **{c: row[c][0] for c in privacy.BOUND_COLUMNS if c in row.columns and hidden_share},
    )


def _status(db: JoblogDB, sel: Selection, months: list[date]) -> FollowupStatus:
    status_sel = Selection(sel.month, sel.group, municipality=sel.municipality, measure=STATUS_MEASURE)
    try:
        funnel = parts.funnel(db, status_sel)
    except ValueError:
        funnel = None
    funnel_row = published = curve = None
    if funnel is not None:
        published = parts.published_funnel(db, status_sel).table  # the same for every municipality
        curve = parts.funnel_curve(funnel)
        found = published.filter(pl.col("code") == sel.municipality)
        funnel_row = found.row(0, named=True) if found.height else None
        if funnel_row is not None and funnel_row["verdict"] is None:
            funnel_row = None
    raw_signals = parts.signals(db, status_sel)
    shown = privacy.publish(raw_signals, keep=("month", "excluded"))
    month_shown = (
        bool(raw_signals.height) and shown.filter(pl.col("month") == sel.month)["share"].is_not_null().any()
    )
    text, active, adverse = None, False, False
    if month_shown and raw_signals["persons"].sum() > 0:
        latest = stats.latest_signals(raw_signals)
        text, active, adverse = latest.text, latest.active, latest.adverse
    try:
        expected = parts.expected(db, status_sel)
    except ValueError:
        expected = None
    expected_row = None
    if expected is not None:
        found = expected.table.filter(pl.col("code") == sel.municipality)
        expected_row = found.row(0, named=True) if found.height and found["ratio"][0] is not None else None
    letter = parts.letter(db, Selection(sel.month, sel.group, measure=STATUS_MEASURE))
    letter_row = None
    if letter is not None:
        found = letter.filter((pl.col("code") == sel.municipality) & ~pl.col("suppressed"))
        letter_row = (
            found.row(0, named=True) if found.height and found["share_before"][0] is not None else None
        )
    return FollowupStatus(
        funnel=funnel_row, signals=shown, signal_text=text, signal_active=active, signal_adverse=adverse,
        letter=letter_row, letter_covered=letter is not None, funnel_table=published, funnel_curve=curve,
        funnel_target=None if funnel is None else funnel.result.target,
        expected=expected_row, adjustment=expected.adjustment if expected is not None else "",
        expected_sentence=None if expected_row is None else standardise.gap_sentence(expected_row, expected.adjustment),
    )  # fmt: skip


def _pooled(rows: pl.DataFrame, column: str = "share_joblogged") -> float | None:
    persons = int(rows["persons"].sum()) if rows.height else 0
    if persons < privacy.MIN_PERSONS:
        return None
    none, six = int(rows["persons_0"].sum()), int(rows["persons_6plus"].sum())
    shares = {
        "share_joblogged": (persons - none) / persons,
        "share_none": none / persons,
        "share_6plus": six / persons,
    }
    return shares[column]


def _rate(rows: pl.DataFrame) -> float | None:
    persons = int(rows["persons"].sum()) if rows.height else 0
    return int(rows["job_searches"].sum()) / persons if persons >= privacy.MIN_PERSONS else None


def group_table(db: JoblogDB, sel: Selection, peer_codes: list[int], groups: list[str]) -> pl.DataFrame:
    """Per benefit group in the month: the municipality's counts and shares, and the pooled shares of its
    region, the country and its peers (sums of several municipalities: published when 5 or more)."""
    region = reference.area_of_municipality(sel.municipality, "region")
    month_rows = parts.month_counts(db, sel)
    rows = []
    for group in groups:
        # Sums over the municipalities with data; one without has no row here (counts 0, as a snapshot's).
        snap = month_rows.filter(pl.col("benefit_group") == group)
        own = snap.filter(pl.col("municipality_code") == sel.municipality)
        counts = {c: int(own[c][0]) if own.height else 0 for c in ("persons", *privacy.PARTS)}
        persons = counts["persons"]
        shares = {
            c: (counts[k] / persons if persons else None)
            for c, k in (("share_none", "persons_0"), ("share_6plus", "persons_6plus"))
        }
        rows.append(
            {
                "benefit_group": group, **counts,
                "share_joblogged": (persons - counts["persons_0"]) / persons if persons else None, **shares,
                "region_share": _pooled(snap.filter(pl.col("region") == region.label)),
                "nation_share": _pooled(snap),
                "peers_share": _pooled(snap.filter(pl.col("municipality_code").is_in(peer_codes))),
                # Job searches per person: STAR's intensity measure, a rate (not a share of persons).
                "searches_per_person": int(own["job_searches"][0]) / persons if persons and own.height else None,
                "nation_searches": _rate(snap),
            }
        )  # fmt: skip
    floats = (
        "share_joblogged", "share_none", "share_6plus", "region_share", "nation_share", "peers_share",
        "searches_per_person", "nation_searches",
    )  # fmt: skip
    frame = pl.DataFrame(rows, schema_overrides=dict.fromkeys(floats, pl.Float64))
    published = privacy.publish(
        frame, keep=("benefit_group", "region_share", "nation_share", "peers_share", "nation_searches")
    )
    return published.with_columns((pl.col("share_joblogged") - pl.col("nation_share")).alias("diff_nation"))


# The parts of a profile that do not depend on the month (with parts.area_trend): computed once per
# municipality and group, not again for every month a user picks (an unseen month used to query and publish them all again).


@cached("municipality")
def own_trend(db: JoblogDB, sel: Selection) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The municipality's monthly trend in every group: (raw, published)."""
    raw = queries.trend(db, codes=[sel.municipality])
    return raw, _published_trend(raw)


@cached("municipality", "group")
def municipality_ranks(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """The municipality's rank over time in the group, published."""
    return _ranks(db, sel, own_trend(db, sel)[0])


@cached("municipality", "group")
def municipality_split(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """The group's months with persons and the 0 / 1–5 / 6+ shares, published."""
    raw = own_trend(db, sel)[0]
    return _split(raw.filter(pl.col("benefit_group") == sel.group))


def _ranks(db: JoblogDB, sel: Selection, own_raw: pl.DataFrame) -> pl.DataFrame:
    """THE rank (views.parts.ranks: from published figures only, a bound placed at its end) of the
    municipality per month, with the share or its bound as text."""
    rows = parts.ranks(db, sel).filter(pl.col("municipality_code") == sel.municipality)
    text = [
        None if v is None else fmt.pct(v) if k is None else fmt.bounded(k, v, v)
        for v, k in rows.select("share", "bound").iter_rows()
    ]
    return rows.with_columns(pl.Series("share_text", text, dtype=pl.String)).sort("month")


def _split(group_rows: pl.DataFrame) -> pl.DataFrame:
    rows = group_rows.filter(pl.col("persons") > 0).select("month", "persons", *privacy.PARTS)
    rows = rows.with_columns(
        (pl.col("persons_0") / pl.col("persons")).alias("share_none"),
        (pl.col("persons_1_5") / pl.col("persons")).alias("share_1_5"),
        (pl.col("persons_6plus") / pl.col("persons")).alias("share_6plus"),
    )
    return privacy.publish(rows, keep=("month",)).sort("month")


def start_month(month: date, months: list[date]) -> date:
    """January of the month's year (of the year before, in January): "since January" in the brief."""
    start = date(month.year, 1, 1) if month.month > 1 else date(month.year - 1, 1, 1)
    return start if start in months else months[0]


@cached("municipality", "month", "group", stored=True)
def build(db: JoblogDB, sel: Selection) -> ProfileView:
    code, month, group = sel.municipality, sel.month, sel.group
    months = parts.months(db, sel)
    groups = parts.benefit_groups(db, sel)
    region = reference.area_of_municipality(code, "region")
    peer_rows = parts.peers(db, sel).filter(pl.col("code") == code).sort("rank")
    peer_codes = peer_rows["peer_code"].to_list()
    own_raw, own = own_trend(db, sel)
    region_trend = parts.area_trend(db, replace(sel, area=region.key))
    nation = parts.area_trend(db, replace(sel, area=reference.NATIONAL))
    peers_trend = _published_trend(queries.trend(db, codes=peer_codes)) if peer_codes else own.clear()
    own_group_raw = own_raw.filter(pl.col("benefit_group") == group)
    own_group = own.filter(pl.col("benefit_group") == group)
    region_group = region_trend.filter(pl.col("benefit_group") == group)
    ranks = municipality_ranks(db, sel)
    ranked_now = parts.ranks(db, sel).filter(pl.col("month") == month)
    start = start_month(month, months)
    return ProfileView(
        selection=sel.only("municipality", "month", "group"),
        code=code,
        name=reference.municipality_name(code),
        region=region,
        groups=tuple(groups),
        months=tuple(months),
        peer_codes=tuple(peer_codes),
        peer_names=tuple(reference.municipality_name(c) for c in peer_codes),
        peer_reason=peer_rows["reason"][0] if peer_rows.height else "",
        own=own,
        region_trend=region_trend,
        nation=nation,
        peers_trend=peers_trend,
        key=published_key_figures(own_group_raw, own_group, month),
        region_key=published_key_figures(region_group, region_group, month),
        ranks=ranks,
        ranked=int(ranked_now["ranked"][0]) if ranked_now.height else 0,
        position=municipal.position_since(own_group, region_group),
        split=municipality_split(db, sel),
        # Only the groups that exist in the month (uddannelseshjælp ends June 2025): no row of zeros.
        table=group_table(db, sel, peer_codes, [g for g in groups if reference.group_exists(g, month)]),
        status=_status(db, sel, months),
        start=start,
        share_none_start=_value(own_group, start, "share_none"),
        region_none=_value(region_group, month, "share_none"),
        is_demo=db.manifest.is_demo,
        breakdowns=breakdowns(db, sel),
    )


@cached("municipality", "month", "group")
def breakdowns(db: JoblogDB, sel: Selection) -> dict[str, pl.DataFrame]:
    """The municipality by gender and by age group in the month, summed from the month's cells, which the
    status's expected figures read anyway (parts.cells: one read per month and group)."""
    return parts.breakdowns(db, sel, codes=[sel.municipality])


@dataclass(frozen=True)
class Comparison:
    """The profile's municipality beside the municipalities the user chose (Selection.compare)."""

    codes: tuple[int, ...]  # the profile's own first, then the chosen ones in the order chosen
    names: tuple[str, ...]
    trend: pl.DataFrame  # month, code, name, persons, share_joblogged (published) in the group
    table: pl.DataFrame  # one row per municipality: code, name, persons, share, lower, upper, change_year


@cached("municipality", "month", "group", "compare")
def compared(db: JoblogDB, sel: Selection) -> Comparison:
    """Each municipality's published series and key figures in the group, computed as the profile's own."""
    codes = (sel.municipality, *(c for c in sel.compare if c != sel.municipality))
    trends, rows = [], []
    for code in codes:
        one = replace(sel, municipality=code)
        raw, published = own_trend(db, one)
        raw_group = raw.filter(pl.col("benefit_group") == sel.group)
        group = published.filter(pl.col("benefit_group") == sel.group)
        name = reference.municipality_name(code)
        trends.append(
            group.select("month", "persons", "share_joblogged").with_columns(
                code=pl.lit(code, pl.Int32), name=pl.lit(name)
            )
        )
        kf = published_key_figures(raw_group, group, sel.month)
        rows.append(
            {"code": code, "name": name, "persons": kf.persons, "share": kf.share, "lower": kf.lower,
             "upper": kf.upper, "change_year": kf.change_year}
        )  # fmt: skip
    schema = {"code": pl.Int32, "name": pl.String, "persons": pl.Int64, "share": pl.Float64,
              "lower": pl.Float64, "upper": pl.Float64, "change_year": pl.Float64}  # fmt: skip
    return Comparison(
        codes=codes,
        names=tuple(reference.municipality_name(c) for c in codes),
        trend=pl.concat(trends).sort("code", "month"),
        table=pl.DataFrame(rows, schema=schema),
    )
