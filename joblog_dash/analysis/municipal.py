"""Figures of one municipality against the others (pure; no Streamlit, no SQL).

Key figures of a monthly series, the rank over time with its interval, where a municipality lies against a
reference and since when, and the indicators peers are found by. Shares are fractions 0..1 and always
ratios of sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from joblog_dash.analysis import privacy, stats
from joblog_dash.text import fmt


def _share(successes: float, persons: float) -> float | None:
    return successes / persons if persons > 0 else None


# --- Key figures ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFigures:
    month: date
    persons: int
    persons_0: int
    share: float | None  # share with registered job search (joblogged)
    lower: float | None  # Wilson 95 % interval of `share`
    upper: float | None
    share_none: float | None
    share_year_ago: float | None
    change_year: float | None  # share - share_year_ago, as a fraction
    bound: str | None = None  # "min"/"max" where only a bound of the share is published (privacy.publish)
    bound_lower: float | None = None
    bound_upper: float | None = None


def key_figures(series: pl.DataFrame, month: date) -> KeyFigures:
    """Key figures of one unit's monthly series (columns month, persons, persons_0) for `month`."""

    def row(m: date) -> dict[str, int]:
        found = series.filter(pl.col("month") == m)
        if found.is_empty():
            return {"persons": 0, "persons_0": 0}
        return {"persons": int(found["persons"][0] or 0), "persons_0": int(found["persons_0"][0] or 0)}

    now, year_ago = row(month), row(fmt.add_months(month, -12))
    joblogged = now["persons"] - now["persons_0"]
    share = _share(joblogged, now["persons"])
    lower = upper = None
    if now["persons"] > 0:
        lo, up = stats.wilson_interval([joblogged], [now["persons"]])
        lower, upper = float(lo[0]), float(up[0])
    share_year_ago = _share(year_ago["persons"] - year_ago["persons_0"], year_ago["persons"])
    change = share - share_year_ago if share is not None and share_year_ago is not None else None
    return KeyFigures(
        month=month,
        persons=now["persons"],
        persons_0=now["persons_0"],
        share=share,
        lower=lower,
        upper=upper,
        share_none=_share(now["persons_0"], now["persons"]),
        share_year_ago=share_year_ago,
        change_year=change,
    )


# --- Rank over time -----------------------------------------------------------------------------------------


PLACED = "placed"  # the share a published row is ranked by: its share, or its bound's finite end
RANK_SIMS = 500


def placement(
    published: pl.DataFrame,
    value: str = "share_joblogged",
    bounds: tuple[str, str] = ("bound_lower", "bound_upper"),
    n_sims: int = RANK_SIMS,
    seed: int = 0,
) -> pl.DataFrame:
    """THE rank of the rows of a published frame (privacy.publish with `persons`, `value` and the bound
    columns): 1 = highest, among the rows whose share or bound is published (`ranked` of them), with a 95 %
    interval. A bounded row is placed at its bound's finite end and its interval covers the bound, so the
    rank rests only on published figures and is the same number on every surface that ranks the frame.

    Adds `placed`, `rank`, `rank_lower`, `rank_upper` and `ranked` to the frame (its rows in order).
    `bounds`: the columns of the bound on `value`'s scale (the adjusted share's are scaled by views.spread).
    """
    frame = published.with_columns(
        pl.lit(None, pl.String).alias(c) for c in ("bound", *bounds) if c not in published.columns
    )
    bound, low, high = frame["bound"], frame[bounds[0]].cast(pl.Float64), frame[bounds[1]].cast(pl.Float64)
    bounded = bound.is_not_null().to_numpy() & frame[value].is_null().to_numpy()
    low_, high_ = low.fill_null(np.nan).to_numpy(), high.fill_null(np.nan).to_numpy()
    end = np.where((bound == privacy.AT_LEAST).fill_null(False).to_numpy(), low_, high_)
    placed = np.where(bounded, end, frame[value].cast(pl.Float64).fill_null(np.nan).to_numpy())
    shown = ~np.isnan(placed)
    persons = np.where(shown, frame["persons"].fill_null(0).cast(pl.Float64).to_numpy(), 0.0)
    successes = np.clip(np.where(shown, placed, 0.0) * persons, 0.0, persons)
    if value == "share_joblogged" and "persons_0" in frame.columns:  # exact counts where they are shown
        exact = shown & ~bounded
        logged = persons - frame["persons_0"].fill_null(0).cast(pl.Float64).to_numpy()
        successes = np.where(exact, logged, successes)
    ranks = stats.rank_intervals(
        persons, successes, n_sims=n_sims, seed=seed,
        bounds=(np.where(bounded, low_, np.nan), np.where(bounded, high_, np.nan)),
    )  # fmt: skip
    # The place is one point of the bound, so its rank lies in the interval too (a wide "højst" bound's
    # simulated interval can otherwise miss the rank it is listed at).
    rank = ranks["rank"]
    rank_lower = pl.Series("rank_lower", np.fmin(ranks["rank_lower"].cast(pl.Float64), rank.cast(pl.Float64)))
    rank_upper = pl.Series("rank_upper", np.fmax(ranks["rank_upper"].cast(pl.Float64), rank.cast(pl.Float64)))
    return published.with_columns(
        pl.Series(PLACED, placed, nan_to_null=True),
        rank,
        rank_lower.cast(ranks["rank_lower"].dtype),
        rank_upper.cast(ranks["rank_upper"].dtype),
        pl.lit(int(shown.sum()), dtype=pl.Int32).alias("ranked"),
    )


