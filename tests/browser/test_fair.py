"""Fair comparison in a real browser: funnel plot and hex map drawn on Kommuner, a hexagon click opens the
profile, and Opfølgning draws its p-chart and letter chart. Expected codes come from the reference data."""

from __future__ import annotations

import re

from browser_helpers import choose, open_page, plot_points, query_of, selectbox, wait_for_app, wait_for_charts
from playwright.sync_api import Locator, Page, expect

from joblog_dash.data import reference

MONTH, GROUP, AREA = "2020-06", "kontanthjaelp", "region-nordjylland"
QUERY = f"maaned={MONTH}&gruppe={GROUP}&omraade={AREA}"
AREA_ = reference.area_by_key(AREA)
assert AREA_ is not None
AREA_CODES = set(reference.municipality_codes_in(AREA_))
ALL_CODES = set(reference.municipalities()["code"].to_list())
FAIR = "afsnit=Tragt+og+kort"  # Kommuner's funnel-and-map section (a lazy tab, bound to the URL)


def keyed_chart(page: Page, key: str) -> Locator:
    # Streamlit puts the widget key on the element container as a class (st-key-<key>).
    return page.locator(f".st-key-{key} [data-testid='stPlotlyChart']")


def drawn(chart: Locator) -> None:
    chart.scroll_into_view_if_needed()
    expect(chart.locator(".js-plotly-plot svg.main-svg").first).to_be_visible()


def test_funnel_and_hex_map_are_drawn(page: Page) -> None:
    open_page(page, f"/kommuner?{QUERY}&{FAIR}", charts=1)
    funnel = keyed_chart(page, "kommuner_funnel")
    drawn(funnel)
    expect(funnel.locator(".gtitle")).to_contain_text("forventet niveau")
    funnel_codes = {p.code for p in plot_points(funnel) if p.code is not None}
    # Every municipality of the region with enough persons; at most the two smallest may be suppressed.
    assert funnel_codes <= AREA_CODES and len(funnel_codes) >= len(AREA_CODES) - 2
    hexes = keyed_chart(page, "kommuner_map_hex")
    drawn(hexes)
    # One trace of hexagon markers (plus small ones for suppressed and uncoloured cells), not 98 polygons.
    assert hexes.locator("g.trace.scatter").count() <= 4 and hexes.locator("path.js-fill").count() == 0
    assert hexes.locator("g.trace.scatter path.point").count() >= 98
    assert {p.code for p in plot_points(hexes) if p.code is not None} == ALL_CODES


def test_clicking_a_hexagon_opens_the_profile(page: Page) -> None:
    open_page(page, f"/kommuner?{QUERY}&{FAIR}", charts=1)
    hexes = keyed_chart(page, "kommuner_map_hex")
    drawn(hexes)
    hexes.scroll_into_view_if_needed()
    wait_for_app(page)
    viewport = page.viewport_size or {"width": 1400, "height": 900}
    points = [
        p for p in plot_points(hexes)
        if p.code in AREA_CODES and 40 < p.y < viewport["height"] - 40 and 0 < p.x < viewport["width"]
    ]  # fmt: skip
    assert points, "no hexagon of the region is on screen"
    point = points[len(points) // 2]
    page.mouse.move(point.x, point.y)
    expect(hexes.locator(".hoverlayer .hovertext").first).to_contain_text(
        reference.municipality_name(point.code)
    )  # type: ignore[arg-type]
    page.mouse.click(point.x, point.y)
    page.wait_for_url(re.compile(rf"/kommuneprofil\?.*kommune={point.code}(&|$)"))
    wait_for_app(page)
    expect(selectbox(page, "Kommune")).to_have_value(reference.municipality_name(point.code))  # type: ignore[arg-type]
    assert query_of(page.url).get("maaned") == MONTH


def test_followup_page_draws_p_chart_and_letter_chart(page: Page) -> None:
    open_page(page, f"/opfoelgning?{QUERY}&kommune=851", charts=1)  # Aalborg
    wait_for_charts(page, 2)
    pchart = keyed_chart(page, "followup_pchart")
    drawn(pchart)
    expect(pchart.locator(".gtitle").filter(has_text="Aalborg").first).to_be_visible()
    letter = keyed_chart(page, "followup_letter")
    drawn(letter)
    letter_codes = {p.code for p in plot_points(letter) if p.code is not None}
    assert letter_codes <= AREA_CODES and len(letter_codes) >= len(AREA_CODES) - 2
    choose(page, "Kommune", "Hjørring")
    # During the rerun the old chart stays beside the new one for a moment: find the new one by its title.
    expect(page.locator(".st-key-followup_pchart .gtitle").filter(has_text="Hjørring").first).to_be_visible()
    assert query_of(page.url).get("kommune") == "860"
