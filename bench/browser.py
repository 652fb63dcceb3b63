"""Browser measurements with Playwright and the system Chromium: filter change -> all charts redrawn.

A change counts as answered when the app has run the script since the change (seen by a MutationObserver
on the app's script state, so a fast rerun is not missed), is idle and connected again, shows no skeleton
or stale element, and has at least as many drawn plotly charts as before the change.
"""

from __future__ import annotations

import re
import time

from playwright.async_api import Browser, Page, async_playwright
from playwright.async_api import TimeoutError as PlaywrightTimeout

from bench.common import CHROMIUM, CHROMIUM_ARGS

INSTALL_OBSERVER = """
() => {
  window.__benchRan = false;
  if (window.__benchObserver) return;
  const app = document.querySelector('[data-testid="stApp"]');
  window.__benchObserver = new MutationObserver((records) => {
    for (const r of records) {
      if (r.oldValue === 'running' || app.getAttribute('data-test-script-state') === 'running') {
        window.__benchRan = true;
      }
    }
  });
  window.__benchObserver.observe(app, {attributes: true, attributeOldValue: true,
                                       attributeFilter: ['data-test-script-state']});
  // A run so short that React never renders the "running" state (bench/floor_app's) still replaces its
  // chart, and only a run's deltas do that.
  const chart = '[data-testid="stPlotlyChart"], .js-plotly-plot';
  window.__benchCharts = new MutationObserver((records) => {
    for (const r of records) {
      for (const n of [...r.addedNodes, ...r.removedNodes]) {
        if (n.nodeType === 1 && (n.matches(chart) || n.querySelector(chart))) window.__benchRan = true;
      }
    }
  });
  window.__benchCharts.observe(document.querySelector('[data-testid="stMain"]'), {childList: true, subtree: true});
}
"""
IDLE = """
(charts) => {
  const app = document.querySelector('[data-testid="stApp"][data-test-script-state="notRunning"]'
                                     + '[data-test-connection-state="CONNECTED"]');
  if (!app || document.querySelector('[data-testid="stSkeleton"], [data-stale="true"]')) return false;
  const drawn = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot svg.main-svg');
  return drawn.length >= charts;
}
"""
CHANGED = "(charts) => window.__benchRan === true && (" + IDLE + ")(charts)"
COUNT_CHARTS = "() => document.querySelectorAll('[data-testid=\"stPlotlyChart\"] .js-plotly-plot').length"


async def launch(playwright: object) -> Browser:
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)  # type: ignore[attr-defined]


async def open_page(page: Page, url: str, timeout_ms: float = 60_000) -> float:
    """Load a page until idle with its charts drawn; returns seconds."""
    start = time.perf_counter()
    await page.goto(url)
    await page.wait_for_function(IDLE, arg=0, timeout=timeout_ms, polling=50)
    # Charts arrive with the run; wait for each chart element present to have drawn its svg.
    await page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".every(el => el.querySelector('svg.main-svg'))",
        timeout=timeout_ms,
        polling=50,
    )
    return time.perf_counter() - start


async def exceptions(page: Page) -> int:
    return await page.locator('[data-testid="stException"]').count()


def month_box(page: Page, label: str):  # noqa: ANN201 - a Playwright Locator
    box = page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )
    return box.locator('input[role="combobox"]')


async def choose(page: Page, label: str, option: str, timeout_ms: float = 60_000) -> float:
    """Pick `option` in the sidebar selectbox `label`; seconds from the pick until all charts are redrawn."""
    charts = await page.evaluate(COUNT_CHARTS)
    await page.evaluate(INSTALL_OBSERVER)
    box = month_box(page, label)
    await box.click()
    await box.fill(option)
    start = time.perf_counter()
    await box.press("Enter")
    await page.wait_for_function(CHANGED, arg=charts, timeout=timeout_ms, polling=20)
    return time.perf_counter() - start


