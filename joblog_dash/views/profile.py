"""Pure functions behind the Kommuneprofil and Ydelsesgrupper pages (no Streamlit, no SQL).

They take the frames returned by joblog_dash.data.queries (trend, panel, group_sizes) and compute the key
figures, the rank over time, where a municipality lies against a reference, the before/after-letter
comparison, the spread of municipal shares and the improvers/decliners. Shares are fractions 0..1 and
always ratios of sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from joblog_dash.analysis import stats
from joblog_dash.analysis.privacy import MIN_PERSONS
from joblog_dash.text import fmt

LETTER_MONTH = date(2018, 5, 1)  # the minister's letter to all municipalities (7 May 2018)
LETTER_WINDOW = 12
MOVER_MIN_PERSONS = 20


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


# --- Before / after the letter --------------------------------------------------------------------------------


def covers_letter(months: list[date], event: date = LETTER_MONTH, window: int = LETTER_WINDOW) -> bool:
    """True if the data has every month of the window before and after the event month."""
    have = set(months)
    needed = [fmt.add_months(event, k) for k in range(-window, window + 1) if k != 0]
    return all(m in have for m in needed)


def before_after_letter(
    panel: pl.DataFrame, event: date = LETTER_MONTH, window: int = LETTER_WINDOW
) -> pl.DataFrame:
    """stats.before_after for every municipality of a national panel (month, municipality_code, persons,
    persons_0); `code` is the municipality code."""
    frame = panel.select(
        pl.col("municipality_code").alias("code"),
        "month",
        "persons",
        (pl.col("persons") - pl.col("persons_0")).alias("successes"),
    )
    # stats.before_after fills missing sums with 0.0 across all columns, which turns the code into a float.
    return stats.before_after(frame, event=event, window=window).with_columns(pl.col("code").cast(pl.Int32))


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


# --- Spread of municipal shares ----------------------------------------------------------------------------------


def share_spread(
    panel: pl.DataFrame, low: float = 0.1, high: float = 0.9, min_persons: int = MIN_PERSONS
) -> pl.DataFrame:
    """Per month the median and the `low`–`high` percentiles of the municipal shares joblogged.

    Each municipality counts once (it is the spread between municipalities, not a person-weighted
    figure); municipalities with fewer than `min_persons` persons that month are left out (suppressed).
    Columns: month, median, low, high, municipalities.
    """
    usable = panel.filter(pl.col("persons") >= min_persons).with_columns(
        share=(pl.col("persons") - pl.col("persons_0")) / pl.col("persons")
    )
    return (
        usable.group_by("month")
        .agg(
            pl.col("share").median().alias("median"),
            pl.col("share").quantile(low, interpolation="linear").alias("low"),
            pl.col("share").quantile(high, interpolation="linear").alias("high"),
            pl.len().cast(pl.Int32).alias("municipalities"),
        )
        .sort("month")
    )


# --- Improvers and decliners ---------------------------------------------------------------------------------------


def movers(panel: pl.DataFrame, start: date, end: date, min_persons: int = MOVER_MIN_PERSONS) -> pl.DataFrame:
    """Change of the share joblogged from `start` to `end` per municipality, largest increase first.

    Only municipalities with at least `min_persons` persons in both months. Columns: municipality_code,
    name, persons_start, share_start, lower_start, upper_start, persons_end, share_end, lower_end,
    upper_end, change.
    """
    cols = ["municipality_code", "name", "persons", "persons_0"]

    def at(month: date, suffix: str) -> pl.DataFrame:
        return (
            panel.filter(pl.col("month") == month)
            .select(cols)
            .rename({"persons": f"persons_{suffix}", "persons_0": f"none_{suffix}"})
        )

    both = at(start, "start").join(at(end, "end").drop("name"), on="municipality_code", how="inner")
    both = both.filter((pl.col("persons_start") >= min_persons) & (pl.col("persons_end") >= min_persons))
    out = both.select("municipality_code", "name")
    for suffix in ("start", "end"):
        n = both[f"persons_{suffix}"].to_numpy()
        x = n - both[f"none_{suffix}"].to_numpy()
        lower, upper = stats.wilson_interval(x, n) if len(n) else (np.array([]), np.array([]))
        out = out.with_columns(
            pl.Series(f"persons_{suffix}", n, dtype=pl.Int64),
            pl.Series(f"share_{suffix}", x / np.where(n > 0, n, 1), dtype=pl.Float64),
            pl.Series(f"lower_{suffix}", lower, dtype=pl.Float64),
            pl.Series(f"upper_{suffix}", upper, dtype=pl.Float64),
        )
    # Formatted in Python, not with map_elements: a Python UDF runs on a polars pool thread that must take
    # the GIL, which deadlocked the whole server under load (docs/PERFORMANCE.md, "Load").
    interval = {
        f"interval_{x}": pl.Series(
            [
                None if lo is None or hi is None else f"{fmt.pct_short(lo)}–{fmt.pct_short(hi)}"
                for lo, hi in zip(out[f"lower_{x}"].to_list(), out[f"upper_{x}"].to_list(), strict=True)
            ],
            dtype=pl.String,
        )
        for x in ("start", "end")
    }
    return out.with_columns(change=pl.col("share_end") - pl.col("share_start"), **interval).sort(
        ["change", "municipality_code"], descending=[True, False]
    )


def top_movers(table: pl.DataFrame, n: int = 10) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The `n` largest improvements (change > 0) and the `n` largest declines (change < 0)."""
    improvers = table.filter(pl.col("change") > 0).head(n)
    decliners = table.filter(pl.col("change") < 0).sort("change").head(n)
    return improvers, decliners


# --- Heat map -----------------------------------------------------------------------------------------------------


def heatmap_frame(panel: pl.DataFrame, month: date, min_persons: int = MIN_PERSONS) -> pl.DataFrame:
    """Municipality x month shares for a heat map, blank (null) where fewer than `min_persons` persons.

    Adds `order`: 0 for the municipality with the highest share in `month`, municipalities without a
    share that month last (by name).
    """
    cells = panel.with_columns(
        share=pl.when(pl.col("persons") >= min_persons).then(
            (pl.col("persons") - pl.col("persons_0")) / pl.col("persons")
        )
    )
    latest = cells.filter(pl.col("month") == month).select("municipality_code", pl.col("share").alias("k"))
    names = cells.select("municipality_code", "name").unique()
    order = (
        names.join(latest, on="municipality_code", how="left")
        .sort([pl.col("k").is_null(), "k", "name"], descending=[False, True, False])
        .with_row_index("order")
        .select("municipality_code", pl.col("order").cast(pl.Int32))
    )
    return cells.join(order, on="municipality_code").sort("order", "month")


def is_finite(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


# --- Tables behind the figures -----------------------------------------------------------------------------------

FORMATTERS = {
    "pct": lambda v: fmt.pct(v),
    "pp": lambda v: fmt.pp(v),
    "month": lambda v: fmt.month_short(v) if v is not None else fmt.MISSING,
    "int": lambda v: fmt.number(v),
    "text": lambda v: fmt.MISSING if v is None else str(v),
}


def display_table(frame: pl.DataFrame, spec: list[tuple[str, str, str]]) -> pl.DataFrame:
    """Danish display table: `spec` = (column, heading, kind) with kind pct, pp, month, int or text.

    Values become pre-formatted text, because st.dataframe cannot be pinned to a decimal comma.
    """
    return pl.DataFrame(
        {heading: [FORMATTERS[kind](v) for v in frame[column].to_list()] for column, heading, kind in spec},
        schema={heading: pl.String for _, heading, _ in spec},
    )
