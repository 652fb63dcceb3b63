"""Tests for joblog_dash.analysis.stats: each checks a value worked out by hand or a property that can fail."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
import pytest

from joblog_dash.analysis import stats

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


# --- Ranks and shrinkage ------------------------------------------------------------------------------------


def test_rank_intervals_big_clear_leader_is_narrow_and_small_units_wide():
    n = np.array([20_000, 5_000, 5_000, 5_000, 30, 25, 20])
    x = np.array([14_000, 2_000, 2_100, 1_900, 12, 10, 8])
    t = stats.rank_intervals(n, x, n_sims=1000, seed=1)
    assert t["rank"][0] == 1 and t["rank_lower"][0] == 1 and t["rank_upper"][0] == 1
    widths = (t["rank_upper"] - t["rank_lower"]).to_list()
    assert min(widths[4:]) >= 3 > max(widths[:4]) - 1  # tiny units: wide; big units: at most 2 ranks apart
    assert ((t["rank_lower"] <= t["rank"]) & (t["rank"] <= t["rank_upper"])).all()
    again = stats.rank_intervals(n, x, n_sims=1000, seed=1)
    assert again.equals(t)  # deterministic via the seed


def test_rank_intervals_skip_empty_units():
    t = stats.rank_intervals([100, 0, 100], [60, 0, 40], n_sims=200)
    assert t["rank"].to_list() == [1, None, 2]


def test_shrinkage_pulls_small_units_more():
    n = np.array([5_000, 4_000, 6_000, 20, 20, 3_000])
    x = np.array([2_000, 1_000, 2_700, 18, 2, 1_500])
    res = stats.shrunken_share(n, x)
    raw = x / n
    assert res.mean == pytest.approx(x.sum() / n.sum())
    assert 0 < res.prior_n < np.inf
    pull = np.abs(raw - res.share) / np.abs(raw - res.mean)  # fraction of the way to the pooled mean
    assert pull[3] > 0.3 and pull[4] > 0.3 and pull[[0, 1, 2, 5]].max() < 0.05
    # Posterior mean formula (x + M·p̄)/(n + M) by hand for the small unit.
    assert res.share[3] == pytest.approx((18 + res.prior_n * res.mean) / (20 + res.prior_n))


def test_shrinkage_without_extra_variation_pools_fully():
    res = stats.shrunken_share([1000, 1000, 1000], [300, 301, 299])
    assert res.prior_n == np.inf
    np.testing.assert_allclose(res.share, 0.3)


# --- Peers -------------------------------------------------------------------------------------------------


def _random_features(seed: int = 3, k: int = 40) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "code": np.arange(101, 101 + k, dtype=np.int32),
            "region": rng.choice(["Nord", "Midt", "Syd"], size=k),
            "log_pop": rng.normal(10.5, 0.7, k),
            "kontanthjaelp_per_1000": rng.normal(20, 6, k),
            "share_young": rng.uniform(0.1, 0.4, k),
        }
    )


def test_peers_deterministic_k_rows_never_itself_mostly_reciprocal():
    feats = _random_features()
    a = stats.peers(feats, k=5)
    b = stats.peers(feats.sample(fraction=1.0, shuffle=True, seed=9), k=5)
    assert a.equals(b)  # row order of the input does not matter
    assert a.group_by("code").len()["len"].to_list() == [5] * 40
    assert (a["code"] != a["peer_code"]).all()
    assert a.group_by("code").agg(pl.col("distance").is_sorted())["distance"].all()
    pairs = set(zip(a["code"].to_list(), a["peer_code"].to_list(), strict=True))
    reciprocal = sum((q, p) in pairs for p, q in pairs) / len(pairs)
    assert reciprocal > 0.5


def test_peers_finds_twin_and_explains_in_danish():
    feats = _random_features()
    twin = feats.filter(pl.col("code") == 110).with_columns(
        pl.lit(999, dtype=pl.Int32).alias("code"), (pl.col("log_pop") + 0.01).alias("log_pop")
    )
    feats = pl.concat([feats, twin])
    labels = {
        "log_pop": "indbyggertal",
        "kontanthjaelp_per_1000": "kontanthjælpsmodtagere",
        "share_young": "andel unge",
    }
    t = stats.peers(feats, k=3, labels=labels)
    first = t.filter((pl.col("code") == 999) & (pl.col("rank") == 1)).row(0, named=True)
    assert first["peer_code"] == 110
    # Identical on the two other indicators, slightly different population: those two are named.
    assert first["reason"] == "ligner på kontanthjælpsmodtagere og andel unge"


def test_peers_region_breaks_exact_ties():
    feats = pl.DataFrame({"code": [1, 2, 3], "region": ["A", "B", "A"], "x": [0.0, 1.0, 1.0]})
    t = stats.peers(feats, k=2)
    # 2 and 3 are equally far from 1; 3 shares its region and comes first even though 2 has a lower code.
    assert t.filter(pl.col("code") == 1)["peer_code"].to_list() == [3, 2]


# --- SPC signals -------------------------------------------------------------------------------------------


def test_p_chart_centre_and_limits():
    t = stats.p_chart([100, 400, 100, 0], [30, 100, 20, 0], baseline=2)
    assert t["centre"][0] == pytest.approx(130 / 500)
    p = 130 / 500
    assert t["upper_95"][1] == pytest.approx(p + stats.Z95 * math.sqrt(p * (1 - p) / 400))
    assert t["share"][3] is None and t["lower_95"][3] is None


def test_signals_run_below_own_level():
    n = [100] * 12
    x = [30] * 6 + [27, 28, 26, 27, 28, 27]  # six months just below the baseline, none beyond 95 %
    t = stats.signals(n, x, baseline=6)
    assert t["rule_run"].to_list() == [False] * 11 + [True]
    assert not t["rule_998"].any() and not t["rule_limit"].any()
    assert t["explanation"][11] == "6 måneder i træk under eget niveau"
    latest = stats.latest_signals(t)
    assert latest.active and latest.adverse and latest.rules == ("rule_run",)
    assert stats.latest_signals(t.head(10)).text == "Ingen signaler i seneste måned"


def test_signals_outside_998_and_limit_run():
    n = [400] * 10
    x = [120] * 6 + [60, 95, 96, 94]  # 0.15 far below; then 3 months at ~0.24, below the 95 % limit only
    t = stats.signals(n, x, baseline=6, months=list(range(10)))
    assert t["rule_998"].to_list() == [False] * 6 + [True, False, False, False]
    assert t["rule_limit"].to_list() == [False] * 8 + [True, True]
    assert "Markant under eget niveau" in t["explanation"][6]
    assert t["explanation"][8] == "3 måneder i træk under den nedre 95 pct.-grænse"
    assert t["month"].to_list() == list(range(10))


def test_signals_good_news_is_not_adverse():
    n = [100] * 12
    x = [30] * 6 + [33, 34, 32, 33, 34, 60]
    t = stats.signals(n, x, baseline=6)
    assert t["rule_run"][11] and t["rule_998"][11]
    assert not t["adverse"].any()
    assert "over eget niveau" in t["explanation"][11]
    flipped = stats.signals(n, x, baseline=6, bad_side="above")
    assert flipped["adverse"][11]


def test_signals_empty_month_breaks_run():
    n = [100] * 6 + [100, 100, 0, 100, 100, 100, 100]
    x = [30] * 6 + [27, 27, 0, 27, 27, 27, 27]
    t = stats.signals(n, x, baseline=6)
    assert not t["rule_run"].any()


# --- Before/after ---------------------------------------------------------------------------------------


def _panel(unit_shares: dict[int, tuple[float, float]], persons: int = 1000) -> pl.DataFrame:

    rows = []
    for year in (2017, 2018, 2019):
        for month in range(1, 13):
            day = date(year, month, 1)
            for code, (before, after) in unit_shares.items():
                share = before if day < date(2018, 5, 1) else after
                if day == date(2018, 5, 1):
                    share = 0.99  # the event month counts in neither window
                rows.append((code, day, persons, round(persons * share)))
    return pl.DataFrame(rows, schema=["code", "month", "persons", "successes"], orient="row")


def test_before_after_classification():
    # 100 persons a month: a 2–3 pct.-point gap to the rest of the country is within the noise.
    panel = _panel({1: (0.3, 0.4), 2: (0.3, 0.4), 3: (0.3, 0.6), 4: (0.3, 0.3), 5: (0.3, 0.41)}, persons=100)
    t = stats.before_after(panel).sort("code")
    assert t["share_before"].to_list() == pytest.approx([0.3] * 5)
    assert t["share_after"][2] == pytest.approx(0.6)
    assert t["change"][0] == pytest.approx(0.1)
    nat = (0.4 + 0.4 + 0.6 + 0.3 + 0.41) / 5 - 0.3
    assert t["national_change"][0] == pytest.approx(nat)
    assert t["diff_to_national"][3] == pytest.approx(0.0 - nat)
    assert t["classification"].to_list() == [
        "som landet",
        "som landet",
        "forbedret mere end landet",
        "forbedret mindre / forværret",
        "som landet",
    ]
    assert t["persons_before"][0] == 1_200 and t["persons_after"][0] == 1_200


def test_before_after_z_by_hand():
    panel = _panel({1: (0.3, 0.36), 2: (0.3, 0.32)})
    t = stats.before_after(panel).sort("code")
    n = 12_000
    var = 0.3 * 0.7 / n * 2 + 0.36 * 0.64 / n + 0.32 * 0.68 / n
    assert t["z"][0] == pytest.approx((0.06 - 0.02) / math.sqrt(var))


def test_before_after_unit_without_data():
    panel = _panel({1: (0.3, 0.4), 2: (0.3, 0.3)})
    panel = panel.with_columns(
        pl.when(pl.col("code") == 2).then(0).otherwise(pl.col(c)).alias(c) for c in ("persons", "successes")
    )
    t = stats.before_after(panel).sort("code")
    assert t["share_before"][1] is None and t["classification"][1] is None
    assert t["national_change"][0] == pytest.approx(0.1)