async def next_slide(page: Page, forward: bool = True, timeout_ms: float = 60_000) -> float:
    """Præsentation has no sidebar: press its "Næste" (or "Forrige") button; seconds until the other slide's
    chart is drawn."""
    charts = await page.evaluate(COUNT_CHARTS)
    await page.evaluate(INSTALL_OBSERVER)
    button = page.locator(f".st-key-deck_{'next' if forward else 'previous'} button")
    for _attempt in range(3):
        start = time.perf_counter()
        await button.click()
        try:  # a click during a layout shift (the arrow-key component loading) can miss: then click again
            await page.wait_for_function("() => window.__benchRan === true", timeout=3_000, polling=20)
            break
        except PlaywrightTimeout:
            continue
    await page.wait_for_function(CHANGED, arg=charts, timeout=timeout_ms, polling=20)
    return time.perf_counter() - start


async def filter_changes(
    base_url: str, path: str, label: str, options: list[str], changes: int
) -> list[float]:
    """Change the selectbox `label` on the page `changes` times, cycling through `options`."""
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            page = await (await browser.new_context(viewport={"width": 1400, "height": 900})).new_page()
            await open_page(page, f"{base_url}/{path}")
            samples = []
            for i in range(changes):
                samples.append(await choose(page, label, options[i % len(options)]))
            if await exceptions(page):
                raise RuntimeError(f"the page /{path} shows an exception")
            return samples
        finally:
            await browser.close()


async def visit_all(base_url: str, paths: list[str]) -> dict[str, float | str]:
    """Open every page once (for the server's memory after every page); seconds per page, or what failed
    (a page under construction is reported, the other pages are still visited)."""
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            page = await (await browser.new_context(viewport={"width": 1400, "height": 900})).new_page()
            times: dict[str, float | str] = {}
            for path in paths:
                try:
                    times[path or "/"] = round(await open_page(page, f"{base_url}/{path}"), 3)
                    if await exceptions(page):
                        times[path or "/"] = "error: the page shows an exception"
                except Exception as exc:  # noqa: BLE001 - recorded per page
                    times[path or "/"] = f"error: {type(exc).__name__}"
            return times
        finally:
            await browser.close()


async def page_changes(
    base_url: str, paths: list[str], label: str, options: list[str], changes: int
) -> dict[str, list[float] | str]:
    """On every page: `changes` picks in the sidebar selectbox `label`, each timed until every chart of the
    page is redrawn. A page without that selectbox is reported as such; a failing page as its error."""
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            found: dict[str, list[float] | str] = {}
            for path in paths:
                context = await browser.new_context(viewport={"width": 1400, "height": 900})
                page = await context.new_page()
                try:
                    await open_page(page, f"{base_url}/{path}")
                    if await page.locator(".st-key-deck_next button").count():
                        # The deck hides the sidebar: its widgets are the slide buttons (back and forth).
                        found[path or "/"] = [await next_slide(page, i % 2 == 0) for i in range(changes)]
                        continue
                    if not await month_box(page, label).count():
                        found[path or "/"] = "no such filter"
                        continue
                    found[path or "/"] = [
                        await choose(page, label, options[i % len(options)]) for i in range(changes)
                    ]
                    if await exceptions(page):
                        found[path or "/"] = "error: the page shows an exception"
                except Exception as exc:  # noqa: BLE001 - recorded per page
                    found[path or "/"] = f"error: {type(exc).__name__}"
                finally:
                    await context.close()
            return found
        finally:
            await browser.close()


async def shared_links(base_url: str, links: list[str]) -> dict[str, float | str]:
    """Open each link (path?query) in a new browser context (a new Streamlit session, as a colleague
    opening a shared link): seconds until the page is idle with every chart drawn, or what failed."""
    async with async_playwright() as playwright:
        browser = await launch(playwright)
        try:
            found: dict[str, float | str] = {}
            for link in links:
                context = await browser.new_context(viewport={"width": 1400, "height": 900})
                page = await context.new_page()
                try:
                    found[link] = round(await open_page(page, f"{base_url}/{link}"), 3)
                    if await exceptions(page):
                        found[link] = "error: the page shows an exception"
                except Exception as exc:  # noqa: BLE001 - recorded per link
                    found[link] = f"error: {type(exc).__name__}"
                finally:
                    await context.close()
            return found
        finally:
            await browser.close()
