"""Lazy sections in a real browser: the heavier pages show one section at a time, a click on a tab runs and
draws only that section and puts it in the URL, and the URL opened in a new browser opens the same section.
Expected labels come from the text module, not from the page."""

from __future__ import annotations

import re
from urllib.parse import quote_plus

from browser_helpers import open_page, query_of, wait_for_app, wait_for_charts
from playwright.sync_api import Browser, Page, expect

from joblog_dash.text.strings import t
from joblog_dash.ui.layout import SECTION_PARAM

QUERY = "maaned=2018-09&gruppe=kontanthjaelp&omraade=region-sjaelland"


def _tab(page: Page, key: str):  # type: ignore[no-untyped-def]
    return page.get_by_role("tab", name=t(f"section_{key}"), exact=True)


def _chart(page: Page, key: str):  # type: ignore[no-untyped-def]
    return page.locator(f".st-key-{key} [data-testid='stPlotlyChart'] .js-plotly-plot svg.main-svg").first


def test_a_tab_click_draws_only_its_section_and_a_shared_link_opens_it(page: Page, browser: Browser) -> None:
    open_page(page, f"/kommuner?{QUERY}", charts=1)
    expect(_tab(page, "ranking")).to_have_attribute("aria-selected", "true")
    expect(_chart(page, "kommuner_ranked")).to_be_visible()
    assert SECTION_PARAM not in query_of(page.url)  # the default section is left out of the link
    assert page.locator(".st-key-kommuner_funnel").count() == 0  # never sent, not merely hidden

    _tab(page, "fair").click()
    page.wait_for_url(re.compile(rf"[?&]{SECTION_PARAM}={re.escape(quote_plus(t('section_fair')))}(&|$)"))
    wait_for_app(page)
    wait_for_charts(page, 2)
    expect(_chart(page, "kommuner_funnel")).to_be_attached()
    expect(page.locator(".st-key-kommuner_ranked")).to_have_count(0)
    assert query_of(page.url)["maaned"] == "2018-09"  # the filters stay beside the section
    link = page.url

    # The link in a browser that has never seen the app: the same section opens, drawn.
    other = browser.new_page()
    try:
        other.goto(link)
        wait_for_app(other)
        expect(_tab(other, "fair")).to_have_attribute("aria-selected", "true")
        wait_for_charts(other, 2)
        expect(_chart(other, "kommuner_funnel")).to_be_attached()
        expect(other.locator(".st-key-kommuner_ranked")).to_have_count(0)
    finally:
        other.close()


def test_profile_opens_on_key_figures_and_names_the_other_sections(page: Page) -> None:
    open_page(page, "/kommuneprofil?kommune=360&maaned=2018-09", charts=1)
    expect(_tab(page, "key")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text(t("section_followup_about"), exact=False).first).to_be_visible()
    _tab(page, "followup").click()
    wait_for_app(page)
    expect(_chart(page, "profile_letter")).to_be_attached()
    expect(page.locator(".st-key-profile_trend")).to_have_count(0)
