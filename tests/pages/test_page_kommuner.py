"""AppTest of the Kommuner page on the demo dataset; expected values computed with DuckDB SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers import figure, run_page
from streamlit.testing.v1 import AppTest

from joblog_dash.config import REFERENCE_DIR
from joblog_dash.text import fmt

MUNIS = str(REFERENCE_DIR / "municipalities.csv")
PAGE = "pages/1_kommuner.py"


def municipal_sql(facts: Path, month: date, group: str, region: str | None) -> dict[int, tuple[int, ...]]:
    """code -> (persons, share joblogged, persons_0, persons_1_5, persons_6plus) for every municipality with
    data, straight from the parquet."""
    where = "AND m.region = $region" if region else ""
    params: dict[str, object] = {"month": month, "grp": group}
    if region:
        params["region"] = region
    rows = (
        duckdb.connect()
        .execute(
            f"""
        SELECT f.municipality_code, sum(f.persons), (sum(f.persons) - sum(f.persons_0)) / sum(f.persons),
               sum(f.persons_0), sum(f.persons_1_5), sum(f.persons_6plus)
        FROM read_parquet('{facts}') f JOIN read_csv('{MUNIS}') m ON m.code = f.municipality_code
        WHERE f.month = $month AND f.benefit_group = $grp {where}
        GROUP BY ALL HAVING sum(f.persons) > 0
        """,
            params,
        )
        .fetchall()
    )
    return {int(r[0]): (int(r[1]), float(r[2]), int(r[3]), int(r[4]), int(r[5])) for r in rows}


def _small(n: int) -> bool:
    return 1 <= n <= 4


def _complement(values: dict[object, int], hidden: set[object]) -> set[object]:
    """Hide the smallest shown values (first in order on ties) until the hidden ones are 0 or at least two
    summing to 5 or more (they could otherwise be recovered from the total)."""
    hidden = set(hidden)
    while hidden and (len(hidden) == 1 or sum(values[k] for k in hidden) < 5):
        rest = [k for k in values if k not in hidden and values[k] > 0]
        if not rest:
            break
        hidden.add(min(rest, key=lambda k: values[k]))
    return hidden


def expected_visible(found: dict[int, tuple[int, ...]]) -> dict[int, float]:
    """Shares that may be shown, by the documented rule worked out here on the SQL counts: rows of 1–4
    persons hidden with their complement across the area; inside a row the 0 / 1–5 / 6+ counts of 1–4 hidden
    with their complement; across rows each count column's hidden cells complemented too; the share joblogged
    needs its row, its persons_0 and the joblogged count (persons − persons_0) shown."""
    codes = sorted(found)
    rows = _complement({c: found[c][0] for c in codes}, {c for c in codes if _small(found[c][0])})
    parts = ("persons_0", "persons_1_5", "persons_6plus")
    cell_hidden = {}
    for c in codes:
        counts = dict(zip(parts, found[c][2:], strict=True))
        cell_hidden[c] = _complement(counts, {k for k, v in counts.items() if _small(v)})
    for j, part in enumerate(parts):
        column = {c: found[c][2 + j] for c in codes}
        for c in _complement(column, {c for c in codes if part in cell_hidden[c]}):
            cell_hidden[c].add(part)
    return {
        c: found[c][1]
        for c in codes
        if c not in rows and "persons_0" not in cell_hidden[c] and not _small(found[c][0] - found[c][2])
    }


def run(params: dict[str, str] | None = None) -> AppTest:
    return run_page(PAGE, params)


def ranked_points(at: AppTest) -> dict[int, float]:
    """code -> share of the dots in the ranked chart (the traces that carry municipality codes)."""
    points: dict[int, float] = {}
    for trace in figure(at, 0)["data"]:
        for x, custom in zip(trace["x"], trace.get("customdata") or [], strict=False):
            points[int(custom[0])] = x
    return points


def table(at: AppTest):  # type: ignore[no-untyped-def]
    return at.dataframe[-1].value


@pytest.mark.parametrize(
    ("params", "month", "group", "region"),
    [
        ({"maaned": "2018-09", "gruppe": "uddannelseshjaelp", "omraade": "region-sjaelland"},
         date(2018, 9, 1), "uddannelseshjaelp", "Region Sjælland"),
        ({"maaned": "2020-06", "gruppe": "kontanthjaelp", "omraade": "hele-landet"},
         date(2020, 6, 1), "kontanthjaelp", None),
        ({"maaned": "2021-12", "gruppe": "dagpenge", "omraade": "region-nordjylland"},
         date(2021, 12, 1), "dagpenge", "Region Nordjylland"),
    ],
)  # fmt: skip
def test_ranked_chart_equals_duckdb(
    demo_facts_path: Path, params: dict[str, str], month: date, group: str, region: str | None
) -> None:
    at = run(params)
    expected = expected_visible(municipal_sql(demo_facts_path, month, group, region))
    points = ranked_points(at)
    assert points.keys() == expected.keys()
    for code, share in expected.items():
        assert points[code] == pytest.approx(share, abs=1e-12)
    lowest = min(expected, key=expected.__getitem__)
    title = figure(at, 0)["layout"]["title"]["text"]
    assert f"({fmt.pct(expected[lowest], 0)})" in title


def test_changing_filters_changes_ranked_chart(demo_facts_path: Path) -> None:
    at = run({"maaned": "2018-09", "gruppe": "kontanthjaelp", "omraade": "region-sjaelland"})
    before = ranked_points(at)
    at.selectbox(key="filter_area").set_value("region-hovedstaden").run()
    assert not at.exception
    after_area = ranked_points(at)
    assert after_area.keys() != before.keys()
    assert after_area == expected_visible(
        municipal_sql(demo_facts_path, date(2018, 9, 1), "kontanthjaelp", "Region Hovedstaden")
    )
    at.selectbox(key="filter_group").set_value("dagpenge").run()
    after_group = ranked_points(at)
    assert after_group != after_area
    assert after_group == pytest.approx(
        expected_visible(municipal_sql(demo_facts_path, date(2018, 9, 1), "dagpenge", "Region Hovedstaden"))
    )
    at.selectbox(key="filter_month").set_value(date(2019, 3, 1)).run()
    assert ranked_points(at) == pytest.approx(
        expected_visible(municipal_sql(demo_facts_path, date(2019, 3, 1), "dagpenge", "Region Hovedstaden"))
    )


def test_query_params_restore_view(demo_data_dir: Path) -> None:
    at = run({"maaned": "2018-09", "gruppe": "uddannelseshjaelp", "omraade": "region-sjaelland"})
    assert at.selectbox(key="filter_month").value == date(2018, 9, 1)
    assert at.selectbox(key="filter_group").value == "uddannelseshjaelp"
    assert at.selectbox(key="filter_area").value == "region-sjaelland"
    assert "i Region Sjælland" in figure(at, 0)["layout"]["title"]["text"]
    assert set(table(at)["Region"]) == {"Region Sjælland"}


def test_bad_params_fall_back_with_notice(demo_data_dir: Path) -> None:
    at = run({"maaned": "2099-13", "omraade": "<script>", "gruppe": "x"})
    notices = " ".join(i.value for i in at.info)
    assert "maaned" in notices and "omraade" in notices and "gruppe" in notices
    assert at.selectbox(key="filter_area").value == "hele-landet"
    assert "i hele landet" in figure(at, 0)["layout"]["title"]["text"]
    # The whole country, the default view: more points than the largest region has municipalities (29).
    # (Was "> 90": the stricter disclosure rule also hides a share whose count with or without job search
    # is 1–4, 8 more municipalities in the default month.)
    assert len(ranked_points(at)) > 29


# A month in which the demo has municipalities with 1–4 persons in the group.
@pytest.mark.parametrize(("group", "month"), [("kontanthjaelp", "2018-09"), ("uddannelseshjaelp", "2021-12")])
def test_suppressed_municipalities_show_no_share(demo_facts_path: Path, group: str, month: str) -> None:
    found = municipal_sql(demo_facts_path, date.fromisoformat(month + "-01"), group, None)
    small = {code for code, values in found.items() if values[0] < 5}
    assert small, f"the demo data should have municipalities with 1-4 persons in {month}"
    at = run({"maaned": month, "gruppe": group, "omraade": "hele-landet"})
    points = ranked_points(at)
    hidden = set(found) - set(expected_visible(found))
    assert small <= hidden and not (hidden & points.keys())
    frame = table(at)
    suppressed = frame[frame["Andel med jobsøgning"] == "for få personer"]
    assert len(suppressed) == len(hidden)
    # No share and no change for them; a municipality hidden whole (1–4 persons, or the complementary row)
    # shows no 0 / 1-5 / 6+ split either. (Before the stricter disclosure rule every hidden share was a row
    # hidden whole; now a share resting on a small part is hidden while the parts of 5+ stay shown.)
    for column in ("Siden sidste måned", "Siden sidste år"):
        assert set(suppressed[column]) == {"for få personer"}
    whole = frame[frame["Personer"] == "for få personer"]
    assert len(whole) >= len(small)
    for column in ("Andel med jobsøgning", "Ingen jobsøgning (0)", "1–5 jobsøgninger", "6+ jobsøgninger"):
        assert set(whole[column]) == {"for få personer"}, column
    shares_text = " ".join(str(v) for v in frame["Andel med jobsøgning"])
    assert "pct." in shares_text


def test_search_filters_table_and_highlights_chart(demo_data_dir: Path) -> None:
    at = run({"maaned": "2018-09", "gruppe": "kontanthjaelp", "omraade": "hele-landet"})
    at.text_input(key="kommuner_search").input("lol").run()
    assert not at.exception
    assert list(table(at)["Kommune"]) == ["Lolland"]
    labels = [text for trace in figure(at, 0)["data"] for text in (trace.get("text") or []) if text]
    assert labels == ["Lolland"]


def test_table_has_sparkline_of_twelve_months(demo_data_dir: Path) -> None:
    at = run({"maaned": "2018-09", "gruppe": "kontanthjaelp", "omraade": "region-sjaelland"})
    frame = table(at)
    spark = frame["Seneste 12 måneder (pct.)"].iloc[0]
    assert len(spark) == 12
    assert list(frame["Rang"])[:3] == [1, 2, 3]


def test_table_shows_core_columns_and_all_on_toggle(demo_data_dir: Path) -> None:
    at = run()
    frame = table(at)
    core = list(at.dataframe[-1].proto.column_order)
    assert core and set(core) < set(frame.columns)
    assert {"Kommune", "Andel med jobsøgning", "Rang, 95 pct.-interval"} <= set(core)
    assert "Region" not in core
    at.toggle(key="kommuner_all_columns").set_value(True).run()
    assert not at.exception
    assert list(at.dataframe[-1].proto.column_order) == []  # no order: every column


def test_open_profile_picker_lists_the_table_and_opens_the_profile(demo_data_dir: Path) -> None:
    """The keyboard path of the table's row drill: the picker offers the table's municipalities in the
    table's order, and choosing Lolland (360) opens its profile with the other filters kept."""
    at = run({"maaned": "2018-09", "gruppe": "kontanthjaelp", "omraade": "region-sjaelland"})
    picker = at.selectbox(key="kommuner_open_profile")
    assert picker.value is None
    assert list(picker.options) == list(table(at)["Kommune"])
    picker.set_value(360).run()
    assert not at.exception
    assert [title.value for title in at.title] == ["Kommuneprofil"]
    assert at.query_params["kommune"] == "360"
    assert at.query_params["maaned"] == "2018-09"
    assert at.session_state["kommuner_open_profile"] is None  # coming back does not open it again


def test_table_shows_job_searches_per_person(demo_data_dir: Path, demo_facts_path: Path) -> None:
    """The rate is in the table (all columns), computed here straight from the parquet."""
    at = run({"maaned": "2018-09", "gruppe": "kontanthjaelp", "omraade": "region-sjaelland"})
    at.toggle(key="kommuner_all_columns").set_value(True).run()
    frame = table(at)
    ((searches, persons),) = (
        duckdb.connect()
        .execute(
            f"SELECT sum(job_searches), sum(persons) FROM read_parquet('{demo_facts_path}') "
            "WHERE municipality_code = 360 AND month = DATE '2018-09-01' AND benefit_group = 'kontanthjaelp'"
        )
        .fetchall()
    )
    row = frame[frame["Kommune"] == "Lolland"].iloc[0]
    assert row["Jobsøgninger pr. person"] == fmt.number(searches / persons, 1)
