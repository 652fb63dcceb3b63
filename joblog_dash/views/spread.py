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

import polars as pl

from joblog_dash.analysis import fair, municipal, privacy, stats
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


ADJUSTED_BOUNDS = ("bound_adjusted_lower", "bound_adjusted_upper")


def suppressed_snapshot(
    snapshot: pl.DataFrame, value: str = RAW, national: float | None = None, codes: list[int] | None = None
) -> pl.DataFrame:
    """The published snapshot (privacy.publish: municipalities under MIN_PERSONS hidden whole, a share that
    would reveal 0–4 persons published as its bound), placed and ranked by `value` (THE rank:
    analysis.municipal.placement; 1 = highest).

    The area total is shown beside the municipalities, so secondary suppression applies, and every area's
    total is known from its trend, so it applies within each area too (privacy.AREA_TOTALS): `snapshot` is the
    whole country, published once, and `codes` (an area's municipalities) picks the rows ranked. The
    0 / 1–5 / 6+ split is hidden with the share, since it would reveal it. With the adjusted share
    (`national`, the country's share) a bound is scaled as the share is: × national / expected share.
    """
    frame = privacy.publish(
        snapshot, keep=queries.ROW_IDS, total_shown=True, total_groups=privacy.AREA_TOTALS
    )
    if codes is not None:
        frame = frame.filter(pl.col("municipality_code").is_in(codes))
    if value == RAW:
        return municipal.placement(frame, value)
    scale = pl.lit(national) / pl.col("expected_share") if national is not None else pl.lit(None, pl.Float64)
    frame = frame.with_columns(
        (pl.col(c) * scale).clip(upper_bound=1.0).alias(a)  # never above 100 pct., as the share itself
        for c, a in zip(privacy.BOUND_COLUMNS[1:], ADJUSTED_BOUNDS, strict=True)
    )
    # A bounded row keeps its expected share: the adjusted bound is scaled by it, and it rests on no count of
    # persons without a job search (a row hidden whole has already lost it in publish).
    return municipal.placement(frame, value, bounds=ADJUSTED_BOUNDS)


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
        share = min((persons - none) / expected * national, 1.0) if expected else 0.0
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
    """municipality_code -> list of the last SPARK_MONTHS shares in percent, a bound at its end (where a
    share would reveal 0–4 persons), months without either left out."""
    first = fmt.add_months(month, -(SPARK_MONTHS - 1))
    months = pl.DataFrame({"month": pl.date_range(first, month, "1mo", eager=True)})
    codes = panel.select("municipality_code").unique()
    recent = privacy.publish(panel.filter(pl.col("month").is_between(first, month)), keep=queries.ROW_IDS)
    share = pl.coalesce(pl.col("share_joblogged"), privacy.bound_end())
    values = recent.select("municipality_code", "month", (share * 100).round(1).alias("value"))
    # A month without a share or a bound is left out of the line (a null would break the sparkline cell).
    return (
        codes.join(months, how="cross")
        .join(values, on=["municipality_code", "month"], how="left")
        .sort("month")
        .group_by("municipality_code", maintain_order=True)
        .agg(pl.col("value").drop_nulls().alias("trend"))
    )


def _percent(values: pl.Series | pl.Expr) -> pl.Series:
    """Shares (fractions) as percent with one decimal, numeric (a table sorts them as numbers)."""
    return (values * 100).round(1)  # type: ignore[return-value]


