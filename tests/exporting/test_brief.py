"""The municipal visit brief: talking points on hand-made figures; HTML and PDF opened and read back."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
from helpers import outside_event_loop
from pypdf import PdfReader

from bench.common import CHROMIUM_ARGS
from joblog_dash.data import warehouse
from joblog_dash.exporting import brief
from joblog_dash.exporting import files as exports
from joblog_dash.exporting.brief import BriefFigures, GroupFigures
from joblog_dash.text import fmt
from joblog_dash.views.selection import Selection

MONTH = date(2018, 9, 1)
LOLLAND = 360


def group(code: str = "kontanthjaelp", share: float | None = 0.70, **kwargs: object) -> GroupFigures:
    values: dict[str, object] = {
        "group": code, "persons": 400, "persons_0": 120, "persons_1_5": 150, "persons_6plus": 130,
        "share": share, "region": 0.72, "nation": 0.68, "peers": 0.69,
    }  # fmt: skip
    values.update(kwargs)
    return GroupFigures(**values)  # type: ignore[arg-type]


def figures(**kwargs: object) -> BriefFigures:
    values: dict[str, object] = {
        "code": 101, "name": "Testby", "region_label": "Region Test", "month": MONTH,
        "group": "kontanthjaelp", "groups": (group(),), "start": date(2018, 1, 1),
        "share_none_start": 0.239, "region_none": 0.33, "funnel_verdict": "inden for",
        "peer_names": ("Aby", "Bby", "Cby"),
    }  # fmt: skip
    values.update(kwargs)
    return BriefFigures(**values)  # type: ignore[arg-type]


def test_talking_point_on_the_change_since_january_and_the_region():
    points = brief.talking_points(figures())
    # share_none = 0.30 now, 0.239 in January: +6,1 points; region 33,0 pct. is higher.
    assert (
        "Andelen uden registreret jobsøgning er steget 6,1 pct.-point siden januar og ligger nu under regionen "
        "(33,0 pct.)." in points
    )
    assert 3 <= len(points) <= 5
    assert points[0].startswith("70,0 pct. af de jobparate kontanthjælpsmodtagere i Testby")
    assert "2,0 pct.-point over landet (68,0 pct.)" in points[0]


def test_talking_points_follow_the_figures():
    points = brief.talking_points(
        figures(
            groups=(group(share=0.60, region=0.59, peers=0.601), group("dagpenge", share=0.75, nation=0.85)),
            share_none_start=0.45,
            region_none=0.40,
            funnel_verdict="under",
            funnel_outside_998=True,
            signal_text="6 måneder i træk under eget niveau",
            signal_adverse=True,
        )
    )
    text = "\n".join(points)
    assert "faldet 5,0 pct.-point siden januar og ligger nu på niveau med regionen" in text
    assert "på niveau med de sammenlignelige kommuner (Aby, Bby og Cby: 60,1 pct.)" in text
    assert "ligger kommunen under det forventede niveau og også uden for 99,8 pct.-grænsen" in text
    assert "Til opfølgning: 6 måneder i træk under eget niveau." in text
    assert len(points) == 5  # capped: the cross-group sentence does not fit
    within = brief.talking_points(figures(funnel_verdict="inden for"))
    assert any("inden for 95 pct.-grænserne" in p for p in within)


def test_talking_points_for_a_suppressed_group_do_not_reveal_the_share():
    points = brief.talking_points(
        figures(groups=(group(share=None, persons=3, persons_0=1, suppressed=True),), share_none_start=None)
    )
    assert points[0].startswith("Der er for få personer")
    assert not any("pct." in p and "Testby" in p and "af de" in p for p in points)


def test_talking_points_name_a_month_of_an_earlier_year():
    points = brief.talking_points(figures(month=date(2019, 1, 1), start=date(2018, 1, 1)))
    assert any("siden januar 2018" in p for p in points)


# --- The brief on the demo data -------------------------------------------------------------------------


def lolland_share(facts: Path) -> tuple[float, int]:
    share, persons = (
        duckdb.connect()
        .execute(
            f"""SELECT (sum(persons) - sum(persons_0)) / sum(persons), sum(persons)::BIGINT
            FROM read_parquet('{facts}')
            WHERE municipality_code = {LOLLAND} AND month = DATE '2018-09-01' AND benefit_group = 'kontanthjaelp'"""
        )
        .fetchone()
    )
    return float(share), int(persons)


@pytest.fixture(scope="module")
def lolland(demo_data_dir: Path) -> brief.Brief:
    return brief.build(
        warehouse.open_db(demo_data_dir), Selection(month=MONTH, group="kontanthjaelp", municipality=LOLLAND)
    )


def test_html_brief_is_self_contained(lolland: brief.Brief, demo_facts_path: Path):
    document = lolland.html
    share, persons = lolland_share(demo_facts_path)
    assert "Lolland" in document and fmt.pct(share) in document and fmt.number(persons) in document
    assert "<script" not in document.lower() and "<link" not in document.lower()
    assert "@import" not in document and not re.findall(r"url\((?!#)", document)  # only in-document refs
    # The only URLs are XML namespace names inside the inline SVGs, which a browser never fetches.
    urls = set(re.findall(r"https?://[^\"' )>]+", document))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert document.count("<svg") >= 3
    assert exports.DEMO_STATUS in document
    assert 3 <= len(lolland.points) <= 5
    assert lolland.filename == "kommunebesoeg-lolland-2018-09-demodata"


def test_pdf_brief_has_two_pages_with_name_and_share(lolland: brief.Brief, demo_facts_path: Path):
    pdf = brief.html_to_pdf(lolland.html)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    share, _ = lolland_share(demo_facts_path)
    flat = " ".join(text.split())
    assert "Lolland" in flat and fmt.pct(share) in flat
    assert "Demodata" in flat and "Det vigtigste" in flat


def test_pdf_unavailable_without_chromium(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(exports, "chromium_path", lambda: None)
    with pytest.raises(brief.PdfUnavailable, match="hent HTML-udgaven"):
        brief.html_to_pdf("<html></html>")


def test_html_brief_opens_in_chromium_without_any_request(lolland: brief.Brief, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    path = tmp_path / "brief.html"
    path.write_text(lolland.html, encoding="utf-8")
    requests: list[str] = []

    def open_in_chromium() -> tuple[str, int]:
        with sync_playwright() as play:
            browser = play.chromium.launch(executable_path=str(exports.chromium_path()), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.on("request", lambda request: requests.append(request.url))
                page.goto(path.as_uri())
                page.wait_for_load_state("networkidle")
                return page.inner_text("h1"), page.locator("svg.main-svg").count()
            finally:
                browser.close()

    heading, charts = outside_event_loop(open_in_chromium)
    assert "Kommunebesøg: Lolland" in heading
    assert charts >= 3
    assert requests == [path.as_uri()]
