"""Presentation mode in a real browser: ?praesentation=1, no sidebar, large type, arrow keys and buttons
step through the deck; 'Kopiér link' copies the current view's address."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from browser_helpers import open_page, path_of, query_of, wait_for_app, wait_for_charts
from playwright.sync_api import Page, expect

from joblog_dash.config import PACKAGE_ROOT
from joblog_dash.data import warehouse
from joblog_dash.exporting import deck as presentation
from joblog_dash.views.selection import Selection

QUERY = "kommune=360&maaned=2018-09&fra=2018-01&gruppe=kontanthjaelp&omraade=hele-landet"
SHOTS = PACKAGE_ROOT / "test-output"


@pytest.fixture(scope="module")
def titles(demo_data_dir: Path) -> list[str]:
    selection = Selection(
        month=date(2018, 9, 1),
        group="kontanthjaelp",
        area="hele-landet",
        municipality=360,
        start=date(2018, 1, 1),
    )
    deck = presentation.build_deck(warehouse.open_db(demo_data_dir), selection)
    return [slide.title for slide in deck]


def _slide(page: Page) -> str:
    wait_for_app(page)
    wait_for_charts(page, 1)
    return page.locator(".slide-title").inner_text()


def _step(page: Page, key: str | None = None, button: str | None = None) -> str:
    before = query_of(page.url).get("dias", "1")
    title = page.locator(".slide-title").inner_text()
    if key:
        page.keyboard.press(key)
    else:
        page.get_by_role("button", name=button).click()
    page.wait_for_function(
        "(before) => new URLSearchParams(location.search).get('dias') !== before", arg=before, timeout=15_000
    )
    # The URL changes before the rerun has drawn the new slide: wait for its title too.
    expect(page.locator(".slide-title")).not_to_have_text(title)
    return _slide(page)


def test_presentation_mode_walks_the_deck(page: Page, titles: list[str]):
    open_page(page, f"/?praesentation=1&{QUERY}", charts=1)
    assert path_of(page.url) == "/praesentation", page.url
    assert query_of(page.url)["kommune"] == "360"
    assert _slide(page) == titles[0]
    expect(page.locator('[data-testid="stSidebar"]')).to_be_hidden()
    expect(page.locator('[data-testid="stHeader"]')).to_be_hidden()
    size = page.locator(".slide-title").evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 32, f"slide title is {size}px, not large type"
    expect(page.get_by_role("button", name="◀ Forrige")).to_be_disabled()
    # "Næste" is on screen as the deck opens: no scrolling to reach it, at 1366×768 either.
    for width, height in ((1280, 720), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        box = page.get_by_role("button", name="Næste ▶").bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= height, (width, height, box)
    # The demo notice stays on every slide.
    expect(page.get_by_text("Demodata:", exact=False).first).to_be_visible()

    page.locator(".slide-title").click()  # focus the page, as a presenter would
    assert _step(page, key="ArrowRight") == titles[1]
    assert query_of(page.url)["dias"] == "2"
    assert _step(page, button="Næste ▶") == titles[2]
    assert _step(page, key="ArrowLeft") == titles[1]
    assert _step(page, key="ArrowRight") == titles[2]
    assert _step(page, key="ArrowRight") == titles[3]
    expect(page.get_by_role("button", name="Næste ▶")).to_be_disabled()
    assert "Lolland" in titles[3]
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "presentation-slide-4.png"))

    # A copied deck link reopens the same slide.
    url = page.url
    page.goto(url)
    assert _slide(page) == titles[3]

    page.get_by_role("link", name="Afslut præsentation").click()
    page.wait_for_url(lambda u: path_of(u) == "/", timeout=15_000)
    wait_for_app(page)
    assert "praesentation" not in query_of(page.url) and query_of(page.url)["kommune"] == "360"
    expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()


def test_copy_link_copies_the_current_view(page: Page, base_url: str):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    open_page(page, f"/?{QUERY}")
    frame = page.frame_locator('[data-testid="stSidebar"] iframe').first
    frame.locator("#copy").click()
    expect(frame.locator("#status")).to_have_text("Link kopieret")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert (
        copied == page.url
        and query_of(copied)["kommune"] == "360"
        and query_of(copied)["maaned"] == "2018-09"
    )


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1920, 1080)])
def test_every_slide_fits_the_screen_with_its_legend_and_no_focus_frame(page: Page, width: int, height: int):
    page.set_viewport_size({"width": width, "height": height})
    query = "kommune=360&maaned=2018-09&gruppe=kontanthjaelp&omraade=region-sjaelland"
    for number in (1, 2, 3, 4):
        open_page(page, f"/praesentation?{query}&dias={number}", charts=1)
        chart = page.locator('[data-testid="stPlotlyChart"]').last
        for part in (page.locator(".slide-title"), page.locator(".slide-message"), chart):
            box = part.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (number, box)
        # Every slide says what its marks are: a legend, or (the spread) the chosen dot named beside it.
        labelled = chart.locator("g.legend text.legendtext, g.textpoint text")
        assert labelled.count() >= 1, number
        for index in range(labelled.count()):
            box = labelled.nth(index).bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, (number, index, box)
        # A click on the slide focuses the main area; a key press then makes that focus "visible".
        page.locator(".slide-title").click()
        page.keyboard.press("Shift")
        main = page.locator('[data-testid="stMain"]')
        assert main.evaluate("m => m.matches(':focus-visible')"), number
        outline = main.evaluate("m => getComputedStyle(m).outlineStyle")
        ring = main.evaluate("m => getComputedStyle(m, '::before').boxShadow")  # Streamlit's own, inset
        assert outline == "none" and ring == "none", (number, outline, ring)
        if width == 1366:
            page.screenshot(path=str(SHOTS / f"slide-{number}-{width}.png"))
