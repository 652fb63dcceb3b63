"""The benchmark harness: result structure of a tiny run, the bare page and the table (no timings asserted)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import common, page_bench, report
from bench import run as bench_run
from joblog_dash import config


def test_summary_median_and_nearest_rank_p95():
    samples = [i / 1000 for i in range(1, 21)]  # 1..20 ms
    assert common.summary(samples) == {"median_ms": 10.5, "p95_ms": 19.0, "n": 20}
    assert common.summary([0.005]) == {"median_ms": 5.0, "p95_ms": 5.0, "n": 1}


def test_page_paths_are_the_existing_layout_pages():
    from joblog_dash.ui.layout import PAGES

    found = common.page_paths()
    assert found[0] == ("app.py", "")
    assert {s for s, _ in found} == {s for s, _, _ in PAGES if (config.PACKAGE_ROOT / s).is_file()}
    for script, url in found[1:]:
        assert url and not url[0].isdigit() and url in script


def test_machine_records_cores_and_memory():
    found = common.machine()
    assert found["cores"] >= 1 and found["memory_gb"] > 0 and len(found["load_average"]) == 3


def test_tiny_run_result_structure(demo_data_dir: Path, tmp_path: Path):
    settings = bench_run.Settings.quick(pages=False, browser=False)
    result = bench_run.measure_scale("demo", demo_data_dir, settings)
    assert result["rows"] == 1_646_400  # 98 municipalities x 120 cells x 140 months
    names = set(result["queries"])
    assert {"months", "trend[national]", "snapshot", "panel", "group_sizes", "breakdown[national]"} <= names
    for figures in result["queries"].values():
        assert figures["n"] == settings.query_repeats
        assert 0 < figures["median_ms"] <= figures["p95_ms"]
        assert figures["floor_median_ms"] > 0 and figures["ratio_to_floor"] > 0
    results = {"machine": common.machine(), "budgets": bench_run.BUDGETS, "scales": {"demo": result}}
    text = report.table(results)
    assert "trend[national]" in text and "1,646,400 rows" in text
    json.dumps(results, default=str)  # the results file can be written


def test_bare_page_has_the_same_sidebar_selectboxes(demo_data_dir: Path, tmp_path: Path):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(config.PACKAGE_ROOT / "app.py"), default_timeout=180)
    at.run()
    assert not at.exception
    bare_file = tmp_path / "bare.py"
    bare_file.write_text(page_bench.bare_script(at), encoding="utf-8")
    source = bare_file.read_text(encoding="utf-8")
    assert "joblog_dash" not in source and "duckdb" not in source  # no data
    bare = AppTest.from_file(str(bare_file), default_timeout=180)
    bare.run()
    assert not bare.exception
    real = [(b.label, list(b.options), b.index) for b in at.sidebar.selectbox]
    copied = [(b.label, list(b.options), b.index) for b in bare.sidebar.selectbox]
    assert copied == real and real


@pytest.mark.parametrize("scale", ["demo", "full"])
def test_data_dir_is_under_bench_data(scale: str):
    assert common.data_dir(scale) == common.BENCH_DATA / scale


def test_goals_report_marks_each_figure_against_its_goal_and_the_floor():
    page = {"month_change": {"median_ms": 100.0, "p95_ms": 240.0, "max_ms": 260.0, "n": 3},
            "spec_bytes": {"groups_heatmap": 120_000, "groups_spread": 30_000}, "spec_bytes_total": 150_000}  # fmt: skip
    results = {
        "budgets": bench_run.BUDGETS,
        "scales": {
            "demo": {
                "pages": {"pages/3_ydelsesgrupper.py": page, "pages/5_om_tallene.py": {"month_change": None}},
                "server": {
                    "page_changes": {"/": {"median_ms": 350.0, "p95_ms": 650.0, "n": 10}, "om_tallene": "no such filter"},
                    "shared_link": {"median_ms": 1200.0, "p95_ms": 4500.0, "n": 3},
                    "shared_links_s": {"?maaned=2016-01": 1.2, "kommuner?maaned=2016-02": "error: TimeoutError"},
                    "rss_after_every_page": {"rss_mb": 340.0, "peak_rss_mb": 345.0},
                    "rss_at_end": {"rss_mb": 360.0, "peak_rss_mb": 370.0},
                    "floor": {"change": {"median_ms": 210.0, "p95_ms": 330.0, "n": 10},
                              "shared_link": {"median_ms": 2500.0, "p95_ms": 2900.0, "n": 3}},
                },
            }
        },
    }  # fmt: skip
    lines = report.goals(results).splitlines()

    def line(start: str) -> str:
        return next(s for s in lines if s.strip().startswith(start))

    assert line("/ ").endswith("ok")  # p95 650 <= 2 x the floor's 330 and <= 700
    assert "p95  2.0 x floor" in line("/ ")
    assert "no such filter" in line("om_tallene")
    assert line("open a shared link").endswith("OVER")  # p95 4500 > 1.5 x the floor's 2900 = 4350
    assert "p95 1.6 x floor" in line("open a shared link")
    assert "TimeoutError" in line("failed links")
    assert "median     210  p95     330  (n=10)" in line("floor (bench/floor_app)")  # beside the pages
    assert "median 2500 ms, p95 2900 ms (n=3)" in line("floor (bench/floor_app):")  # beside the links
    assert line("pages/3_ydelsesgrupper.py").endswith("OVER")  # max 260 > 250 although the median is ok
    assert line("RSS of one worker").endswith("ok")  # peak 345 <= 350
    assert line("heat map").endswith("ok") and "120.0" in line("heat map")  # 120 KB <= 150


def test_floor_app_has_the_month_filter_the_bench_drives(monkeypatch: pytest.MonkeyPatch):
    from streamlit.testing.v1 import AppTest

    from joblog_dash.text.strings import t

    monkeypatch.setenv("JOBLOG_FLOOR_OPTIONS", json.dumps(["aug. 2026", "jul. 2026"]))
    at = AppTest.from_file(str(config.PACKAGE_ROOT / "bench" / "floor_app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    box = at.sidebar.selectbox[0]
    assert box.label == t("filter_month") and list(box.options) == ["aug. 2026", "jul. 2026"]
    assert box.value == "jul. 2026"  # the last option, so the bench's first pick is a change
    before = at.get("plotly_chart")[0].proto.spec
    box.select("aug. 2026").run()
    assert at.get("plotly_chart")[0].proto.spec != before  # a change redraws the chart
