"""AppTest: the presentation page, ?praesentation=1 from any page, and the download controls on the pages."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers import figure, run_page
from streamlit.testing.v1 import AppTest

from joblog_dash.text import fmt

PAGE = "pages/6_praesentation.py"
PARAMS = {"kommune": "360", "maaned": "2018-09", "fra": "2018-01", "gruppe": "kontanthjaelp"}


def run(page: str | None, params: dict[str, str]) -> AppTest:
    return run_page(page, params, check=False)


def slide_title(at: AppTest) -> str:
    found = [m.value for m in at.markdown if m.value.startswith("<div class='slide-title'")]
    assert len(found) == 1
    return found[0].split(">", 1)[1].rsplit("<", 1)[0]


def national_share(facts: Path, month: date) -> float:
    persons, none = (
        duckdb.connect()
        .execute(
            f"""SELECT sum(persons), sum(persons_0) FROM read_parquet('{facts}')
            WHERE month = $month AND benefit_group = 'kontanthjaelp'""",
            {"month": month},
        )
        .fetchone()
    )
    return (persons - none) / persons


def test_deck_steps_with_buttons_and_keeps_the_slide_in_the_url(demo_data_dir: Path, demo_facts_path: Path):
    at = run(PAGE, PARAMS)
    assert not at.exception
    first = slide_title(at)
    jan, sep = (
        national_share(demo_facts_path, date(2018, 1, 1)),
        national_share(demo_facts_path, date(2018, 9, 1)),
    )
    assert fmt.pct(jan) in first and fmt.pct(sep) in first and "siden jan. 2018" in first
    assert at.button(key="deck_previous").disabled and not at.button(key="deck_next").disabled
    titles = [first]
    for expected in ("2", "3", "4"):
        at.button(key="deck_next").click().run()
        assert at.query_params["dias"] == [expected] or at.query_params["dias"] == expected
        titles.append(slide_title(at))
    assert len(set(titles)) == 4 and titles[3].startswith("Lolland: ")
    assert at.button(key="deck_next").disabled
    spec = figure(at)
    assert spec["layout"]["font"]["size"] >= 18  # large type on the slides
    at.button(key="deck_previous").click().run()
    assert slide_title(at) == titles[2]


@pytest.mark.parametrize("raw", ["0", "99", "abc"])
def test_bad_slide_number_is_clamped(raw: str, demo_data_dir: Path):
    at = run(PAGE, {**PARAMS, "dias": raw})
    assert not at.exception
    counter = next(m.value for m in at.markdown if m.value.startswith("<div class='slide-counter'"))
    assert ("Dias 4 af 4" if raw == "99" else "Dias 1 af 4") in counter


def test_praesentation_param_opens_the_deck_from_any_page(demo_data_dir: Path):
    at = run("pages/1_kommuner.py", {**PARAMS, "praesentation": "1"})
    assert not at.exception
    assert any(m.value.startswith("<div class='slide-title'") for m in at.markdown)


@pytest.mark.parametrize(
    ("page", "image_or_brief"),
    [(None, "🖼️ Lav billede (PNG/SVG)"), ("pages/1_kommuner.py", "🖼️ Lav billede (PNG/SVG)"),
     ("pages/2_kommuneprofil.py", "📄 Lav kommunebesøgsbrief")],
)  # fmt: skip
def test_pages_offer_downloads(page: str | None, image_or_brief: str, demo_data_dir: Path):
    at = run(page, PARAMS)
    assert not at.exception
    labels = [element.proto.label for element in at.get("download_button")]
    assert labels.count("⬇️ CSV (Excel)") >= 1 and labels.count("⬇️ XLSX") >= 1, labels
    assert image_or_brief in [b.label for b in at.button]


def test_presentation_offers_the_deck_as_pptx_and_pdf(demo_data_dir: Path):
    at = run(PAGE, PARAMS)
    assert not at.exception
    buttons = {element.proto.label: element.proto for element in at.get("download_button")}
    assert "⬇️ PowerPoint (.pptx)" in buttons and "⬇️ PDF (et dias pr. side)" in buttons
    assert buttons["⬇️ PowerPoint (.pptx)"].help.startswith("Diasene med titler")


def test_without_a_municipality_the_last_slide_is_the_areas_most_in_need_of_follow_up(demo_data_dir: Path):
    from joblog_dash.data import warehouse
    from joblog_dash.views import followup
    from joblog_dash.views.selection import Selection

    params = {"maaned": "2018-09", "gruppe": "kontanthjaelp", "omraade": "region-sjaelland", "dias": "4"}
    at = run(PAGE, params)
    assert not at.exception
    listed = followup.build(
        warehouse.open_db(demo_data_dir),
        Selection(date(2018, 9, 1), "kontanthjaelp", area="region-sjaelland"),
    ).listed
    assert slide_title(at).startswith(f"{listed['name'][0]}: ")
    message = next(m.value for m in at.markdown if m.value.startswith("<div class='slide-message'"))
    assert "Valgt som kommunen med størst behov for opfølgning" in message
    assert at.query_params["sidste"] in (["opfoelgning"], "opfoelgning")
    # The period and the municipality are chosen here, before presenting (the sidebar is hidden).
    assert {"Fra måned", "Kommune"} <= {s.label for s in at.selectbox}
    at.radio(key="deck_last").set_value("kommune").run()
    assert slide_title(at).startswith("København: ")  # the default municipality, now chosen
