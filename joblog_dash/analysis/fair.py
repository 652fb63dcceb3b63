"""Fair comparison of municipalities: the measures, the funnel table and the letter's effect per measure.

Pure functions on polars frames from the query layer (queries.snapshot / queries.panel); no Streamlit.
Shares are fractions and ratios of sums. Suppression (privacy.MIN_PERSONS) is applied to what is shown,
never to what the statistics are computed from, so that hiding Læsø does not move the national target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from joblog_dash.analysis import privacy, stats
from joblog_dash.data import reference
from joblog_dash.text import fmt

# measure key -> (numerator expression, the side where a municipality does worse)
MEASURES: dict[str, tuple[pl.Expr, str]] = {
    "joblogged": (pl.col("persons") - pl.col("persons_0"), "below"),
    "none": (pl.col("persons_0"), "above"),
    "6plus": (pl.col("persons_6plus"), "below"),
}
MEASURE_KEYS = tuple(MEASURES)
LETTER_WINDOW = 12  # months compared before and after the letter


# Differences under half a percentage point read as "at the level of": they vanish in one-decimal figures
# once rounded, and a sentence should not call 70.2 against 70.0 "above".
LEVEL_TOLERANCE = 0.005
LEVEL, OVER, UNDER = "level", "over", "under"


def relation(value: float, other: float) -> str:
    """THE "over / under / på niveau med" rule of every sentence: LEVEL, OVER or UNDER."""
    diff = value - other
    if abs(diff) < LEVEL_TOLERANCE:
        return LEVEL
    return OVER if diff > 0 else UNDER


def bad_side(measure: str) -> str:
    return MEASURES[measure][1]


def with_successes(frame: pl.DataFrame, measure: str) -> pl.DataFrame:
    """Add `successes` (the measure's numerator, as Int64) to a frame with the count columns."""
    if measure not in MEASURES:
        raise ValueError(f"Unknown measure: {measure!r}")
    return frame.with_columns(MEASURES[measure][0].cast(pl.Int64).alias("successes"))


def add_wilson(frame: pl.DataFrame, successes: str = "successes", persons: str = "persons") -> pl.DataFrame:
    """Add Wilson 95 % interval columns `lower` and `upper` (null where persons is 0)."""
    lower, upper = stats.wilson_interval(frame[successes].to_numpy(), frame[persons].to_numpy())
    return frame.with_columns(
        pl.Series("lower", lower, dtype=pl.Float64, nan_to_null=True),
        pl.Series("upper", upper, dtype=pl.Float64, nan_to_null=True),
    )


@dataclass(frozen=True)
class FunnelData:
    """`table`: one row per municipality in the area (code, name, region, persons, successes, share, lower,
    upper, z, verdict, outside_998, suppressed); `result` the stats.FunnelResult the verdicts come from."""

    table: pl.DataFrame
    result: stats.FunnelResult
    measure: str
    target_kind: str  # "national" or "area"


def funnel_data(
    snapshot: pl.DataFrame,
    measure: str,
    area_codes: list[int] | None = None,
    overdispersion: bool = True,
    target_kind: str = "national",
) -> FunnelData:
    """Funnel verdicts for one month and group from a *national* queries.snapshot frame.

    target_kind "national": target and over-dispersion come from all municipalities, the table keeps those in
    `area_codes`. "area": the funnel is computed among the area's municipalities only (target = area share).
    Suppressed rows (1–4 persons, plus the secondary one) keep their statistics for internal use but are
    flagged `suppressed`; chart and tables must not show their share.
    """
    frame = with_successes(snapshot.rename({"municipality_code": "code"}), measure)
    in_area = frame if area_codes is None else frame.filter(pl.col("code").is_in(area_codes))
    base = in_area if target_kind == "area" else frame
    valid = base.filter(pl.col("persons") > 0)
    if valid.is_empty():
        raise ValueError("no municipality has persons in this month and group")
    result = stats.funnel(
        valid["persons"].to_numpy(),
        valid["successes"].to_numpy(),
        overdispersion=overdispersion,
        units=valid["code"].to_numpy(),
    )
    verdicts = result.table.select(
        pl.col("unit").cast(pl.Int32).alias("code"),
        "z",
        "verdict",
        "outside_998",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
    )
    table = (
        add_wilson(in_area.select("code", "name", "region", "persons", "successes"))
        .with_columns(
            pl.when(pl.col("persons") > 0).then(pl.col("successes") / pl.col("persons")).alias("share")
        )
        .join(verdicts, on="code", how="left")
    )
    mask = privacy.suppression_mask(table["persons"])
    table = table.with_columns(mask.alias("suppressed")).sort("code")
    return FunnelData(table=table, result=result, measure=measure, target_kind=target_kind)


def verdict_counts(table: pl.DataFrame) -> dict[str, int]:
    shown = table.filter(~pl.col("suppressed") & pl.col("verdict").is_not_null())
    return {v: int((shown["verdict"] == v).sum()) for v in (stats.VERDICT_UNDER, stats.VERDICT_OVER)}


def verdict_is_adverse(verdict: str | None, measure: str) -> bool:
    """Whether a funnel verdict lies on the measure's bad side (under for joblogged, over for none)."""
    if verdict is None:
        return False
    return verdict == (stats.VERDICT_UNDER if bad_side(measure) == "below" else stats.VERDICT_OVER)


# --- The letter's effect -----------------------------------------------------------------------------------

# stats.before_after classifies by the direction of change of the share; for a measure where higher is worse
# ("none") the labels swap, so a rising share without job search reads as "moved less than the country".
MOVED_MORE = "flyttede sig mere end landet"
MOVED_SAME = "som landet"
MOVED_LESS = "flyttede sig mindre end landet"


def letter_covered(months: list[date]) -> bool:
    """Whether the data has every month of the windows before and after the letter (a gap would make the
    comparison rest on fewer months than it says)."""
    have = set(months)
    event = reference.letter_month()
    return all(fmt.add_months(event, k) in have for k in range(-LETTER_WINDOW, LETTER_WINDOW + 1) if k != 0)


def letter_effect(panel: pl.DataFrame, measure: str, area_codes: list[int] | None = None) -> pl.DataFrame:
    """Before/after the minister's letter (May 2018) per municipality, against the national change.

    `panel` is a *national* queries.panel frame for one group. Columns: code, name, region, persons_before,
    persons_after, share_before, share_after, change, national_change, diff_to_national, z, moved (Danish
    class: MOVED_MORE / MOVED_SAME / MOVED_LESS, in the measure's good direction), suppressed (fewer than
    MIN_PERSONS persons on average per month in either window: shares not shown).
    """
    frame = with_successes(panel.rename({"municipality_code": "code"}), measure)
    result = stats.before_after(
        frame.select("code", "month", "persons", "successes"), reference.letter_month(), LETTER_WINDOW
    )
    good_up = bad_side(measure) == "below"
    mapping = {
        stats.CLASS_BETTER: MOVED_MORE if good_up else MOVED_LESS,
        stats.CLASS_WORSE: MOVED_LESS if good_up else MOVED_MORE,
        stats.CLASS_SAME: MOVED_SAME,
    }
    names = frame.select("code", "name", "region").unique("code")
    out = (
        # before_after's fill_null(0.0) widens the unit column to float: cast it back before joining.
        result.with_columns(pl.col("code").cast(pl.Int32))
        .join(names, on="code", how="left")
        .with_columns(
            pl.col("classification")
            .replace_strict(mapping, default=None, return_dtype=pl.String)
            .alias("moved"),
            (
                (pl.col("persons_before") < privacy.MIN_PERSONS * LETTER_WINDOW)
                | (pl.col("persons_after") < privacy.MIN_PERSONS * LETTER_WINDOW)
            ).alias("suppressed"),
        )
        .select(
            "code",
            "name",
            "region",
            "persons_before",
            "persons_after",
            "share_before",
            "share_after",
            "change",
            "national_before",
            "national_after",
            "national_change",
            "diff_to_national",
            "z",
            "moved",
            "suppressed",
        )  # fmt: skip
    )
    if area_codes is not None:
        out = out.filter(pl.col("code").is_in(area_codes))
    return out.sort("code")


def finite(value: float | None) -> bool:
    return value is not None and bool(np.isfinite(value))
