"""AppTest of the Opfølgning page (and the fair-comparison section of Kommuner) on the demo dataset.

Expected values come from DuckDB SQL straight on the parquet file, run through the pure statistics.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import figure, run_page, section
from streamlit.testing.v1 import AppTest

from joblog_dash.analysis import fair, followup, privacy, stats
from joblog_dash.config import REFERENCE_DIR
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

MUNIS = str(REFERENCE_DIR / "municipalities.csv")
PAGE = "pages/4_opfoelgning.py"


def sql_panel(facts: Path, group: str) -> pl.DataFrame:
    """A queries.panel-shaped frame for the whole country, computed independently with DuckDB."""
    return (
        duckdb.connect()
        .sql(
            f"""
            SELECT f.month::DATE AS month, f.municipality_code::INTEGER AS municipality_code, m.name, m.region,
                   sum(f.persons)::BIGINT AS persons, sum(f.persons_0)::BIGINT AS persons_0,
                   sum(f.persons_6plus)::BIGINT AS persons_6plus
            FROM read_parquet('{facts}') f JOIN read_csv('{MUNIS}') m ON m.code = f.municipality_code
            WHERE f.benefit_group = $grp
            GROUP BY ALL ORDER BY municipality_code, month
            """,
            params={"grp": group},
        )
        .pl()
    )


def run(page: str = PAGE, params: dict[str, str] | None = None) -> AppTest:
    return run_page(page, params)


def figure_titled(at: AppTest, words: str) -> dict:
    for index in range(len(at.get("plotly_chart"))):
        fig = figure(at, index)
        if words in fig["layout"]["title"]["text"]:
            return fig
    raise AssertionError(f"no chart titled with {words!r}")


def infos(at: AppTest) -> list[str]:
    return [str(i.value) for i in at.info]


@pytest.mark.parametrize(
    ("params", "month", "group", "area", "measure"),
    [
        ({}, date(2026, 8, 1), "kontanthjaelp", reference.NATIONAL, "joblogged"),  # default: latest month
        ({"maaned": "2019-03", "gruppe": "kontanthjaelp", "omraade": "region-sjaelland", "maal": "ingen"},
         date(2019, 3, 1), "kontanthjaelp", "region-sjaelland", "none"),
        ({"maaned": "2018-11", "gruppe": "dagpenge", "omraade": "hele-landet", "spredning": "ujusteret"},
         date(2018, 11, 1), "dagpenge", reference.NATIONAL, "joblogged"),
    ],
)  # fmt: skip
def test_list_agrees_with_stats_on_duckdb_panel(
    demo_facts_path: Path, params: dict[str, str], month: date, group: str, area: str, measure: str
) -> None:
    at = run(params=params)
    panel = sql_panel(demo_facts_path, group)
    found = reference.area_by_key(area)
    codes = None if found is None or found.column is None else reference.municipality_codes_in(found)
    adjust = params.get("spredning") != "ujusteret"
    expected = followup.build(panel, month, measure, codes, adjust, "national")
    # Listed only where the share can be shown: the measure's count and its complement are 0 or 5+ (a share
    # of 1–4 persons with or without would reveal them).
    numerator = {"joblogged": pl.col("persons") - pl.col("persons_0"), "none": pl.col("persons_0"),
                 "6plus": pl.col("persons_6plus")}[measure]  # fmt: skip
    now = panel.filter(pl.col("month") == month).with_columns(numerator.alias("x"))
    revealing = now.filter(pl.col("x").is_between(1, 4) | (pl.col("persons") - pl.col("x")).is_between(1, 4))
    expected_table = expected.table.filter(~pl.col("code").is_in(revealing["municipality_code"].to_list()))
    expected = type(expected)(table=expected_table, checked=expected.checked, skipped=expected.skipped)
    names = expected.table["name"].to_list()
    if names:
        shown = at.dataframe[0].value
        assert list(shown["Kommune"]) == names
        assert list(shown["Prioritet"]) == expected.table["level"].to_list()
        assert list(shown["Hvorfor"]) == expected.table["why"].to_list()
        # The long reasons are left out of the table's columns and listed in full below it.
        assert "Hvorfor" not in at.dataframe[0].proto.column_order
        assert "Kommune" in at.dataframe[0].proto.column_order
        listed = " ".join(m.value for m in at.markdown)
        assert all(f"**{name}**" in listed for name in names[:15])
    else:
        assert any("skiller sig ud" in str(s.value) for s in at.success)
    if codes is not None:
        assert set(expected.table["code"].to_list()) <= set(codes)
    # Municipalities too small to assess are named, never assessed.
    small = panel.filter(
        (pl.col("month") == month) & pl.col("persons").is_between(1, privacy.MIN_PERSONS - 1)
    )
    if codes is not None:
        small = small.filter(pl.col("municipality_code").is_in(codes))
    caption = " ".join(str(c.value) for c in at.caption)
    for name in small["name"].to_list():
        assert name in caption
        assert name not in names


def test_p_chart_shows_the_chosen_municipality_against_duckdb(demo_facts_path: Path) -> None:
    at = run(params={"maaned": "2021-06", "gruppe": "kontanthjaelp", "kommune": "360"})  # Lolland
    fig = figure_titled(at, "Lolland")
    series = next(tr for tr in fig["data"] if tr["name"] == "Lolland")
    panel = sql_panel(demo_facts_path, "kontanthjaelp")
    rows = panel.filter(
        (pl.col("municipality_code") == 360) & pl.col("month").is_between(date(2019, 7, 1), date(2021, 6, 1))
    ).sort("month")
    # The months with the job-search requirement suspended (spring 2020) are left out: no share, no weight.
    suspended = rows["month"].is_in(list(followup.suspended_months()))
    assert suspended.sum() == 3
    persons = pl.when(suspended).then(0).otherwise(rows["persons"])
    logged = pl.when(suspended).then(0).otherwise(rows["persons"] - rows["persons_0"])
    counts = rows.select(persons.alias("n"), logged.alias("x"))
    expected = [None if s else x / n for s, x, n in zip(suspended, counts["x"], counts["n"], strict=True)]
    assert len(series["y"]) == followup.WINDOW
    assert series["y"] == pytest.approx(expected)
    table = stats.signals(counts["n"].to_numpy(), counts["x"].to_numpy(), baseline=followup.BASELINE)
    centre = next(tr for tr in fig["data"] if tr["name"] == "Eget niveau")
    assert centre["y"][0] == pytest.approx(table["centre"][0])
    assert at.selectbox(key="followup_municipality").value == 360


def test_choosing_another_municipality_updates_url_and_chart(demo_data_dir: Path) -> None:
    at = run(params={"maaned": "2021-06", "gruppe": "kontanthjaelp"})
    at.selectbox(key="followup_municipality").select(751).run()  # Aarhus
    assert not at.exception
    assert at.query_params["kommune"] == ["751"] or at.query_params["kommune"] == "751"
    figure_titled(at, "Aarhus")


def test_letter_chart_covers_the_area_and_national_change(demo_facts_path: Path) -> None:
    at = run(params={"maaned": "2019-06", "gruppe": "kontanthjaelp", "omraade": "region-nordjylland"})
    fig = figure_titled(at, "flyttede sig mere end landet")
    codes = {c[0] for tr in fig["data"] for c in tr.get("customdata") or []}
    region = reference.municipality_codes_in(reference.area_by_key("region-nordjylland"))  # type: ignore[arg-type]
    effect = fair.letter_effect(sql_panel(demo_facts_path, "kontanthjaelp"), "joblogged", region)
    assert codes == set(effect.filter(~pl.col("suppressed"))["code"].to_list())
    national = effect["national_change"][0] * 100
    assert any(abs(shape.get("x0", 1e9) - national) < 1e-9 for shape in fig["layout"]["shapes"])


def test_query_params_restore_the_choices(demo_data_dir: Path) -> None:
    at = run(
        params={
            "maal": "6plus",
            "spredning": "ujusteret",
            "omraade": "region-midtjylland",
            "niveau": "omraade",
        }
    )
    assert at.radio(key="followup_measure").value == "6plus"
    assert at.toggle(key="followup_adjust").value is False
    assert at.radio(key="followup_target").value == "area"
    assert "6 eller flere" in figure(at, 0)["layout"]["yaxis"]["title"]["text"]


def test_changing_the_measure_writes_the_url(demo_data_dir: Path) -> None:
    at = run()
    at.radio(key="followup_measure").set_value("none").run()
    assert not at.exception
    assert at.query_params["maal"] in ("ingen", ["ingen"])


def test_bad_params_fall_back_with_a_notice(demo_data_dir: Path) -> None:
    at = run(params={"maal": "alt", "spredning": "*måske*", "maaned": "1999-01"})
    assert at.radio(key="followup_measure").value == "joblogged"
    assert at.toggle(key="followup_adjust").value is True
    notices = " ".join(infos(at))
    # Values are quoted with their Markdown escaped (no italics from "*måske*").
    assert "»alt«" in notices and r"»\*måske\*«" in notices and "»1999\\-01«" in notices


# --- Kommuner: the funnel plot and the map ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "month", "group", "area"),
    [
        ({"maaned": "2020-06", "gruppe": "kontanthjaelp"}, date(2020, 6, 1), "kontanthjaelp", None),
        ({"maaned": "2018-09", "gruppe": "uddannelseshjaelp", "omraade": "region-sjaelland"},
         date(2018, 9, 1), "uddannelseshjaelp", "region-sjaelland"),
    ],
)  # fmt: skip
def test_kommuner_shows_funnel_and_map(
    demo_facts_path: Path, params: dict[str, str], month: date, group: str, area: str | None
) -> None:
    at = run("pages/1_kommuner.py", {**params, **section("fair")})
    panel = sql_panel(demo_facts_path, group).filter(pl.col("month") == month)
    codes = reference.municipality_codes_in(reference.area_by_key(area)) if area else None  # type: ignore[arg-type]
    if codes is not None:
        panel = panel.filter(pl.col("municipality_code").is_in(codes))
    # Drawn as points: 5+ persons, with neither the count without nor with job search at 0–4 (the share
    # would reveal it, so it is published as a bound); in an area, whose total is shown, a lone hidden
    # municipality takes the next-smallest along.
    none = pl.col("persons_0")
    small = lambda e: e.is_between(0, 4)  # noqa: E731
    ok = (pl.col("persons") >= 5) & ~small(none) & ~small(pl.col("persons") - none)
    hidden_rows = privacy.suppression_mask(panel["persons"], total_shown=area is not None)
    visible = panel.filter(ok & ~hidden_rows)
    funnel = figure_titled(at, "forventet niveau")
    points = {c[0]: (x, y) for tr in funnel["data"] for c, x, y in zip(
        tr.get("customdata") or [], tr.get("x") or [], tr.get("y") or [], strict=False)}  # fmt: skip
    assert set(points) == set(visible["municipality_code"].to_list())
    for code, persons, logged in visible.select(
        "municipality_code", "persons", (pl.col("persons") - pl.col("persons_0")).alias("logged")
    ).iter_rows():
        assert points[code] == pytest.approx((persons, logged / persons))
    for name in ("95 pct.-grænser", "99,8 pct.-grænser"):
        trace = next(tr for tr in funnel["data"] if tr["name"] == name)
        gap = trace["x"].index(None)
        lower, upper = trace["y"][:gap], trace["y"][gap + 1 :]
        assert all(b >= a - 1e-12 for a, b in zip(lower, lower[1:], strict=False))
        assert all(b <= a + 1e-12 for a, b in zip(upper, upper[1:], strict=False))
    hex_cells = [
        code
        for i in range(len(at.get("plotly_chart")))
        for tr in figure(at, i)["data"]
        if tr.get("marker", {}).get("symbol") == "hexagon"
        for code, _hover in tr.get("customdata", [])
    ]
    assert sorted(hex_cells) == sorted(reference.municipalities()["code"].to_list())


def test_kommuner_bad_boundaries_fall_back_to_hex_with_a_message(
    demo_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("JOBLOG_BOUNDARIES", str(bad))
    at = run("pages/1_kommuner.py", section("fair"))
    assert any("ikke gyldig JSON" in str(w.value) for w in at.warning)
    assert not [r for r in at.radio if r.key == "kommuner_map_kind"]  # no choropleth offered
    assert sum(len(tr["customdata"]) for i in range(len(at.get("plotly_chart")))
               for tr in figure(at, i)["data"] if tr.get("marker", {}).get("symbol") == "hexagon") == 98  # fmt: skip


def test_kommuner_offers_the_choropleth_with_good_boundaries(
    demo_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    square = [[12.5, 55.6], [12.6, 55.6], [12.6, 55.7], [12.5, 55.7], [12.5, 55.6]]
    doc = (
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"kommunekode": "0101"},'
        f' "geometry": {{"type": "Polygon", "coordinates": [{square}]}}}}]}}'
    )
    path = tmp_path / "good.geojson"
    path.write_text(doc, encoding="utf-8")
    monkeypatch.setenv("JOBLOG_BOUNDARIES", str(path))
    at = run("pages/1_kommuner.py", section("fair"))
    at.radio(key="kommuner_map_kind").set_value("geo").run()
    assert not at.exception
    polygons = [
        tr
        for i in range(len(at.get("plotly_chart")))
        for tr in figure(at, i)["data"]
        if tr.get("fill") == "toself"
    ]
    assert [tr["meta"]["code"] for tr in polygons] == [101]


def test_kommuner_table_shows_wilson_and_rank_intervals(demo_facts_path: Path) -> None:
    at = run("pages/1_kommuner.py", {"maaned": "2020-06", "gruppe": "kontanthjaelp"})
    frame = at.dataframe[-1].value
    panel = sql_panel(demo_facts_path, "kontanthjaelp").filter(pl.col("month") == date(2020, 6, 1))
    row = panel.filter(pl.col("municipality_code") == 360).row(0, named=True)  # Lolland
    low, high = stats.wilson_interval([row["persons"] - row["persons_0"]], [row["persons"]])
    shown = frame[frame["Kommune"] == "Lolland"].iloc[0]
    interval = (shown["95 pct.-interval fra (pct.)"], shown["95 pct.-interval til (pct.)"])
    assert interval == (round(low[0] * 100, 1), round(high[0] * 100, 1))
    assert shown["Rang fra (95 pct.)"] <= shown["Rang"] <= shown["Rang til (95 pct.)"]
    hidden = frame[frame["Personer"].isna()]
    assert hidden["95 pct.-interval fra (pct.)"].isna().all() and hidden["Rang fra (95 pct.)"].isna().all()
    # The ranked chart's hover carries the interval too.
    ranked = figure(at, 0)
    custom = {c[0]: c for tr in ranked["data"] for c in tr.get("customdata") or []}
    assert custom[360][5] == fmt.pct_range(low[0], high[0])


def test_profile_shows_funnel_position_signals_and_p_chart(demo_facts_path: Path) -> None:
    at = run(
        "pages/2_kommuneprofil.py",
        {"maaned": "2021-06", "gruppe": "kontanthjaelp", "kommune": "360", **section("followup")},
    )
    month = sql_panel(demo_facts_path, "kontanthjaelp").filter(pl.col("month") == date(2021, 6, 1))
    result = stats.funnel(
        month["persons"].to_numpy(),
        (month["persons"] - month["persons_0"]).to_numpy(),
        units=month["municipality_code"].to_numpy(),
    )
    verdict = result.table.filter(pl.col("unit") == 360)["verdict"][0]
    position = next(str(m.value) for m in at.markdown if "I tragtdiagrammet" in str(m.value))
    assert f"Lolland **{verdict} forventet niveau**" in position
    table = followup.municipality_signals(
        sql_panel(demo_facts_path, "kontanthjaelp"), 360, date(2021, 6, 1), "joblogged"
    )
    latest = stats.latest_signals(table)
    signal_text = " ".join(str(m.value) for m in at.markdown)
    assert (latest.text in signal_text) if latest.active else ("Ingen aktive signaler" in signal_text)
    figure_titled(at, "Lolland: ")


def test_list_p_chart_and_letter_have_downloads(demo_data_dir: Path) -> None:
    at = run(params={"maaned": "2018-09", "gruppe": "kontanthjaelp"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels.count(t("download_csv")) >= 3  # the list, the p-chart's table, the letter's table
    assert sum(b.label == t("download_image_make") for b in at.button) >= 2


def test_visit_pack_of_the_area_with_a_progress_bar(demo_data_dir: Path):
    at = run_page(PAGE, {"maaned": "2018-09", "gruppe": "kontanthjaelp", "omraade": "rar-bornholm"})
    make = next(b for b in at.button if b.label.startswith("🗂️ Lav besøgspakke"))
    assert "(1 kommuner)" in make.label
    make.click().run(timeout=120)
    assert not at.exception
    zipped = [d for d in at.get("download_button") if d.proto.label.startswith("⬇️ Besøgspakke")]
    assert len(zipped) == 1 and "1 briefs" in zipped[0].proto.label
