"""Statistics for comparing municipalities: intervals, funnel plots, ranks, peers, SPC signals, before/after.

Pure functions on numpy arrays and polars frames; no Streamlit, no SQL, no I/O. Shares are fractions 0..1
and always a ratio of sums. Danish text appears only in values a user sees (verdicts, explanations).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

# scipy.special, not scipy.stats: importing scipy.stats costs ~60 MB and ~0.5 s in every server process
# (issue 11), and these few functions are the same special functions scipy.stats calls.
from scipy import special

Z95 = float(special.ndtri(0.975))  # 1.959964
Z998 = float(special.ndtri(0.999))  # 3.090232


def _binom_cdf(k: NDArray[np.float64], n: NDArray[np.int64], p: float) -> NDArray[np.float64]:
    """Binomial P(X ≤ k), 0 below 0 and 1 from n up (as scipy.stats.binom.cdf)."""
    k = np.floor(k)
    inside = special.bdtr(np.clip(k, 0, n), n, p)
    return np.where(k < 0, 0.0, np.where(k >= n, 1.0, inside))


def _binom_ppf(q: float, n: NDArray[np.int64], p: float) -> NDArray[np.float64]:
    """Smallest k with P(X ≤ k) ≥ q, for 0 < q < 1 (scipy.stats.binom.ppf's own method: invert the
    incomplete beta in k, round up, and step one back if that one already reaches q)."""
    k = np.ceil(special.bdtrik(q, n, p))
    below = np.maximum(k - 1, 0)
    return np.minimum(np.where(_binom_cdf(below, n, p) >= q, below, k), n).astype(float)


def _rank_min(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Ranks 1..n along the last axis, ties sharing the lowest (scipy.stats.rankdata(method="min"))."""
    ordered = np.sort(values, axis=-1)
    if values.ndim == 1:
        return np.searchsorted(ordered, values, side="left") + 1
    return np.stack([np.searchsorted(o, v, side="left") for o, v in zip(ordered, values, strict=True)]) + 1


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


def _exact_binomial_limit(
    n: NDArray[np.float64], target: float | NDArray[np.float64], prob: float
) -> NDArray[np.float64]:
    """Spiegelhalter (2005, appendix A.1.1) interpolated binomial quantile, as a share.

    r = smallest count with F(r) ≥ prob; α = (F(r) − prob) / (F(r) − F(r−1)); limit = (r − α) / n.
    The interpolation makes the limits a smooth curve in n instead of a staircase.
    """
    n_int = np.maximum(n, 1).astype(np.int64)
    r = _binom_ppf(prob, n_int, target)
    f_r = _binom_cdf(r, n_int, target)
    f_prev = _binom_cdf(r - 1, n_int, target)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.where(f_r > f_prev, (f_r - prob) / (f_r - f_prev), 0.0)
    return np.clip((r - alpha) / n_int, 0.0, 1.0)


