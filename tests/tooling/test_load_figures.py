"""The load tool's verdicts, without a server: the RSS trend of the soak, the goal per session count, and
the results file keeping every other part (expected values worked out by hand in each test)."""

from __future__ import annotations

import json
from pathlib import Path

from bench import load, targets


def _samples(rss) -> list[dict]:  # noqa: ANN001 - a function of the second
    return [{"t_s": float(t), "rss_mb": float(rss(t))} for t in range(100)]


def test_rss_that_grows_steadily_is_growing():
    """400 MB + 1 MB/s. After the first 25 % (t = 25..99): slope 1 MB/s = 60 MB/min, growth 1 x 74 s = 74 MB
    against 5 % of the mean (400 + 62 = 462 MB): 23.1 MB, so growing."""
    trend = targets.rss_trend(_samples(lambda t: 400 + t))
    assert trend["verdict"] == "growing"
    assert trend["slope_mb_per_min"] == 60.0 and trend["growth_over_window_mb"] == 74.0
    assert trend["mean_mb"] == 462.0 and trend["window_s"] == [25.0, 99.0]


def test_rss_that_fills_caches_first_then_levels_off_is_flat():
    """+2 MB/s for the first 20 s (inside the skipped first quarter), then 440 MB with +-5 MB noise:
    the fitted slope is about 0 and any growth is far under 5 % of 440 MB (22 MB)."""
    trend = targets.rss_trend(_samples(lambda t: 400 + 2 * min(t, 20) + (5 if t % 2 else -5)))
    assert trend["verdict"] == "flat"
    assert abs(trend["growth_over_window_mb"]) < 2


def test_too_few_samples_give_no_verdict():
    assert targets.rss_trend(_samples(lambda t: 400)[:5])["verdict"] == "too few samples"


def test_p95_goal_by_session_count():
    """Issue 11: 20 sessions p95 <= 1 s, 60 sessions <= 2.5 s; in between and beyond the stricter of the two
    that still covers the count."""
    assert [load.p95_goal(n) for n in (5, 20, 21, 60, 100)] == [1000, 1000, 2500, 2500, 2500]


def test_results_keep_other_parts_and_replace_the_old_single_run_layout(tmp_path: Path):
    out = tmp_path / "results.json"
    out.write_text(json.dumps({"scales": {"demo": 1}, "load": {"sessions": 20, "old": True}}))
    load.merge_results(out, "load", {"p95": 1}, sub="20_sessions")
    load.merge_results(out, "load", {"p95": 2}, sub="60_sessions")
    load.merge_results(out, "soak", {"stall": None})
    assert json.loads(out.read_text()) == {
        "scales": {"demo": 1},
        "load": {"20_sessions": {"p95": 1}, "60_sessions": {"p95": 2}},
        "soak": {"stall": None},
    }
