"""What only a browser shows: deep links, page links that keep the filters, click-to-profile, live filters.

Expected values (labels, municipality counts) come from joblog_dash's reference data, not from the page.
"""

from __future__ import annotations

import re
from datetime import date

from browser_helpers import (
    choose,
    open_page,
    path_of,
    plot_points,
    query_of,
    selectbox,
    wait_for_app,
    wait_for_charts,
)
from playwright.sync_api import Locator, Page, expect

from joblog_dash.data import reference
from joblog_dash.text import fmt

MONTH, GROUP, AREA = "2018-09", "uddannelseshjaelp", "region-sjaelland"
FILTERS = {"maaned": MONTH, "gruppe": GROUP, "omraade": AREA}
QUERY = "&".join(f"{k}={v}" for k, v in FILTERS.items())
MONTH_LABEL = fmt.month_short(date(2018, 9, 1))  # "sep. 2018"
GROUP_LABEL = reference.group_label(GROUP)
AREA_ = reference.area_by_key(AREA)
assert AREA_ is not None
AREA_LABEL = AREA_.label
AREA_CODES = set(reference.municipality_codes_in(AREA_))


def _expect_filters(page: Page) -> None:
    expect(selectbox(page, "Måned")).to_have_value(MONTH_LABEL)
    expect(selectbox(page, "Ydelsesgruppe")).to_have_value(GROUP_LABEL)
    expect(selectbox(page, "Område")).to_have_value(AREA_LABEL)
    query = query_of(page.url)
    assert {k: query.get(k) for k in FILTERS} == FILTERS, f"filters lost from the URL: {page.url}"


def _keyed_chart(page: Page, key: str) -> Locator:
    # Streamlit puts the widget key on the element container as a class (st-key-<key>).
    return page.locator(f".st-key-{key} [data-testid='stPlotlyChart']")


def _municipality_codes(chart: Locator) -> set[int]:
    return {p.code for p in plot_points(chart) if p.code is not None}


def test_deep_link_restores_the_view(page: Page) -> None:
    open_page(page, f"/kommuner?{QUERY}", charts=1)
    _expect_filters(page)
    chart = _keyed_chart(page, "kommuner_ranked")
    expect(chart).to_have_count(1)
    # The chart shows the area's municipalities, not the whole country.
    assert _municipality_codes(chart) <= AREA_CODES
    assert len(_municipality_codes(chart)) >= len(AREA_CODES) - 2, "most of the area's municipalities plotted"
    expect(chart.locator(".gtitle-subtitle")).to_contain_text("september 2018")


def test_page_link_keeps_the_filters(page: Page) -> None:
    open_page(page, f"/?{QUERY}", charts=1)
    _expect_filters(page)
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Kommuner").click()
    page.wait_for_url(re.compile(r"/kommuner\?"))
    wait_for_app(page)
    wait_for_charts(page, 1)
    _expect_filters(page)
    # And back again, through another page link.
    page.locator('[data-testid="stSidebar"]').get_by_role("link", name="Overblik").click()
    page.wait_for_url(lambda url: path_of(url) == "/")
    wait_for_app(page)
    _expect_filters(page)


def _click_municipality(page: Page, chart: Locator) -> int:
    """Hover a municipality point near the middle of the chart until plotly shows its hover label, click it.
    Returns the clicked point's municipality code."""
    chart.scroll_into_view_if_needed()
    wait_for_app(page)
    viewport = page.viewport_size or {"width": 1400, "height": 900}
    points = [
        p
        for p in plot_points(chart)
        if p.code is not None and 40 < p.y < viewport["height"] - 40 and 0 < p.x < viewport["width"]
    ]
    assert points, "no municipality point of the chart is on screen"
    point = points[len(points) // 2]
    page.mouse.move(point.x, point.y)
    expect(chart.locator(".hoverlayer .hovertext").first).to_be_visible()
    page.mouse.click(point.x, point.y)
    return int(point.code)  # type: ignore[arg-type]


def _expect_profile(page: Page, code: int) -> None:
    page.wait_for_url(re.compile(rf"/kommuneprofil\?.*kommune={code}(&|$)"))
    wait_for_app(page)
    expect(selectbox(page, "Kommune")).to_have_value(reference.municipality_name(code))
    query = query_of(page.url)
    assert query.get("maaned") == MONTH and query.get("gruppe") == GROUP, f"filters lost: {page.url}"
    wait_for_charts(page, 1)


def test_clicking_a_municipality_on_kommuner_opens_its_profile(page: Page) -> None:
    open_page(page, f"/kommuner?{QUERY}", charts=1)
    code = _click_municipality(page, _keyed_chart(page, "kommuner_ranked"))
    assert code in AREA_CODES
    _expect_profile(page, code)


def test_clicking_the_heat_map_opens_the_profile(page: Page) -> None:
    open_page(page, f"/ydelsesgrupper?{QUERY}", charts=1)
    code = _click_municipality(page, _keyed_chart(page, "groups_heatmap"))
    assert code in AREA_CODES
    _expect_profile(page, code)


def test_changing_a_filter_updates_the_chart(page: Page) -> None:
    open_page(page, f"/kommuner?maaned={MONTH}&gruppe={GROUP}&omraade=hele-landet", charts=1)
    chart = _keyed_chart(page, "kommuner_ranked")
    before = _municipality_codes(chart)
    assert len(before) > len(AREA_CODES), "the whole country shows more municipalities than one region"
    choose(page, "Område", AREA_LABEL)
    page.wait_for_url(re.compile(rf"omraade={AREA}"))
    wait_for_charts(page, 1)
    expect(chart.locator(".gtitle", has_text=AREA_LABEL)).to_be_visible()
    expect(chart).to_have_count(1)
    after = _municipality_codes(chart)
    assert after and after <= AREA_CODES, f"chart still shows municipalities outside {AREA_LABEL}"
    # The month too: the subtitle follows the selectbox.
    choose(page, "Måned", "jan. 2020")
    page.wait_for_url(re.compile(r"maaned=2020-01"))
    wait_for_charts(page, 1)
    # Old and new figure coexist for a moment after a rerun: wait for the new title, then for the old to go.
    expect(chart.locator(".gtitle-subtitle", has_text="januar 2020")).to_be_visible()
    expect(chart.locator(".gtitle-subtitle", has_text="september 2018")).to_have_count(0)
    expect(chart).to_have_count(1)
