"""Pure helpers that turn query results into what the Overblik and Kommuner pages show.

No Streamlit here: KPI values, the headline sentence, the ranked municipality table and chart titles are
computed from polars frames, so they can be tested without a page. Shares stay fractions 0..1.

Display tables hold pre-formatted Danish text (decimal comma, "pct."), because st.dataframe's number
formats follow the browser's locale or printf (decimal point) and cannot be pinned to Danish. To keep
sorting sensible the table keeps a numeric rank column (rank 1 = highest share), so sorting on rank is
sorting on the share; persons are kept numeric (sortable) as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from joblog_dash.analysis import privacy, stats
from joblog_dash.data import queries, reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

SPARK_MONTHS = 12


@dataclass(frozen=True)
class Kpi:
    group: str
    share: float | None
    change_month: float | None  # percentage points as a fraction (0.031 = 3,1 pct.-point)
    change_year: float | None
    persons: int
    persons_none: int
    suppressed: bool = False  # 1–4 persons in the area (possible with imported data): nothing is shown


def _share_at(rows: pl.DataFrame, month: date) -> float | None:
    found = rows.filter(pl.col("month") == month)
    if found.is_empty():
        return None
    value = found["share_joblogged"][0]
    return None if value is None else float(value)


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def kpis(trend: pl.DataFrame, month: date, groups: list[str]) -> list[Kpi]:
    """One KPI per benefit group for `month` from a `queries.trend` frame (one area)."""
    result = []
    for group in groups:
        rows = trend.filter(pl.col("benefit_group") == group)
        now = rows.filter(pl.col("month") == month)
        share = _share_at(rows, month)
        result.append(
            Kpi(
                group=group,
                share=share,
                change_month=_diff(share, _share_at(rows, fmt.add_months(month, -1))),
                change_year=_diff(share, _share_at(rows, fmt.add_months(month, -12))),
                persons=int(now["persons"][0]) if now.height else 0,
                persons_none=int(now["persons_0"][0]) if now.height else 0,
            )
        )
        persons = result[-1].persons
        if 0 < persons < privacy.MIN_PERSONS:
            result[-1] = Kpi(group, None, None, None, persons, 0, suppressed=True)
    return result


def headline(kpi: Kpi, month: date, area_label: str) -> str:
    """The page's message in one plain Danish sentence, e.g. '... 70,5 pct. ... — 2,8 pct.-point mere ...'."""
    if kpi.share is None:
        return t("headline_no_data", month=fmt.month_long(month))
    where = "" if area_label == t("national") else t("headline_in", area=area_label)
    base = t(
        "headline",
        month=fmt.month_long(month),
        share=fmt.pct(kpi.share),
        group=reference.group_label(kpi.group).lower(),
        where=where,
    )
    if kpi.change_year is None:
        return base + "."
    if abs(kpi.change_year) < 0.0005:
        return base + t("headline_same")
    key = "headline_more" if kpi.change_year > 0 else "headline_less"
    return base + t(key, pp=fmt.number(abs(kpi.change_year) * 100, 1))


# --- Kommuner ---------------------------------------------------------------------------------------------


def suppressed_snapshot(snapshot: pl.DataFrame) -> pl.DataFrame:
    """The snapshot with shares of municipalities under MIN_PERSONS hidden (and secondary suppression).

    The area total is shown beside the municipalities, so secondary suppression applies. The 0 / 1–5 / 6+
    split is hidden with the share, since it would reveal it.
    """
    frame = privacy.publish(snapshot, keep=queries.ROW_IDS, total_shown=True)
    return frame.with_columns(
        pl.col("share_joblogged").rank("min", descending=True).cast(pl.Int32).alias("rank")
    )


def area_share(snapshot: pl.DataFrame) -> float | None:
    """Ratio of sums over the municipalities of the (unsuppressed) snapshot."""
    persons = snapshot["persons"].sum()
    if not persons:
        return None
    return float((persons - snapshot["persons_0"].sum()) / persons)


def ranked_title(shown: pl.DataFrame, area_label: str) -> str:
    """The ranked chart's message: who is lowest in the area, e.g. 'Lolland har den laveste andel ...'."""
    visible = shown.filter(pl.col("share_joblogged").is_not_null())
    if visible.is_empty():
        return t("ranked_title_empty", area=area_label)
    lowest = visible.sort("share_joblogged").row(0, named=True)
    where = t("in_country") if area_label == t("national") else t("in_area", area=area_label)
    return t(
        "ranked_title",
        name=lowest["name"],
        where=where,
        share=fmt.pct(lowest["share_joblogged"], 0),
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


def display_table(shown: pl.DataFrame, spark: pl.DataFrame) -> pl.DataFrame:
    """The table under the ranked chart, one row per municipality, Danish text, sorted by rank."""
    frame = shown.join(spark, on="municipality_code", how="left").sort(["rank", "name"], nulls_last=True)
    hidden = frame["suppressed"]
    # Uncertainty next to every share and rank (issue 4): Wilson 95 % interval and a 95 % rank interval
    # from stats.rank_intervals; suppressed rows take no part (persons 0) and show nothing.
    shown = frame["share_joblogged"].is_not_null().to_numpy()
    persons = frame["persons"].fill_null(0).to_numpy() * shown
    logged = (frame["persons"] - frame["persons_0"]).fill_null(0).to_numpy() * shown
    lower, upper = stats.wilson_interval(logged, persons)
    ranks = stats.rank_intervals(persons, logged)
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
