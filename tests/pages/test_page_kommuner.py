"""AppTest of the Kommuner page on the demo dataset; expected values computed with DuckDB SQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers import chart_keys, figure, run_page, section
from streamlit.testing.v1 import AppTest

from joblog_dash.config import REFERENCE_DIR
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui.layout import SECTION_PARAM

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


def check_placed(points: dict[int, float], found: dict[int, tuple[int, ...]]) -> None:
    """Every dot is the SQL share, or a bound worked out here from the persons alone: at least (n − 4)/n
    where 0–4 lack a job search, at most min(4, n − 5)/n where 0–4 have one, at most (n − 5)/n for a row
    bounded to protect another (5 or more either way); a municipality of 1–4 persons has no dot."""
    for code, (n, share, none, *_) in found.items():
        if n < 5:
            assert code not in points
            continue
        if code not in points:
            continue  # hidden whole with a municipality of 1–4 persons (the table shows no persons for it)
        x = points[code]
        if none >= 5 and n - none >= 5 and x == pytest.approx(share, abs=1e-12):
            continue
        if none < 5:
            assert x == pytest.approx((n - 4) / n), code
        elif n - none < 5:
            assert x == pytest.approx(min(4, n - 5) / n), code
        else:
            assert x == pytest.approx((n - 5) / n) and share <= x, code


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
    found = municipal_sql(demo_facts_path, month, group, region)
    points = ranked_points(at)
    check_placed(points, found)
    persons = dict(zip(table(at)["Kommune"], table(at)["Personer"], strict=True))
    names = dict(zip(table(at)["Kommune"], table(at)["Rang"], strict=True))
    # Every municipality of 5 or more persons is placed unless hidden whole (no persons shown either).
    assert len(points) == sum(1 for v in persons.values() if v == v and v is not None and v >= 5)
    assert len(points) == sum(1 for v in names.values() if v == v and v is not None)
    exact = {c: found[c][1] for c in points if points[c] == pytest.approx(found[c][1], abs=1e-12)}
    lowest = min(exact, key=exact.__getitem__)
    title = figure(at, 0)["layout"]["title"]["text"]
    assert f"({fmt.pct(exact[lowest], 0)})" in title


def test_changing_filters_changes_ranked_chart(demo_facts_path: Path) -> None:
    at = run({"maaned": "2018-09", "gruppe": "kontanthjaelp", "omraade": "region-sjaelland"})
    before = ranked_points(at)
    at.selectbox(key="filter_area").set_value("region-hovedstaden").run()
    assert not at.exception
    after_area = ranked_points(at)
    assert after_area.keys() != before.keys()
    found = municipal_sql(demo_facts_path, date(2018, 9, 1), "kontanthjaelp", "Region Hovedstaden")
    check_placed(after_area, found)
    assert after_area.keys() == {c for c, v in found.items() if v[0] >= 5}
    at.selectbox(key="filter_group").set_value("dagpenge").run()
    after_group = ranked_points(at)
    assert after_group != after_area
    check_placed(
        after_group, municipal_sql(demo_facts_path, date(2018, 9, 1), "dagpenge", "Region Hovedstaden")
    )
    at.selectbox(key="filter_month").set_value(date(2019, 3, 1)).run()
    check_placed(
        ranked_points(at), municipal_sql(demo_facts_path, date(2019, 3, 1), "dagpenge", "Region Hovedstaden")
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
    assert not (small & points.keys())
    check_placed(points, found)
    frame = table(at)
    # A municipality hidden whole (1–4 persons, or the complementary row) shows no figure at all: every
    # numeric cell is missing (a dash on the page), never a text flag in a number column.
    whole = frame[frame["Personer"].isna()]
    assert len(whole) >= len(small) and len(whole) == len(found) - len(points)
    for column in (
        "Andel med jobsøgning (pct.)",
        "Ingen jobsøgning (0)",
        "Siden sidste år (pct.-point)",
        "Rang",
    ):
        assert whole[column].isna().all(), column
    # A bounded municipality: its bound's end, "mindst"/"højst" beside it, and no change or count of 0–4.
    bounded = frame[frame["Grænse"].notna()]
    assert len(bounded) and bounded["Ingen jobsøgning (0)"].isna().all()
    assert bounded["Andel med jobsøgning (pct.)"].notna().all() and bounded["Rang"].notna().all()


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
    assert {"Kommune", "Andel med jobsøgning (pct.)", "Rang fra (95 pct.)", "Grænse"} <= set(core)
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
    assert row["Jobsøgninger pr. person"] == round(searches / persons, 1)


def test_one_section_at_a_time_and_a_shared_link_opens_its_section(demo_data_dir: Path) -> None:
    """Lazy sections: only the open tab's charts are built and sent; ?afsnit= opens another (a shared link),
    an unknown value falls back to the ranking and leaves the URL."""
    at = run({"maaned": "2018-09"})
    assert [tab.label for tab in at.tabs] == [t("section_ranking"), t("section_fair"), t("section_regions")]
    assert chart_keys(at) == ["kommuner_ranked"]
    assert at.dataframe[-1].proto.id.endswith("-kommuner_table")  # the table belongs to the ranking
    # The line under the tabs names what the other sections hold.
    assert any(c.value.startswith(t("sections_others", others="")[:-1]) for c in at.caption)
    at = run({"maaned": "2018-09", **section("fair")})
    assert chart_keys(at) == ["kommuner_funnel", "kommuner_map_hex"]
    assert at.query_params[SECTION_PARAM] == t("section_fair")
    at = run({"maaned": "2018-09", **section("regions")})
    assert chart_keys(at) == ["kommuner_regions"]
    at = run({"maaned": "2018-09", SECTION_PARAM: "<b>x</b>"})
    assert chart_keys(at) == ["kommuner_ranked"]
    assert SECTION_PARAM not in at.query_params
