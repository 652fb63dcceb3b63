"""Kommuner: the municipal spread for a month, benefit group and area.

`build(db, selection)` returns every number the page shows: the published snapshot of the area (ranked),
the country's (for the regions), the pooled shares and the table with sparklines. The helpers below are
pure (polars frames in and out), so they are tested without a page. Shares stay fractions 0..1.

Display tables hold pre-formatted Danish text (decimal comma, "pct."), because st.dataframe's number
formats follow the browser's locale or printf (decimal point) and cannot be pinned to Danish. To keep
sorting sensible the table keeps a numeric rank column (rank 1 = highest share), so sorting on rank is
sorting on the share; persons are kept numeric (sortable) as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from joblog_dash.analysis import fair, privacy, stats
from joblog_dash.data import queries, reference
from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.views import parts
from joblog_dash.views.cache import cached
from joblog_dash.views.selection import Selection

SPARK_MONTHS = 12


# --- Kommuner ---------------------------------------------------------------------------------------------


RAW, ADJUSTED = "share_joblogged", "share_adjusted"  # the ranked column for each basis (Selection.basis)


def suppressed_snapshot(snapshot: pl.DataFrame, value: str = RAW) -> pl.DataFrame:
    """The snapshot with shares of municipalities under MIN_PERSONS hidden (and secondary suppression),
    ranked by `value` (1 = highest).

    The area total is shown beside the municipalities, so secondary suppression applies. The 0 / 1–5 / 6+
    split is hidden with the share, since it would reveal it.
    """
    frame = privacy.publish(snapshot, keep=queries.ROW_IDS, total_shown=True)
    return frame.with_columns(pl.col(value).rank("min", descending=True).cast(pl.Int32).alias("rank"))


def with_adjusted(snapshot: pl.DataFrame, adjusted: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """The snapshot with THE adjusted funnel's standardised share and expected share (views.parts.funnel
    with basis "adjusted"), so the ranking judges each municipality by the same numbers as the funnel, and
    the expected count (unsuppressed, for an area's sum: views.parts.expected_counts)."""
    columns = adjusted.select(
        pl.col("code").alias("municipality_code"), pl.col("share").alias(ADJUSTED), "expected_share"
    ).join(
        counts.select(pl.col("code").alias("municipality_code"), "expected"),
        on="municipality_code",
        how="left",
    )
    return snapshot.join(columns, on="municipality_code", how="left")


def area_share(snapshot: pl.DataFrame, national: float | None = None) -> float | None:
    """Ratio of sums over the municipalities of the (unsuppressed) snapshot, published: a sum over several
    municipalities is shown like any count (None when it, or the count with or without job search, is 1–4).

    With `national` (the country's share) and the adjusted columns: the area's standardised share,
    Σ observed / Σ expected × the national share, published by the same counts."""
    persons = int(snapshot["persons"].sum())
    if not persons:
        return None
    none = int(snapshot["persons_0"].sum())
    share = (persons - none) / persons
    if national is not None:
        expected = float(snapshot["expected"].fill_null(0).sum())
        share = (persons - none) / expected * national if expected else 0.0
    pooled = pl.DataFrame({"persons": [persons], "persons_0": [none], "share_joblogged": [share]})
    value = privacy.publish(pooled)["share_joblogged"][0]
    return None if value is None else float(value)


def ranked_title(shown: pl.DataFrame, area_label: str, value: str = RAW) -> str:
    """The ranked chart's message: who is lowest in the area, e.g. 'Lolland har den laveste andel ...'."""
    visible = shown.filter(pl.col(value).is_not_null())
    if visible.is_empty():
        return t("ranked_title_empty", area=area_label)
    lowest = visible.sort(value).row(0, named=True)
    where = t("in_country") if area_label == t("national") else t("in_area", area=area_label)
    return t(
        "ranked_title" if value == RAW else "ranked_title_adjusted",
        name=lowest["name"],
        where=where,
        share=fmt.pct(lowest[value], 0),
    )


def sparklines(panel: pl.DataFrame, month: date) -> pl.DataFrame:
    """municipality_code -> list of the last SPARK_MONTHS shares in percent (None where under 5 persons)."""
    first = fmt.add_months(month, -(SPARK_MONTHS - 1))
    months = pl.DataFrame({"month": pl.date_range(first, month, "1mo", eager=True)})
    codes = panel.select("municipality_code").unique()
    recent = privacy.publish(panel.filter(pl.col("month").is_between(first, month)), keep=queries.ROW_IDS)
    values = recent.select("municipality_code", "month", (pl.col("share_joblogged") * 100).alias("value"))
    return (
        codes.join(months, how="cross")
        .join(values, on=["municipality_code", "month"], how="left")
        .sort("month")
        .group_by("municipality_code", maintain_order=True)
        .agg(pl.col("value").alias("trend"))
    )


def _text(values: pl.Series, formatter, suppressed: pl.Series) -> list[str]:  # type: ignore[no-untyped-def]
    """Danish text per cell: "for få personer" for a hidden row or a figure the disclosure rule hid."""
    return [
        t("suppressed") if hidden or v is None else formatter(v)
        for v, hidden in zip(values, suppressed, strict=True)
    ]


def display_table(shown: pl.DataFrame, spark: pl.DataFrame, value: str = RAW) -> pl.DataFrame:
    """The table under the ranked chart, one row per municipality, Danish text, sorted by rank (of `value`:
    with the adjusted basis the expected and the adjusted share stand beside the actual one)."""
    frame = shown.join(spark, on="municipality_code", how="left").sort(["rank", "name"], nulls_last=True)
    hidden = frame["suppressed"]
    # Uncertainty next to every share and rank (issue 4): Wilson 95 % interval and a 95 % rank interval
    # from stats.rank_intervals; suppressed rows take no part (persons 0) and show nothing.
    shown = frame["share_joblogged"].is_not_null().to_numpy()
    persons = frame["persons"].fill_null(0).to_numpy() * shown
    logged = (frame["persons"] - frame["persons_0"]).fill_null(0).to_numpy() * shown
    lower, upper = stats.wilson_interval(logged, persons)
    # Adjusted: ranks of the standardised shares, simulated as if each were observed on the municipality's
    # persons (its sampling spread is the actual share's, scaled by national / expected share: close to it).
    ranked = logged if value == RAW else np.rint(frame[value].fill_null(0).to_numpy() * persons)
    ranks = stats.rank_intervals(persons, ranked)
    adjusted = (
        {
            t("std_expected_share"): _text(frame["expected_share"], fmt.pct, hidden),
            t("col_share_adjusted"): _text(frame[value], fmt.pct, hidden),
        }
        if value != RAW
        else {}
    )
    return pl.DataFrame(
        {
            "municipality_code": frame["municipality_code"],
            t("col_rank"): frame["rank"],
            t("col_rank_interval"): [
                "" if h or lo is None else f"{lo}.–{up}."
                for lo, up, h in zip(ranks["rank_lower"], ranks["rank_upper"], hidden, strict=True)
            ],
            t("col_municipality"): frame["name"],
            t("col_region"): frame["region"],
            t("col_share"): _text(frame["share_joblogged"], fmt.pct, hidden),
            t("col_interval"): [
                "" if h or not persons_n else fmt.pct_range(lo, up)
                for lo, up, h, persons_n in zip(lower, upper, hidden, persons, strict=True)
            ],
            **adjusted,
            t("col_change_month"): _text(
                frame["share_joblogged"] - frame["share_joblogged_prev_month"], fmt.pp, hidden
            ),
            t("col_change_year"): _text(
                frame["share_joblogged"] - frame["share_joblogged_year_ago"], fmt.pp, hidden
            ),
            t("col_persons"): _text(frame["persons"], fmt.number, hidden),
            t("persons_0"): _text(frame["persons_0"], fmt.number, hidden),
            t("persons_1_5"): _text(frame["persons_1_5"], fmt.number, hidden),
            t("persons_6plus"): _text(frame["persons_6plus"], fmt.number, hidden),
            t("export_col_searches"): _text(frame["searches_per_person"], lambda v: fmt.number(v, 1), hidden),
            t("col_trend"): frame["trend"],
            "suppressed": hidden,
        }
    )


def filter_by_name(frame: pl.DataFrame, query: str, column: str = "name") -> pl.DataFrame:
    """Rows whose name contains the query (case-insensitive, literal: no regex from user input)."""
    text = query.strip().lower()
    if not text:
        return frame
    return frame.filter(pl.col(column).str.to_lowercase().str.contains(text, literal=True))


@dataclass(frozen=True)
class SpreadView:
    selection: Selection
    area_label: str
    group_label: str
    month_label: str
    shown: pl.DataFrame  # published snapshot of the area, one row per municipality, with rank
    national: pl.DataFrame  # published snapshot of the country (the regions' medians)
    national_share: float | None
    area_share: float | None  # None for the whole country
    table: pl.DataFrame  # display_table with the sparklines (municipality_code and suppressed kept)
    funnel: fair.FunnelData | None  # THE funnel, published, for the measure and options chosen (None: nobody)

    @property
    def value(self) -> str:
        """The column the ranking, the region boxes and the title read: the actual or the adjusted share."""
        return ADJUSTED if self.selection.basis == "adjusted" else RAW

    @property
    def visible(self) -> pl.DataFrame:
        """The municipalities whose share is shown, lowest first."""
        return self.shown.filter(pl.col(self.value).is_not_null()).sort(self.value)

    @property
    def hidden_names(self) -> list[str]:
        return self.shown.filter(pl.col(self.value).is_null()).sort("name")["name"].to_list()


def _funnel(db: JoblogDB, sel: Selection) -> fair.FunnelData | None:
    try:
        return parts.published_funnel(db, sel)
    except ValueError:  # nobody has persons that month
        return None


@cached(*parts.FUNNEL_FIELDS, stored=True)
def build(db: JoblogDB, sel: Selection) -> SpreadView:
    national_raw = parts.snapshot(db, sel)
    raw = national_raw if sel.is_national else queries.snapshot(db, sel.month, sel.group, sel.area)
    national_share = area_share(national_raw)
    adjusted = sel.basis == "adjusted" and national_share is not None
    value = ADJUSTED if sel.basis == "adjusted" else RAW
    if adjusted:
        # THE adjusted funnel (measure: with job search; the share does not depend on the funnel's options).
        funnel = parts.funnel(db, sel.only("month", "group", "basis")).table
        counts = parts.expected_counts(db, sel)
        national_raw, raw = with_adjusted(national_raw, funnel, counts), with_adjusted(raw, funnel, counts)
    elif value == ADJUSTED:  # nobody has persons this month: nothing to adjust, nothing shown
        national_raw = raw = raw.with_columns(
            pl.lit(None, pl.Float64).alias(c) for c in (value, "expected_share")
        )
    shown = suppressed_snapshot(raw, value)
    start = fmt.add_months(sel.month, -(SPARK_MONTHS - 1))
    panel = queries.panel(db, sel.group, sel.area, start=start, end=sel.month)
    return SpreadView(
        selection=sel,
        area_label=t("national") if sel.is_national else sel.area_label,
        group_label=reference.group_label(sel.group),
        month_label=fmt.month_long(sel.month),
        shown=shown,
        national=shown if sel.is_national else suppressed_snapshot(national_raw, value),
        national_share=national_share,
        area_share=None if sel.is_national else area_share(raw, national_share if adjusted else None),
        table=display_table(shown, sparklines(panel, sel.month), value),
        funnel=_funnel(db, sel),
    )
