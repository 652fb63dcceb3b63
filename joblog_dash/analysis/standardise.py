"""Expected versus actual: indirect standardisation of a municipality's count by who its recipients are.

Pure functions on the cells frame from queries.standardise_cells (one row per municipality x gender x age
group x origin, 'I alt' where the dataset does not break a dimension down); no Streamlit, no SQL.

For each municipality m and cell c (a combination of the dimensions the dataset breaks down):

    national rate  p_c = Σ_m x_mc / Σ_m n_mc           (same month and group, all municipalities)
    expected       E_m = Σ_c p_c · n_mc                observed O_m = Σ_c x_mc
    ratio          O_m / E_m                            difference = O_m/n_m − E_m/n_m  (a fraction)

so Σ_m E_m = Σ_m O_m exactly, and a municipality with the national composition has E_m/n_m = the national
share. A dimension is used only when every row with persons carries a category for it (a dataset, or a
municipality stored at a coarser level, without it falls back to the total for everyone): the property
above then holds, and `dimensions` / `adjustment` say which adjustment was possible.

The funnel is stats.funnel's with each municipality's own target, its expected share e_m = E_m/n_m: on the
arcsine scale y = asin(√(O/n)), θ_m = asin(√e_m), s² = 1/4n, z = (y − θ_m)/√(s² + τ²); τ² is the
DerSimonian–Laird over-dispersion from winsorised z (stats.estimate_tau2 with per-unit targets); the
limits are sin²(θ_m ± z·√(1/4n + τ²)) (exact interpolated binomial limits at e_m without over-dispersion),
divided by e_m to put them on the ratio scale around 1. When every municipality has the national
composition this is exactly the raw funnel with the national target, so any change of verdict between raw
and adjusted is the composition's doing, not the method's. The binomial variance at e_m slightly
overstates the variance of a sum of cells with different rates, so the limits are a little conservative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike

from joblog_dash.analysis import fair, privacy, stats
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

DIMENSIONS = ("gender", "age_group", "origin")
# Shown as "–" / empty for suppressed municipalities (privacy.MIN_PERSONS), statistics still use them.
HIDDEN_COLUMNS = (
    "observed", "expected", "share", "expected_share", "composition_effect", "ratio", "difference", "z",
    "lower_95", "upper_95", "lower_998", "upper_998", "verdict", "outside_998",
)  # fmt: skip


def available_dimensions(cells: pl.DataFrame) -> tuple[str, ...]:
    """The dimensions broken down in every row with persons (none if no row has persons)."""
    live = cells.filter(pl.col("persons") > 0)
    if live.is_empty():
        return ()
    return tuple(d for d in DIMENSIONS if not (live[d] == reference.TOTAL).any())


def adjustment_label(dimensions: tuple[str, ...]) -> str:
    """Danish: which adjustment was made, e.g. "køn, alder og herkomst", "alder", "ingen"."""
    words = [t(f"std_dimension_{d}") for d in DIMENSIONS if d in dimensions]
    if not words:
        return t("std_adjustment_none")
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " og " + words[-1]


def expected_counts(
    cells: pl.DataFrame, measure: str = "joblogged", dimensions: tuple[str, ...] | None = None
) -> tuple[pl.DataFrame, tuple[str, ...], float]:
    """Per municipality with rows: code, persons, observed, expected (Float64). Also the dimensions used and
    the national share Σx/Σn. `dimensions` defaults to every available one; asking for one that is not
    available is an error (its rows would have nowhere to go)."""
    found = available_dimensions(cells)
    dims = found if dimensions is None else tuple(d for d in DIMENSIONS if d in dimensions)
    if not set(dims) <= set(found):
        raise ValueError(f"the data does not break down {sorted(set(dims) - set(found))}")
    # A constant key when nothing is broken down: then the one cell is the whole country.
    keys = list(dims) or ["_all"]
    frame = (
        fair.with_successes(cells, measure)
        .with_columns(pl.lit(reference.TOTAL).alias("_all"))
        .group_by(["municipality_code", *keys])
        .agg(pl.col("persons").sum().cast(pl.Float64), pl.col("successes").sum().cast(pl.Float64))
    )
    national = frame.group_by(keys).agg(
        (pl.col("successes").sum() / pl.col("persons").sum()).fill_nan(0.0).alias("rate")
    )
    per_muni = (
        frame.join(national, on=keys, how="left")
        .group_by("municipality_code")
        .agg(
            pl.col("persons").sum(),
            pl.col("successes").sum().alias("observed"),
            (pl.col("persons") * pl.col("rate").fill_null(0.0)).sum().alias("expected"),
        )
        .rename({"municipality_code": "code"})
        .with_columns(pl.col("code").cast(pl.Int32))
        .sort("code")
    )
    total = float(per_muni["persons"].sum())
    national_share = float(per_muni["observed"].sum()) / total if total > 0 else float("nan")
    return per_muni, dims, national_share


@dataclass(frozen=True)
class Standardised:
    """`table`: one row per municipality (all 98, or those in `area_codes`), columns code, name, region,
    persons, observed, expected, share, expected_share, national_share, composition_effect (expected share −
    national share: the part of the gap to the country the composition explains), ratio (O/E),
    difference (share − expected share, a fraction), z, lower_95, upper_95, lower_998, upper_998 (on the
    ratio scale), verdict (stats.VERDICT_*: observed over/under/inside the expected), outside_998,
    suppressed. Municipalities without persons have nulls; suppressed ones (privacy) have HIDDEN_COLUMNS
    null. The statistics (τ², national share) come from every municipality."""

    table: pl.DataFrame
    measure: str
    dimensions: tuple[str, ...]
    adjustment: str  # Danish, e.g. "køn, alder og herkomst"
    national_share: float
    tau2: float
    q: float
    exact: bool  # exact binomial limits (over-dispersion off) rather than arcsine ones

    def curve(self, expected_grid: ArrayLike | None = None, e_max: float = 5_000) -> pl.DataFrame:
        """Limit lines on the ratio scale against the expected count, for drawing the funnel.

        Drawn at the national share (a unit with E expected at the national rate has n = E / share); a
        municipality's own limits use its expected share, so a point very near a line may sit a hair to
        the other side of it: its `verdict` is the one to colour by.
        """
        share = self.national_share
        e = (
            np.asarray(expected_grid, dtype=float)
            if expected_grid is not None
            else np.unique(np.geomspace(0.5, e_max, 200))
        )
        limit_tau2 = None if self.exact else self.tau2
        # Exact binomial limits need whole persons (E / share is one up to float error at the national mix).
        n = np.rint(e / share) if self.exact else e / share
        columns: dict[str, np.ndarray] = {"expected": e}
        for z, suffix in ((stats.Z95, "95"), (stats.Z998, "998")):
            lower, upper = stats._funnel_limits(n, share, limit_tau2, z)
            columns[f"lower_{suffix}"], columns[f"upper_{suffix}"] = lower / share, upper / share
        return pl.DataFrame(columns)


def standardise(
    cells: pl.DataFrame,
    measure: str = "joblogged",
    overdispersion: bool = True,
    winsor: float = 0.1,
    area_codes: list[int] | None = None,
    dimensions: tuple[str, ...] | None = None,
) -> Standardised:
    """Expected versus actual for one month and group from a *national* queries.standardise_cells frame.

    National rates, τ² and the national share come from all municipalities; the table keeps those in
    `area_codes` (all when None). Raises ValueError when no municipality has persons.
    """
    counts, dims, national_share = expected_counts(cells, measure, dimensions)
    valid = counts.filter((pl.col("persons") > 0) & (pl.col("expected") > 0))
    if valid.is_empty():
        raise ValueError("no municipality has persons in this month and group")
    n = valid["persons"].to_numpy()
    x = valid["observed"].to_numpy()
    e = valid["expected"].to_numpy() / n
    tau2, q = stats.estimate_tau2(n, x, e, winsor) if overdispersion else (0.0, 0.0)
    share = x / n
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (np.arcsin(np.sqrt(share)) - np.arcsin(np.sqrt(e))) / np.sqrt(1.0 / (4.0 * n) + tau2)
    limit_tau2 = tau2 if overdispersion else None
    lo95, up95 = stats._funnel_limits(n, e, limit_tau2, stats.Z95)
    lo998, up998 = stats._funnel_limits(n, e, limit_tau2, stats.Z998)
    # As stats.funnel: the verdict compares the share with the limits, so it agrees with them exactly.
    verdict = np.where(
        share > up95, stats.VERDICT_OVER, np.where(share < lo95, stats.VERDICT_UNDER, stats.VERDICT_WITHIN)
    )
    stat = pl.DataFrame(
        {
            "code": valid["code"],
            "z": z,
            "lower_95": lo95 / e,
            "upper_95": up95 / e,
            "lower_998": lo998 / e,
            "upper_998": up998 / e,
            "verdict": verdict.astype(object),
            "outside_998": (share > up998) | (share < lo998),
        },
        schema_overrides={"verdict": pl.String},
    )
    munis = reference.municipalities().select("code", "name", "region")
    if area_codes is not None:
        munis = munis.filter(pl.col("code").is_in(area_codes))
    has = pl.col("persons") > 0
    table = (
        munis.join(counts, on="code", how="left")
        .with_columns(pl.col("persons").fill_null(0.0).cast(pl.Int64), pl.col("observed").cast(pl.Int64))
        .with_columns(
            pl.when(has).then(pl.col("observed") / pl.col("persons")).alias("share"),
            pl.when(has).then(pl.col("expected") / pl.col("persons")).alias("expected_share"),
            pl.lit(national_share, dtype=pl.Float64).alias("national_share"),
            pl.when(pl.col("expected") > 0).then(pl.col("observed") / pl.col("expected")).alias("ratio"),
        )
        .with_columns(
            (pl.col("expected_share") - pl.col("national_share")).alias("composition_effect"),
            (pl.col("share") - pl.col("expected_share")).alias("difference"),
        )
        .join(stat, on="code", how="left")
        .sort("code")
    )
    table = privacy.suppress(table, list(HIDDEN_COLUMNS))
    return Standardised(
        table=table,
        measure=measure,
        dimensions=dims,
        adjustment=adjustment_label(dims),
        national_share=national_share,
        tau2=tau2,
        q=q,
        exact=not overdispersion,
    )


def gap_sentence(row: dict[str, object], adjustment: str) -> str | None:
    """Danish: how much of a municipality's gap to the country its composition explains (Kommuneprofil).

    `row` is one row of Standardised.table (as a dict); None where it has no shown share (no persons or
    suppressed). Gap = share − national share = composition effect + difference.
    """
    if row.get("suppressed") or row.get("share") is None or row.get("expected_share") is None:
        return None
    if adjustment == t("std_adjustment_none"):
        return t("std_not_adjusted")

    def pp(value: object) -> str:
        # Rounded to the shown 0.1 point first, so −0.004 points reads "±0,0", not "−0,0".
        return fmt.pp(round(float(value), 3))  # type: ignore[arg-type]

    share, national = float(row["share"]), float(row["national_share"])  # type: ignore[arg-type]
    return t(
        "std_profile_sentence",
        adjustment=adjustment,
        name=row["name"],
        expected=fmt.pct(row["expected_share"]),  # type: ignore[arg-type]
        actual=fmt.pct(share),
        gap=pp(share - national),
        explained=pp(row["composition_effect"]),
        rest=pp(row["difference"]),
    )