def _funnel_limits(
    n: NDArray[np.float64], target: float | NDArray[np.float64], tau2: float | None, z: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Control limits at sample sizes n: sin²(θ ± z·sqrt(1/4n + τ²)) with θ = asin(sqrt(target)).

    tau2=None means plain binomial limits: the exact interpolated binomial quantiles, used for every n (not
    only small n) so the drawn funnel is one smooth curve without a jump where a method switch would be.
    The angle is clipped to [0, π/2] so the limits stay within [0, 1] and do not fold back.
    """
    if tau2 is None:
        tail = float(special.ndtr(-z))  # the normal upper tail
        return _exact_binomial_limit(n, target, tail), _exact_binomial_limit(n, target, 1.0 - tail)
    theta = np.arcsin(np.sqrt(target))
    with np.errstate(divide="ignore"):
        spread = z * np.sqrt(1.0 / (4.0 * n) + tau2)
    lower = np.sin(np.clip(theta - spread, 0.0, np.pi / 2)) ** 2
    upper = np.sin(np.clip(theta + spread, 0.0, np.pi / 2)) ** 2
    return lower, upper


def estimate_tau2(
    persons: ArrayLike, successes: ArrayLike, target: float | ArrayLike, winsor: float = 0.1
) -> tuple[float, float]:
    """DerSimonian–Laird additive over-dispersion on the arcsine scale, with winsorised z-scores.

    y = asin(sqrt(p)), θ = asin(sqrt(target)), s² = 1/4n, z = (y − θ)/s; z winsorised at the `winsor` and
    1 − `winsor` quantiles; Q = Σ z_w²; w = 1/s²; τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)).
    `target` is one share for all units or one per unit (each unit's expected share, as in indirect
    standardisation). Returns (τ², Q). Units with n = 0 are left out.
    """
    n, x = _counts(persons, successes)
    theta_all = np.broadcast_to(np.arcsin(np.sqrt(np.asarray(target, dtype=float))), n.shape)
    keep = n > 0
    n, x, theta = n[keep], x[keep], theta_all[keep]
    k = n.size
    if k < 2:
        return 0.0, 0.0
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


# --- Rank uncertainty and shrinkage ----------------------------------------------------------------------


def rank_intervals(
    persons: ArrayLike,
    successes: ArrayLike,
    n_sims: int = 1000,
    seed: int = 0,
    level: float = 0.95,
    bounds: tuple[ArrayLike, ArrayLike] | None = None,
) -> pl.DataFrame:
    """Observed rank (1 = highest share) with a `level` interval from a parametric bootstrap.

    Each simulation draws every unit's true share from its Jeffreys posterior Beta(x + ½, n − x + ½) and
    ranks the draws; rank_lower / rank_upper are the (1 − level)/2 and (1 + level)/2 quantiles of a unit's
    simulated ranks (integer ranks, 'lower'/'higher' quantile rule). Deterministic through `seed`. Units with
    n = 0 are not ranked (null) and do not take part.

    `bounds` (lower, upper; NaN where the share is exact): a unit whose share is only known to lie within its
    bound is ranked at x / n as given (the bound's finite end) and drawn uniformly within the bound, so no
    rank or interval rests on more than what is published about it.
    """
    n, x = _counts(persons, successes)
    valid = n > 0
    k = int(valid.sum())
    rank = np.full(n.size, np.nan)
    lower = np.full(n.size, np.nan)
    upper = np.full(n.size, np.nan)
    if k:
        share = x[valid] / n[valid]
        # Rank 1 = highest share; ties share the best rank ('min').
        rank[valid] = _rank_min(-share)
        rng = np.random.default_rng(seed)
        draws = rng.beta(x[valid] + 0.5, n[valid] - x[valid] + 0.5, size=(n_sims, k))
        if bounds is not None:
            low, high = (np.asarray(b, dtype=float)[valid] for b in bounds)
            within = ~np.isnan(low)
            uniform = rng.uniform(size=(n_sims, k))
            draws[:, within] = (low + uniform * (high - low))[:, within]
        sim_ranks = _rank_min(-draws)
        tail = (1.0 - level) / 2.0
        lower[valid] = np.quantile(sim_ranks, tail, axis=0, method="lower")
        upper[valid] = np.quantile(sim_ranks, 1.0 - tail, axis=0, method="higher")
    return pl.DataFrame(
        {
            "share": np.where(valid, x / np.where(valid, n, 1), np.nan),
            "rank": rank,
            "rank_lower": lower,
            "rank_upper": upper,
        },
        nan_to_null=True,
    ).with_columns(pl.col("rank", "rank_lower", "rank_upper").cast(pl.Int32))


@dataclass(frozen=True)
class Shrinkage:
    """Empirical-Bayes estimates: `share` per unit (NaN where n = 0), the pooled `mean` and the prior
    strength `prior_n` (α + β; infinite when the units show no extra-binomial variation)."""

    share: NDArray[np.float64]
    mean: float
    prior_n: float


def shrunken_share(persons: ArrayLike, successes: ArrayLike) -> Shrinkage:
    """Beta-binomial shrinkage with a method-of-moments prior.

    p̄ = Σx/Σn. Between-unit variance of true shares (weighted moment estimator, Kleinman 1973):
    σ² = [Σ nᵢ(pᵢ − p̄)² − (k − 1)·p̄(1 − p̄)] / [N − Σnᵢ²/N]. Beta prior with mean p̄ and variance σ² has
    M = α + β = p̄(1 − p̄)/σ² − 1; each unit's posterior mean is (xᵢ + M·p̄)/(nᵢ + M), so a unit is pulled
    toward p̄ with weight M/(nᵢ + M): small units move more. σ² ≤ 0 means full pooling (every share = p̄).
    """
    n, x = _counts(persons, successes)
    valid = n > 0
    nv, xv = n[valid], x[valid]
    total = nv.sum()
    if total == 0:
        return Shrinkage(np.full(n.size, np.nan), float("nan"), float("nan"))
    mean = float(xv.sum() / total)
    k = nv.size
    p = xv / nv
    denom = total - np.sum(nv**2) / total
    sigma2 = (np.sum(nv * (p - mean) ** 2) - (k - 1) * mean * (1 - mean)) / denom if denom > 0 else 0.0
    if sigma2 <= 0 or mean in (0.0, 1.0):
        prior_n = float("inf")
        est = np.full(k, mean)
    else:
        prior_n = float(max(mean * (1 - mean) / sigma2 - 1.0, 0.0))
        est = (xv + prior_n * mean) / (nv + prior_n)
    share = np.full(n.size, np.nan)
    share[valid] = est
    return Shrinkage(share, mean, prior_n)


# --- Peers -------------------------------------------------------------------------------------------------

# Added to the distance of a pair in different regions: far smaller than any real difference in the
# standardised indicators, so it only decides between (nearly) equally close candidates.
REGION_PENALTY = 1e-6


def _reason(names: list[str]) -> str:
    return "ligner på " + " og ".join(names)


def peers(
    features: pl.DataFrame, k: int = 5, labels: dict[str, str] | None = None, reason_count: int = 2
) -> pl.DataFrame:
    """The k most similar units for every unit: columns code, peer_code, rank, distance, reason.

    Every numeric column (all but `code` and `region`) is standardised to z-scores (population sd; a
    constant column contributes nothing; a missing value counts as the column mean). Distance is Euclidean
    over the z-scores; a different region adds REGION_PENALTY as a tie-breaker; remaining ties go to the
    lower peer code. `reason` names the `reason_count` indicators with the smallest |z difference|, in plain
    Danish via `labels` (column name if no label), e.g. "ligner på indbyggertal og andel unge".
    """
    labels = labels or {}
    value_cols = [c for c in features.columns if c not in ("code", "region")]
    if not value_cols:
        raise ValueError("peers needs at least one numeric indicator column")
    frame = features.sort("code")
    codes = frame["code"].to_numpy()
    regions = frame["region"].to_numpy() if "region" in frame.columns else np.zeros(frame.height)
    values = frame.select(pl.col(value_cols).cast(pl.Float64)).to_numpy()
    mean = np.nanmean(values, axis=0)
    sd = np.nanstd(values, axis=0)
    z = np.where(sd > 0, (values - mean) / np.where(sd > 0, sd, 1.0), 0.0)
    z = np.nan_to_num(z, nan=0.0)
    diff = np.abs(z[:, None, :] - z[None, :, :])  # (unit, other, indicator)
    distance = np.sqrt(np.sum(diff**2, axis=2))
    ranked = distance + REGION_PENALTY * (regions[:, None] != regions[None, :])
    np.fill_diagonal(ranked, np.inf)
    k = min(k, frame.height - 1)
    rows: dict[str, list] = {"code": [], "peer_code": [], "rank": [], "distance": [], "reason": []}
    for i in range(frame.height):
        # lexsort: last key is primary, so distance first, then code (codes are sorted, index order = code).
        order = np.lexsort((np.arange(frame.height), ranked[i]))[:k]
        for r, j in enumerate(order, start=1):
            closest = np.argsort(diff[i, j], kind="stable")[:reason_count]
            rows["code"].append(int(codes[i]))
            rows["peer_code"].append(int(codes[j]))
            rows["rank"].append(r)
            rows["distance"].append(float(distance[i, j]))
            rows["reason"].append(_reason([labels.get(value_cols[c], value_cols[c]) for c in closest]))
    return pl.DataFrame(
        rows,
        schema={
            "code": pl.Int32,
            "peer_code": pl.Int32,
            "rank": pl.Int32,
            "distance": pl.Float64,
            "reason": pl.String,
        },
    )


# --- Follow-up signals (SPC p-chart) ----------------------------------------------------------------------


def _p_chart_arrays(
    persons: ArrayLike, successes: ArrayLike, baseline: int | None = None
) -> dict[str, NDArray[np.float64]]:
    """p_chart's columns as numpy arrays (NaN where a month has no persons)."""
    n, x = _counts(persons, successes)
    base = slice(0, baseline) if baseline is not None else slice(None)
    base_n = n[base].sum()
    centre = float(x[base].sum() / base_n) if base_n > 0 else float("nan")
    valid = n > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(valid, x / n, np.nan)
        se = np.where(valid, np.sqrt(centre * (1 - centre) / n), np.nan)
    return {
        "persons": n,
        "successes": x,
        "share": share,
        "centre": np.full(n.size, centre),
        "lower_95": np.clip(centre - Z95 * se, 0, 1),
        "upper_95": np.clip(centre + Z95 * se, 0, 1),
        "lower_998": np.clip(centre - Z998 * se, 0, 1),
        "upper_998": np.clip(centre + Z998 * se, 0, 1),
    }


def p_chart(persons: ArrayLike, successes: ArrayLike, baseline: int | None = None) -> pl.DataFrame:
    """p-chart for one unit's monthly series (in time order): share, centre and control limits per month.

    Centre line p̄ = Σx/Σn over the first `baseline` months (None: the whole series) — a ratio of sums, so
    big months weigh more. Limits from each month's own n: p̄ ± z·sqrt(p̄(1 − p̄)/nᵢ), z = 1.96 (95 %) and
    3.09 (99.8 %), clipped to [0, 1]. Months with n = 0 get null share and limits.
    """
    return pl.DataFrame(_p_chart_arrays(persons, successes, baseline), nan_to_null=True)


def _run_lengths(flags: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Length of the run of True ending at each position (0 where False)."""
    out = np.zeros(flags.size, dtype=np.int64)
    run = 0
    for i, flag in enumerate(flags):
        run = run + 1 if flag else 0
        out[i] = run
    return out


SIDE_LABEL = {"below": "under", "above": "over"}
RULES = ("rule_998", "rule_run", "rule_limit")


def _rules(
    chart: dict[str, NDArray[np.float64]], bad_side: str, run_length: int, limit_run: int
) -> dict[str, NDArray]:
    """Which rules fire in each month of a p-chart (numpy; a month without persons or limits fires none,
    as NaN compares false)."""
    if bad_side not in SIDE_LABEL:
        raise ValueError("bad_side must be 'below' or 'above'")
    share, centre = chart["share"], chart["centre"]
    above = share > centre
    below = share < centre
    outside = (share > chart["upper_998"]) | (share < chart["lower_998"])
    rule_run = (_run_lengths(above) >= run_length) | (_run_lengths(below) >= run_length)
    beyond = share < chart["lower_95"] if bad_side == "below" else share > chart["upper_95"]
    rule_limit = _run_lengths(beyond) >= limit_run
    bad_flags = below if bad_side == "below" else above
    return {
        "side": np.where(above, "over", np.where(below, "under", None)),
        "rule_998": outside,
        "rule_run": rule_run,
        "rule_limit": rule_limit,
        "adverse": ((outside | rule_run) & bad_flags) | rule_limit,
    }


def _explanation(rules: dict[str, NDArray], i: int, bad_side: str, run_length: int, limit_run: int) -> str:
    """The Danish explanation of the rules firing in month i ("" when none)."""
    side = rules["side"][i]
    limit_text = "den nedre 95 pct.-grænse" if bad_side == "below" else "den øvre 95 pct.-grænse"
    parts = []
    if rules["rule_998"][i]:
        parts.append(f"markant {side} eget niveau (uden for 99,8 pct.-grænsen)")
    if rules["rule_run"][i]:
        parts.append(f"{run_length} måneder i træk {side} eget niveau")
    if rules["rule_limit"][i]:
        parts.append(f"{limit_run} måneder i træk {SIDE_LABEL[bad_side]} {limit_text}")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:]


def signals(
    persons: ArrayLike,
    successes: ArrayLike,
    months: ArrayLike | None = None,
    baseline: int | None = None,
    bad_side: str = "below",
    run_length: int = 6,
    limit_run: int = 3,
) -> pl.DataFrame:
    """p-chart table plus which follow-up rules fire in each month and a Danish explanation.

    Rules (a point fires a rule when the pattern ends in that month):
      rule_998:   the share lies outside the 99.8 % limits (either side);
      rule_run:   `run_length` months in a row on the same side of the centre line (a point exactly on the
                  line or a month without persons breaks the run);
      rule_limit: `limit_run` months in a row beyond the 95 % limit on the *bad* side only.
    `bad_side` makes the direction explicit: "below" for shares where less is worse (share joblogged).
    `side` says which side of the centre line the month lies on ("over"/"under"); `adverse` is true when a
    rule fires on the bad side. For the share joblogged that reads "6 måneder i træk under eget niveau".
    """
    chart = _p_chart_arrays(persons, successes, baseline)
    rules = _rules(chart, bad_side, run_length, limit_run)
    texts = [_explanation(rules, i, bad_side, run_length, limit_run) for i in range(chart["share"].size)]
    table = pl.DataFrame(chart, nan_to_null=True)
    if months is not None:
        table = table.with_columns(pl.Series("month", list(months))).select("month", *table.columns)
    return table.with_columns(
        pl.Series("side", rules["side"].tolist(), dtype=pl.String),
        *(pl.Series(name, rules[name]) for name in (*RULES, "adverse")),
        pl.Series("explanation", texts, dtype=pl.String),
    )


@dataclass(frozen=True)
class LatestSignals:
    active: bool  # any rule fires in the inspected months
    adverse: bool  # a rule fires on the bad side
    rules: tuple[str, ...]  # which rule columns fire: "rule_998", "rule_run", "rule_limit"
    text: str  # Danish summary for the user


def _summary(rules: tuple[str, ...], adverse: bool, explanations: list[str], last_n: int) -> LatestSignals:
    period = "seneste måned" if last_n == 1 else f"de seneste {last_n} måneder"
    # Each month's explanation repeats an ongoing run; keep every distinct statement once, in order.
    parts = [part for text in explanations if text for part in text.split("; ")]
    distinct = list(dict.fromkeys(part[:1].upper() + part[1:] for part in parts))
    text = "; ".join(distinct) if distinct else f"Ingen signaler i {period}"
    return LatestSignals(active=bool(rules), adverse=adverse, rules=rules, text=text)


def latest_signals(table: pl.DataFrame, last_n: int = 1) -> LatestSignals:
    """Summarise the last `last_n` months of a `signals` table."""
    tail = table.tail(last_n)
    rules = tuple(r for r in RULES if tail[r].any())
    return _summary(rules, bool(tail["adverse"].any()), tail["explanation"].to_list(), last_n)


def latest_signal(
    persons: ArrayLike,
    successes: ArrayLike,
    baseline: int | None = None,
    bad_side: str = "below",
    run_length: int = 6,
    limit_run: int = 3,
) -> LatestSignals:
    """`latest_signals(signals(...))` for the last month, on numpy arrays only: the follow-up list asks it of
    every municipality on every unseen rerun, where building each signals frame cost ~8 ms."""
    chart = _p_chart_arrays(persons, successes, baseline)
    if not chart["share"].size:
        return _summary((), False, [], 1)
    rules = _rules(chart, bad_side, run_length, limit_run)
    fired = tuple(r for r in RULES if rules[r][-1])
    last = chart["share"].size - 1
    explanation = _explanation(rules, last, bad_side, run_length, limit_run)
    return _summary(fired, bool(rules["adverse"][-1]), [explanation], 1)


# --- The letter's effect: before/after ---------------------------------------------------------------------

CLASS_BETTER = "forbedret mere end landet"
CLASS_SAME = "som landet"
CLASS_WORSE = "forbedret mindre / forværret"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def before_after(
    panel: pl.DataFrame,
    event: date = date(2018, 5, 1),
    window: int = 12,
    unit: str = "code",
    z: float = Z95,
) -> pl.DataFrame:
    """Share before and after an event month per unit, compared with the national change.

    `panel` has columns unit (default `code`), month (first of month), persons, successes. Before = the
    `window` months ending with the month before the event month; after = the `window` months starting with
    the month after it. The event month itself is in neither, because the letter arrived during that month.
    Shares are ratios of sums over the window; `change` = after − before as a fraction (×100 for pct.-point).
    National = all units in the panel. The test compares the unit's change d_u with the change of the rest
    of the country d_r (independent of the unit): z = (d_u − d_r) / sqrt(Σ p(1 − p)/n over the four
    windows); z > 1.96 → "forbedret mere end landet", z < −1.96 → "forbedret mindre / forværret", else
    "som landet". It treats person-months as independent trials, so it overstates certainty somewhat.
    Units without persons in either window get null shares and classification.
    """
    event = date(event.year, event.month, 1)
    before_start, after_end = _add_months(event, -window), _add_months(event, window)
    period = (
        pl.when((pl.col("month") >= before_start) & (pl.col("month") < event))
        .then(pl.lit("before"))
        .when((pl.col("month") > event) & (pl.col("month") <= after_end))
        .then(pl.lit("after"))
    )
    sums = (
        panel.with_columns(period.alias("period"))
        .filter(pl.col("period").is_not_null())
        .group_by(unit)
        .agg(
            [
                pl.col(c).filter(pl.col("period") == p).sum().cast(pl.Float64).alias(f"{c}_{p}")
                for c in ("persons", "successes")
                for p in ("before", "after")
            ]
        )
    )
    units = panel.select(unit).unique()
    sums = units.join(sums, on=unit, how="left").fill_null(0.0).sort(unit)
    nat = sums.select(pl.exclude(unit).sum()).row(0, named=True)

    def share(x: pl.Expr, n: pl.Expr) -> pl.Expr:
        return pl.when(n > 0).then(x / n)

    def var(x: pl.Expr, n: pl.Expr) -> pl.Expr:
        return pl.when(n > 0).then((x / n) * (1 - x / n) / n)

    pb, xb, pa, xa = (
        pl.col(f"{c}_{p}")
        for p, c in (
            ("before", "persons"),
            ("before", "successes"),
            ("after", "persons"),
            ("after", "successes"),
        )
    )
    rb, rxb = nat["persons_before"] - pb, nat["successes_before"] - xb
    ra, rxa = nat["persons_after"] - pa, nat["successes_after"] - xa
    nat_before = nat["successes_before"] / nat["persons_before"] if nat["persons_before"] else None
    nat_after = nat["successes_after"] / nat["persons_after"] if nat["persons_after"] else None
    nat_change = nat_after - nat_before if nat_before is not None and nat_after is not None else None
    result = sums.with_columns(
        share_before=share(xb, pb),
        share_after=share(xa, pa),
        rest_change=share(rxa, ra) - share(rxb, rb),
        se=(var(xb, pb) + var(xa, pa) + var(rxb, rb) + var(rxa, ra)).sqrt(),
    ).with_columns(
        change=pl.col("share_after") - pl.col("share_before"),
        national_before=pl.lit(nat_before, dtype=pl.Float64),
        national_after=pl.lit(nat_after, dtype=pl.Float64),
        national_change=pl.lit(nat_change, dtype=pl.Float64),
    )
    result = result.with_columns(
        diff_to_national=pl.col("change") - pl.col("national_change"),
        z=pl.when(pl.col("se") > 0).then((pl.col("change") - pl.col("rest_change")) / pl.col("se")),
    ).with_columns(
        classification=pl.when(pl.col("change").is_null())
        .then(None)
        .when(pl.col("z") > z)
        .then(pl.lit(CLASS_BETTER))
        .when(pl.col("z") < -z)
        .then(pl.lit(CLASS_WORSE))
        .otherwise(pl.lit(CLASS_SAME))
    )
    return result.select(
        unit,
        "persons_before",
        "successes_before",
        "share_before",
        "persons_after",
        "successes_after",
        "share_after",
        "change",
        "national_before",
        "national_after",
        "national_change",
        "diff_to_national",
        "z",
        "classification",
    )