def rank_table(panel: pl.DataFrame, n_sims: int = RANK_SIMS, seed: int = 0) -> pl.DataFrame:
    """Rank (1 = highest share joblogged) with a 95 % interval per municipality and month: `placement` of
    each month's published rows (the country's and the areas' totals are shown, as on Kommuner), so the rank of a month is the
    one Kommuner, the profile and every export show.

    `panel` has month, municipality_code and the counts (queries.panel for the whole country). Columns:
    month, municipality_code, persons, share (or the bound's end), bound, rank, rank_lower, rank_upper,
    ranked (units ranked).
    """
    parts = []
    ids = ("month", "municipality_code")
    if "share_joblogged" not in panel.columns:
        share = (pl.col("persons") - pl.col("persons_0")) / pl.col("persons")
        panel = panel.with_columns(pl.when(pl.col("persons") > 0).then(share).alias("share_joblogged"))
    for _, part in panel.sort("month", "municipality_code").group_by("month", maintain_order=True):
        published = privacy.publish(part, keep=ids, total_shown=True, total_groups=privacy.AREA_TOTALS)
        shown = placement(published)
        parts.append(
            shown.select(
                *ids,
                "persons",
                pl.col(PLACED).alias("share"),
                "bound",
                "rank",
                "rank_lower",
                "rank_upper",
                "ranked",
            )
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "month": pl.Date,
                "municipality_code": pl.Int32,
                "persons": pl.Int64,
                "share": pl.Float64,
                "bound": pl.String,
                "rank": pl.Int32,
                "rank_lower": pl.Int32,
                "rank_upper": pl.Int32,
                "ranked": pl.Int32,
            }
        )
    return pl.concat(parts)


# --- Position against a reference -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Position:
    state: str  # "over", "under" or "equal"
    since: date | None  # first month of the current run; None when the run covers the whole series
    months: int  # length of the current run in months


def position_since(own: pl.DataFrame, reference: pl.DataFrame, column: str = "share_joblogged") -> Position:
    """Whether `own` lies over or under `reference` now, and since when without interruption.

    Both frames have month and `column`. The difference is smoothed with a centred-free trailing 3-month
    mean so that a single noisy month in a small municipality does not end a run.
    """
    joined = (
        own.select("month", pl.col(column).alias("own"))
        .join(reference.select("month", pl.col(column).alias("ref")), on="month", how="inner")
        .drop_nulls()
        .sort("month")
    )
    if joined.is_empty():
        return Position("equal", None, 0)
    diff = (joined["own"] - joined["ref"]).rolling_mean(window_size=3, min_samples=1).to_numpy()
    # Differences under 0.05 pct.-point count as equal: they vanish when shown with one decimal.
    signs = np.where(diff > 0.0005, 1, np.where(diff < -0.0005, -1, 0))
    current = signs[-1]
    start = len(signs) - 1
    while start > 0 and signs[start - 1] == current:
        start -= 1
    state = {1: "over", -1: "under", 0: "equal"}[int(current)]
    since = None if start == 0 else joined["month"][start]
    return Position(state, since, len(signs) - start)


# --- Peers -----------------------------------------------------------------------------------------------------


def peer_features(sizes: pl.DataFrame, municipalities: pl.DataFrame) -> pl.DataFrame:
    """Indicators for stats.peers: log population and persons per 1,000 inhabitants in each group.

    `sizes` is queries.group_sizes (municipality_code + one column per group); `municipalities` has code,
    region and population_2018. Log population, because size differences are multiplicative.
    """
    groups = [c for c in sizes.columns if c != "municipality_code"]
    joined = municipalities.select("code", "region", "population_2018").join(
        sizes.rename({"municipality_code": "code"}), on="code", how="left"
    )
    return joined.select(
        "code",
        "region",
        pl.col("population_2018").cast(pl.Float64).log().alias("population"),
        *[
            (pl.col(g).fill_null(0).cast(pl.Float64) * 1000 / pl.col("population_2018")).alias(g)
            for g in groups
        ],
    )
