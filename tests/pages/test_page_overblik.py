"""AppTest of the Overblik page (app.py) on the demo dataset; expected values computed with DuckDB SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers import figure, run_page
from streamlit.testing.v1 import AppTest

from joblog_dash.config import REFERENCE_DIR
from joblog_dash.data import reference
from joblog_dash.text import fmt

MUNIS = str(REFERENCE_DIR / "municipalities.csv")


def share_sql(facts: Path, month: date, group: str, region: str | None = None) -> float:
    """Share joblogged as a ratio of sums, straight from the parquet file (independent of queries.py)."""
    where = "AND m.region = $region" if region else ""
    params: dict[str, object] = {"month": month, "grp": group}
    if region:
        params["region"] = region
    row = (
        duckdb.connect()
        .execute(
            f"""
        SELECT (sum(f.persons) - sum(f.persons_0)) / sum(f.persons)
        FROM read_parquet('{facts}') f JOIN read_csv('{MUNIS}') m ON m.code = f.municipality_code
        WHERE f.month = $month AND f.benefit_group = $grp {where}
        """,
            params,
        )
        .fetchone()
    )
    return float(row[0])


def run(params: dict[str, str] | None = None) -> AppTest:
    return run_page(None, params)


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_renders_with_kpi_per_group_and_trend(demo_data_dir: Path) -> None:
    at = run()
    assert len(at.metric) == 3
    assert at.title[0].value == "Overblik"
    fig = figure(at)
    names = [trace["name"] for trace in fig["data"]]
    # Uddannelseshjælp ends in June 2025; the uddannelsesparate under 30 continue its series (one colour).
    assert names == ["Kontanthjælp", "Uddannelseshjælp", "Uddannelsesparate u. 30", "Dagpenge"]
    colours = {trace["name"]: trace["line"]["color"] for trace in fig["data"]}
    assert colours["Uddannelseshjælp"] == colours["Uddannelsesparate u. 30"] != colours["Kontanthjælp"]
    # The break in that series is marked: a solid line between June and July 2025, labelled, and a note.
    breaks = [s for s in fig["layout"]["shapes"] if s["type"] == "line" and not s["line"].get("dash")]
    assert [str(s["x0"])[:10] for s in breaks] == ["2025-06-16"]
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "Brud i serien" in texts
    assert any(x.startswith("Brud i serien fra juli 2025: Åbenlyst uddannelsesparate") for x in texts)
    # The letter is a dotted vertical line; the COVID suspension a shaded band.
    shapes = fig["layout"]["shapes"]
    assert any(s["type"] == "line" and str(s["x0"]).startswith("2018-05-07") for s in shapes)
    assert any(
        s["type"] == "rect"
        and str(s["x0"]).startswith("2020-03-12")
        and str(s["x1"]).startswith("2020-05-27")
        for s in shapes
    )
    labels = [a["text"] for a in fig["layout"]["annotations"]]
    assert "Ministerens brev" in labels


@pytest.mark.parametrize("month", [date(2018, 9, 1), date(2020, 4, 1)])
def test_kpis_equal_duckdb(demo_facts_path: Path, month: date) -> None:
    at = run({"maaned": fmt.month_key(month)})
    values = metric_values(at)
    for group in ("kontanthjaelp", "uddannelseshjaelp", "dagpenge"):
        expected = share_sql(demo_facts_path, month, group)
        assert values[reference.group_label(group, short=True)] == fmt.pct(expected)
        delta = expected - share_sql(demo_facts_path, fmt.add_months(month, -1), group)
        metric = next(m for m in at.metric if m.label == reference.group_label(group, short=True))
        assert metric.delta == fmt.pp(delta).replace("−", "-")
    # The headline states the selected group's share and the change over a year.
    share = share_sql(demo_facts_path, month, "kontanthjaelp")
    year = share - share_sql(demo_facts_path, fmt.add_months(month, -12), "kontanthjaelp")
    headline = at.markdown[0].value
    assert (
        f"I {fmt.month_long(month)} havde {fmt.pct(share)} af de jobparate kontanthjælpsmodtagere" in headline
    )
    assert fmt.number(abs(year) * 100, 1) + " pct.-point " + ("mere" if year > 0 else "mindre") in headline


def test_query_params_restore_area_view(demo_facts_path: Path) -> None:
    at = run({"maaned": "2018-09", "gruppe": "uddannelseshjaelp", "omraade": "region-sjaelland"})
    assert at.selectbox(key="filter_month").value == date(2018, 9, 1)
    assert at.selectbox(key="filter_group").value == "uddannelseshjaelp"
    assert at.selectbox(key="filter_area").value == "region-sjaelland"
    expected = share_sql(demo_facts_path, date(2018, 9, 1), "dagpenge", "Region Sjælland")
    assert metric_values(at)["Dagpenge"] == fmt.pct(expected)
    assert "i Region Sjælland" in at.markdown[0].value
    # Dashed lines for the area beside the national ones.
    traces = figure(at)["data"]
    dashed = [tr for tr in traces if tr["line"].get("dash") == "dash"]
    assert len(dashed) == 4 and all("Region Sjælland" in tr["name"] for tr in dashed)


def test_changing_the_month_widget_changes_kpis(demo_facts_path: Path) -> None:
    at = run({"maaned": "2018-09"})
    before = metric_values(at)
    at.selectbox(key="filter_month").set_value(date(2019, 9, 1)).run()
    assert not at.exception
    after = metric_values(at)
    assert after != before
    assert after["Kontanthjælp"] == fmt.pct(share_sql(demo_facts_path, date(2019, 9, 1), "kontanthjaelp"))


def test_bad_params_fall_back_with_notice(demo_data_dir: Path) -> None:
    at = run({"maaned": "2099-13", "omraade": "<script>", "gruppe": "x"})
    notices = " ".join(i.value for i in at.info)
    assert "maaned" in notices and "omraade" in notices and "gruppe" in notices
    assert at.selectbox(key="filter_area").value == reference.NATIONAL
    assert len(at.metric) == 3
