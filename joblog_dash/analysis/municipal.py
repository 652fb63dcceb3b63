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

from joblog_dash.analysis import stats
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


def rank_table(panel: pl.DataFrame, n_sims: int = 500, seed: int = 0) -> pl.DataFrame:
    """Rank (1 = highest share joblogged) with a 95 % interval per municipality and month.

    `panel` has month, municipality_code, persons, persons_0 (queries.panel for the whole country).
    Columns: month, municipality_code, persons, share, rank, rank_lower, rank_upper, ranked (units ranked).
    """
    parts = []
    for (month,), part in panel.sort("month", "municipality_code").group_by("month", maintain_order=True):
        persons = part["persons"].to_numpy()
        successes = persons - part["persons_0"].to_numpy()
        ranks = stats.rank_intervals(persons, successes, n_sims=n_sims, seed=seed)
        parts.append(
            pl.DataFrame(
                {
                    "month": [month] * part.height,
                    "municipality_code": part["municipality_code"],
                    "persons": part["persons"],
                }
            ).with_columns(ranks, ranked=pl.lit(int((persons > 0).sum()), dtype=pl.Int32))
        )
    if not parts:
        return pl.DataFrame(
            schema={
                "month": pl.Date,
                "municipality_code": pl.Int32,
                "persons": pl.Int64,
                "share": pl.Float64,
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