def display_table(shown: pl.DataFrame, spark: pl.DataFrame, value: str = RAW) -> pl.DataFrame:
    """The table under the ranked chart, one row per municipality, sorted by THE rank (of `value`: with the
    adjusted basis the expected and the adjusted share stand beside the actual one).

    Every share, count, change and interval stays a number (percent for shares, percentage points for
    changes, one decimal), so the table sorts as numbers; the page formats them Danish (ui.spread). A share
    published as a bound stands at its bound's end with "mindst"/"højst" in the column before it, and its
    interval is the bound. Missing figures are null (a dash on the page)."""
    frame = shown.join(spark, on="municipality_code", how="left").sort(["rank", "name"], nulls_last=True)
    bounded = frame["bound"].is_not_null() & frame[RAW].is_null()
    # Wilson 95 % interval beside every exact share (issue 4); a bound is its own interval.
    persons = frame["persons"].fill_null(0).to_numpy() * frame[RAW].is_not_null().to_numpy()
    logged = (frame["persons"] - frame["persons_0"]).fill_null(0).to_numpy() * (persons > 0)
    lower, upper = stats.wilson_interval(logged, persons)
    lower = pl.Series(lower, nan_to_null=True).zip_with(~bounded, frame["bound_lower"])
    upper = pl.Series(upper, nan_to_null=True).zip_with(~bounded, frame["bound_upper"])
    raw_end = frame.select(
        pl.when(pl.col("bound") == privacy.AT_LEAST)
        .then(pl.col("bound_lower"))
        .otherwise(pl.col("bound_upper"))
    ).to_series()
    raw_placed = frame[RAW].zip_with(~bounded, raw_end)
    words = {privacy.AT_LEAST: t("bound_word_min"), privacy.AT_MOST: t("bound_word_max")}
    kind = pl.Series([words.get(k) for k in frame["bound"].to_list()], dtype=pl.String)
    adjusted = (
        {
            t("std_expected_share") + " (pct.)": _percent(frame["expected_share"]),
            t("col_share_adjusted") + " (pct.)": _percent(frame[municipal.PLACED]),
        }
        if value != RAW
        else {}
    )
    return pl.DataFrame(
        {
            "municipality_code": frame["municipality_code"],
            t("col_rank"): frame["rank"],
            t("col_rank_from"): frame["rank_lower"],
            t("col_rank_to"): frame["rank_upper"],
            t("col_municipality"): frame["name"],
            t("col_region"): frame["region"],
            t("col_bound"): kind.zip_with(bounded, pl.Series([None] * frame.height, dtype=pl.String)),
            t("col_share_pct"): _percent(raw_placed),
            t("col_interval_from"): _percent(lower),
            t("col_interval_to"): _percent(upper),
            **adjusted,
            t("col_change_month_pp"): _percent(frame[RAW] - frame["share_joblogged_prev_month"]),
            t("col_change_year_pp"): _percent(frame[RAW] - frame["share_joblogged_year_ago"]),
            t("col_persons"): frame["persons"],
            t("persons_0"): frame["persons_0"],
            t("persons_1_5"): frame["persons_1_5"],
            t("persons_6plus"): frame["persons_6plus"],
            t("export_col_searches"): frame["searches_per_person"].round(1),
            t("col_trend"): frame["trend"],
            "suppressed": frame["suppressed"],
            "bounded": bounded,
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
        """The municipalities placed (their share or its bound shown), lowest first."""
        return self.shown.filter(pl.col(municipal.PLACED).is_not_null()).sort(municipal.PLACED)

    @property
    def hidden_names(self) -> list[str]:
        """Municipalities without a place: under MIN_PERSONS persons (or hidden with one that is)."""
        return self.shown.filter(pl.col(municipal.PLACED).is_null()).sort("name")["name"].to_list()

    @property
    def bounded_names(self) -> list[str]:
        """Municipalities placed by a bound instead of a share."""
        bounded = pl.col("bound").is_not_null() & pl.col(self.value).is_null()
        return self.shown.filter(bounded).sort("name")["name"].to_list()


def _funnel(db: JoblogDB, sel: Selection) -> fair.FunnelData | None:
    try:
        return parts.published_funnel(db, sel)
    except ValueError:  # nobody has persons that month
        return None


@cached(*parts.FUNNEL_FIELDS, stored=True)
def build(db: JoblogDB, sel: Selection) -> SpreadView:
    national_raw = parts.snapshot(db, sel)
    codes = None if sel.is_national else sel.area_codes
    raw = national_raw if codes is None else national_raw.filter(pl.col("municipality_code").is_in(codes))
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
    national = national_share if adjusted else None
    shown = suppressed_snapshot(national_raw, value, national, codes)
    start = fmt.add_months(sel.month, -(SPARK_MONTHS - 1))
    panel = queries.panel(db, sel.group, sel.area, start=start, end=sel.month)
    return SpreadView(
        selection=sel,
        area_label=t("national") if sel.is_national else sel.area_label,
        group_label=reference.group_label(sel.group),
        month_label=fmt.month_long(sel.month),
        shown=shown,
        national=shown if sel.is_national else suppressed_snapshot(national_raw, value, national),
        national_share=national_share,
        area_share=None if sel.is_national else area_share(raw, national_share if adjusted else None),
        table=display_table(shown, sparklines(panel, sel.month), value),
        funnel=_funnel(db, sel),
    )
