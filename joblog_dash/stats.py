"""Statistics for comparing municipalities: intervals, funnel plots, ranks, peers, SPC signals, before/after.

Pure functions on numpy arrays and polars frames; no Streamlit, no SQL, no I/O. Shares are fractions 0..1
and always a ratio of sums. Danish text appears only in values a user sees (verdicts, explanations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray
from scipy import stats as sps

Z95 = float(sps.norm.ppf(0.975))  # 1.959964
Z998 = float(sps.norm.ppf(0.999))  # 3.090232

# --- Wilson score interval -------------------------------------------------------------------------------


def _counts(persons: ArrayLike, successes: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    n = np.asarray(persons, dtype=float)
    x = np.asarray(successes, dtype=float)
    if n.shape != x.shape:
        raise ValueError("persons and successes must have the same shape")
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("successes must lie between 0 and persons")
    return n, x


def wilson_interval(
    successes: ArrayLike, n: ArrayLike, z: float = Z95
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wilson score interval for a binomial share, vectorised; NaN where n == 0.

    centre = (p + z²/2n) / (1 + z²/n),  half = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n),  p = x/n.
    """
    n_arr, x = _counts(n, successes)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / n_arr
        denom = 1 + z**2 / n_arr
        centre = (p + z**2 / (2 * n_arr)) / denom
        half = z * np.sqrt(p * (1 - p) / n_arr + z**2 / (4 * n_arr**2)) / denom
    lower = np.where(n_arr > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
    upper = np.where(n_arr > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lower, upper


# --- Funnel plot (Spiegelhalter 2005, as in FunnelPlotR) -------------------------------------------------

VERDICT_OVER = "over"
VERDICT_WITHIN = "inden for"
VERDICT_UNDER = "under"


@dataclass(frozen=True)
class FunnelResult:
    """`table` has one row per unit in input order; `tau2` is the additive over-dispersion on the arcsine
    scale (0 = none), `q` the winsorised Σz² it was estimated from, `target` the comparison share."""

    table: pl.DataFrame
    tau2: float
    target: float
    q: float
    exact: bool  # plain exact binomial limits (overdispersion=False) rather than arcsine ones

    def curve(self, n_grid: ArrayLike | None = None, n_max: float = 10_000) -> pl.DataFrame:
        """The limit lines matching this table's limits, for drawing."""
        return funnel_curve(self.target, self.tau2, n_grid, n_max, exact=self.exact)


def _exact_binomial_limit(n: NDArray[np.float64], target: float, prob: float) -> NDArray[np.float64]:
    """Spiegelhalter (2005, appendix A.1.1) interpolated binomial quantile, as a share.

    r = smallest count with F(r) ≥ prob; α = (F(r) − prob) / (F(r) − F(r−1)); limit = (r − α) / n.
    The interpolation makes the limits a smooth curve in n instead of a staircase.
    """
    n_int = np.maximum(n, 1).astype(np.int64)
    r = sps.binom.ppf(prob, n_int, target)
    f_r = sps.binom.cdf(r, n_int, target)
    f_prev = sps.binom.cdf(r - 1, n_int, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(f_r > f_prev, (f_r - prob) / (f_r - f_prev), 0.0)
    return np.clip((r - alpha) / n_int, 0.0, 1.0)


def _funnel_limits(
    n: NDArray[np.float64], target: float, tau2: float | None, z: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Control limits at sample sizes n: sin²(θ ± z·sqrt(1/4n + τ²)) with θ = asin(sqrt(target)).

    tau2=None means plain binomial limits: the exact interpolated binomial quantiles, used for every n (not
    only small n) so the drawn funnel is one smooth curve without a jump where a method switch would be.
    The angle is clipped to [0, π/2] so the limits stay within [0, 1] and do not fold back.
    """
    if tau2 is None:
        tail = float(sps.norm.sf(z))
        return _exact_binomial_limit(n, target, tail), _exact_binomial_limit(n, target, 1.0 - tail)
    theta = np.arcsin(np.sqrt(target))
    with np.errstate(divide="ignore"):
        spread = z * np.sqrt(1.0 / (4.0 * n) + tau2)
    lower = np.sin(np.clip(theta - spread, 0.0, np.pi / 2)) ** 2
    upper = np.sin(np.clip(theta + spread, 0.0, np.pi / 2)) ** 2
    return lower, upper


def estimate_tau2(
    persons: ArrayLike, successes: ArrayLike, target: float, winsor: float = 0.1
) -> tuple[float, float]:
    """DerSimonian–Laird additive over-dispersion on the arcsine scale, with winsorised z-scores.

    y = asin(sqrt(p)), θ = asin(sqrt(target)), s² = 1/4n, z = (y − θ)/s; z winsorised at the `winsor` and
    1 − `winsor` quantiles; Q = Σ z_w²; w = 1/s²; τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)).
    Returns (τ², Q). Units with n = 0 are left out.
    """
    n, x = _counts(persons, successes)
    keep = n > 0
    n, x = n[keep], x[keep]
    k = n.size
    if k < 2:
        return 0.0, 0.0
    theta = np.arcsin(np.sqrt(target))
    s = 1.0 / (2.0 * np.sqrt(n))
    z = (np.arcsin(np.sqrt(x / n)) - theta) / s
    if winsor > 0:
        lo, hi = np.quantile(z, [winsor, 1.0 - winsor])
        z = np.clip(z, lo, hi)
    q = float(np.sum(z**2))
    w = 1.0 / s**2
    denom = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - (k - 1)) / denom) if denom > 0 else 0.0
    return tau2, q


def funnel(
    persons: ArrayLike,
    successes: ArrayLike,
    target: float | None = None,
    overdispersion: bool = True,
    winsor: float = 0.1,
    units: ArrayLike | None = None,
) -> FunnelResult:
    """Funnel-plot table: per unit share, z, control limits at its own n and a verdict.

    target defaults to the pooled share Σx/Σn. z = (y − θ)/sqrt(s² + τ²) on the arcsine scale (τ² = 0 when
    `overdispersion` is False). Limits: arcsine ones widened by τ² when `overdispersion` is True (τ² may be
    estimated as 0, then they are the plain arcsine limits); exact interpolated binomial limits when it is
    False, because then the user asked for plain binomial limits and small units need them.
    Verdict: "over"/"under" when the share lies outside the 95 % limits (above / below the expected
    level), else "inden for"; `outside_998` flags the stricter 99.8 % limits separately.
    The verdict compares the share with the limits (not z with 1.96) so that it agrees with the drawn
    funnel also where exact binomial limits are used. Units with n = 0 get null share, z and verdict.
    """
    n, x = _counts(persons, successes)
    valid = n > 0
    if target is None:
        total = n.sum()
        target = float(x.sum() / total) if total > 0 else float("nan")
    if not valid.any() or not np.isfinite(target):
        raise ValueError("funnel needs at least one unit with persons > 0")
    tau2, q = estimate_tau2(n, x, target, winsor) if overdispersion else (0.0, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(valid, x / n, np.nan)
        y = np.arcsin(np.sqrt(share))
        z = (y - np.arcsin(np.sqrt(target))) / np.sqrt(1.0 / (4.0 * n) + tau2)
    limit_tau2 = tau2 if overdispersion else None
    lo95, up95 = _funnel_limits(n, target, limit_tau2, Z95)
    lo998, up998 = _funnel_limits(n, target, limit_tau2, Z998)
    verdict = np.where(share > up95, VERDICT_OVER, np.where(share < lo95, VERDICT_UNDER, VERDICT_WITHIN))
    outside = (share > up998) | (share < lo998)
    table = pl.DataFrame(
        {
            "unit": np.arange(n.size) if units is None else np.asarray(units),
            "persons": n,
            "successes": x,
            "share": share,
            "z": z,
            "lower_95": lo95,
            "upper_95": up95,
            "lower_998": lo998,
            "upper_998": up998,
            "verdict": verdict.astype(object),
            "outside_998": outside,
        },
        nan_to_null=True,
    )
    invalid = pl.Series(~valid)
    table = table.with_columns(
        [
            pl.when(invalid).then(None).otherwise(pl.col(c)).alias(c)
            for c in (
                "share",
                "z",
                "lower_95",
                "upper_95",
                "lower_998",
                "upper_998",
                "verdict",
                "outside_998",
            )
        ]
    )
    return FunnelResult(table=table, tau2=tau2, target=target, q=q, exact=not overdispersion)


def funnel_curve(
    target: float,
    tau2: float = 0.0,
    n_grid: ArrayLike | None = None,
    n_max: float = 10_000,
    exact: bool = False,
) -> pl.DataFrame:
    """Limit lines for drawing the funnel: columns n, lower_95, upper_95, lower_998, upper_998.

    Same limits as `funnel` uses per unit (`exact=True` for the plain binomial limits of
    overdispersion=False; `FunnelResult.curve()` picks the right one). Without `n_grid`, 200 log-spaced sizes
    from 1 to `n_max`.
    """
    n = np.asarray(n_grid, dtype=float) if n_grid is not None else np.unique(np.geomspace(1, n_max, 200))
    limit_tau2 = None if exact else tau2
    lo95, up95 = _funnel_limits(n, target, limit_tau2, Z95)
    lo998, up998 = _funnel_limits(n, target, limit_tau2, Z998)
    return pl.DataFrame({"n": n, "lower_95": lo95, "upper_95": up95, "lower_998": lo998, "upper_998": up998})
