"""Tests for joblog_dash.stats: each checks a value worked out by hand or a property that can fail."""

from __future__ import annotations

import math

import numpy as np
import pytest

from joblog_dash import stats

# --- Wilson -----------------------------------------------------------------------------------------------


def test_wilson_textbook_value():
    # 81 of 263 (Agresti & Coull 1998 / Newcombe 1998 example): 95 % Wilson interval 0.2553 to 0.3662.
    lower, upper = stats.wilson_interval(81, 263)
    assert round(float(lower), 4) == 0.2553
    assert round(float(upper), 4) == 0.3662


def test_wilson_vectorised_edges():
    lower, upper = stats.wilson_interval([0, 5, 0], [10, 5, 0])
    assert lower[0] == 0.0 and 0 < upper[0] < 0.35  # 0 of 10 still has a positive upper bound
    assert upper[1] == pytest.approx(1.0) and lower[1] < 1.0
    assert math.isnan(lower[2]) and math.isnan(upper[2])


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError):
        stats.wilson_interval([11], [10])


# --- Funnel -----------------------------------------------------------------------------------------------


def test_funnel_no_overdispersion_gives_plain_arcsine_limits():
    n = np.array([200, 400, 800, 1600, 3200, 500])
    x = (n * 0.3).astype(int)  # every unit exactly at the target, so Q = 0 ≤ k − 1
    res = stats.funnel(n, x)
    assert res.target == pytest.approx(0.3)
    assert res.tau2 == 0.0
    assert res.q == pytest.approx(0.0, abs=1e-9)
    theta = math.asin(math.sqrt(0.3))
    expected_upper = [math.sin(theta + 1.959964 / (2 * math.sqrt(k))) ** 2 for k in n]
    expected_lower = [math.sin(theta - 1.959964 / (2 * math.sqrt(k))) ** 2 for k in n]
    np.testing.assert_allclose(res.table["upper_95"].to_numpy(), expected_upper, rtol=1e-6)
    np.testing.assert_allclose(res.table["lower_95"].to_numpy(), expected_lower, rtol=1e-6)
    # For large n they are close to the normal-approximation binomial limits p0 ± 1.96·sqrt(p0(1−p0)/n).
    normal = 0.3 + 1.959964 * np.sqrt(0.21 / n)
    np.testing.assert_allclose(res.table["upper_95"].to_numpy(), normal, atol=0.004)
    assert (res.table["verdict"] == "inden for").all()


def test_funnel_tau2_matches_hand_computation():
    n = np.array([100, 150, 200, 250, 300])
    x = np.array([20, 60, 50, 125, 60])
    target = x.sum() / n.sum()
    theta = math.asin(math.sqrt(target))
    z = sorted(
        (math.asin(math.sqrt(xi / ni)) - theta) * 2 * math.sqrt(ni) for xi, ni in zip(x, n, strict=True)
    )
    # 10 % / 90 % quantiles of five values (linear interpolation): 0.4 and 3.6 positions in the sorted list.
    lo, hi = z[0] + 0.4 * (z[1] - z[0]), z[3] + 0.6 * (z[4] - z[3])
    q = sum(min(max(v, lo), hi) ** 2 for v in z)
    w = [4 * ni for ni in n]
    tau2 = (q - 4) / (sum(w) - sum(v * v for v in w) / sum(w))
    assert tau2 > 0
    res = stats.funnel(n, x)
    assert res.q == pytest.approx(q)
    assert res.tau2 == pytest.approx(tau2)
    # Limits widen by τ²: upper 95 % at n = 200 is sin²(θ + 1.96·sqrt(1/800 + τ²)).
    up = math.sin(theta + stats.Z95 * math.sqrt(1 / 800 + tau2)) ** 2
    assert res.table["upper_95"][2] == pytest.approx(up)
    plain = stats.funnel(n, x, overdispersion=False)
    assert plain.tau2 == 0.0
    assert (plain.table["upper_95"] < res.table["upper_95"]).all()


def test_funnel_verdicts_and_outside_998():
    n = np.array([1000, 1000, 1000, 1000, 1000, 1000, 0])
    x = np.array([300, 300, 300, 400, 270, 200, 0])
    res = stats.funnel(n, x, target=0.3, units=[1, 2, 3, 4, 5, 6, 7])
    assert res.tau2 > 0  # winsorised at 10/90 %, the outliers still make the units over-dispersed
    res = stats.funnel(n, x, target=0.3, overdispersion=False, units=[1, 2, 3, 4, 5, 6, 7])
    t = res.table
    assert t["verdict"].to_list() == ["inden for"] * 3 + ["over", "under", "under", None]
    # 0.27 with n = 1000 lies outside the 95 % limit but inside 99.8 %; 0.20 and 0.40 are far outside.
    assert t["outside_998"].to_list() == [False, False, False, True, False, True, None]
    assert t["share"][6] is None and t["unit"].to_list()[-1] == 7
    # z agrees with the verdict where the arcsine limits apply.
    assert t["z"][3] > stats.Z95 and t["z"][4] < -stats.Z95


def test_funnel_exact_binomial_limits_without_overdispersion():
    from scipy.stats import binom

    curve = stats.funnel_curve(0.3, n_grid=[10, 30, 1000, 5000], exact=True)
    # Interpolated binomial quantile: r = 6 is the smallest count with F(6) ≥ 0.975 for Bin(10, 0.3).
    f6, f5 = binom.cdf(6, 10, 0.3), binom.cdf(5, 10, 0.3)
    assert f5 < 0.975 <= f6
    assert curve["upper_95"][0] == pytest.approx((6 - (f6 - 0.975) / (f6 - f5)) / 10)
    assert curve["lower_95"][0] == 0.0  # F(0) = 0.028 ≥ 0.025 gives r = 0 and α = 1, clipped at 0
    # For large n the exact limits approach the normal approximation.
    assert curve["upper_95"][3] == pytest.approx(0.3 + stats.Z95 * math.sqrt(0.21 / 5000), abs=0.0005)
    assert curve["upper_95"].is_sorted(descending=True) and curve["lower_998"].is_sorted()
    # The result object draws the same limits as its table.
    res = stats.funnel([10, 30], [3, 9], target=0.3, overdispersion=False)
    assert res.exact
    np.testing.assert_allclose(res.curve([10, 30])["upper_95"].to_numpy(), res.table["upper_95"].to_numpy())
    arcsine = stats.funnel([10, 30], [3, 9], target=0.3)
    assert not arcsine.exact
    theta = math.asin(math.sqrt(0.3))
    assert arcsine.table["upper_95"][1] == pytest.approx(
        math.sin(theta + stats.Z95 / (2 * math.sqrt(30))) ** 2
    )


def test_funnel_curve_default_grid_within_unit_interval():
    curve = stats.funnel_curve(0.05, 0.001)
    assert curve.height > 100
    for col in ("lower_95", "upper_95", "lower_998", "upper_998"):
        assert curve[col].min() >= 0.0 and curve[col].max() <= 1.0
    assert (curve["lower_998"] <= curve["lower_95"]).all() and (curve["upper_95"] <= curve["upper_998"]).all()
