"""Every page that exists loads in Chromium, draws its charts, shows the demo notice and no exception.

A full-page screenshot of each is written to test-output/screenshots/<page>.png for a human to look at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_helpers import full_screenshot, open_page, url_path, wait_for_charts
from playwright.sync_api import Page, expect

from joblog_dash import config
from joblog_dash.ui.layout import PAGES

EXISTING = [script for script, _, _ in PAGES if (config.PACKAGE_ROOT / script).is_file()]
# "Om tallene" explains the figures in text and tables; every other page must draw a chart.
TEXT_PAGES = {"pages/5_om_tallene.py"}


@pytest.mark.parametrize("script", EXISTING, ids=[Path(s).stem for s in EXISTING])
def test_page_draws_charts_and_demo_notice(page: Page, script: str, screenshot_dir: Path) -> None:
    open_page(page, url_path(script))
    if script not in TEXT_PAGES:
        wait_for_charts(page, 1)
    # Screenshot first, so a failing page can be looked at too.
    full_screenshot(page, screenshot_dir / f"{Path(script).stem}.png")
    errors = page.locator('[data-testid="stException"]').all_inner_texts()
    assert not errors, f"exception shown on {script}: {[e[:800] for e in errors]}"
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("Demodata", exact=False).first).to_be_visible()
    # Every drawn chart has plotted something: a visible trace with data.
    empty = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
             .filter(gd => gd.querySelector('svg.main-svg'))
             .filter(gd => !(gd.data || []).some(t => t.visible !== false &&
                 ['x', 'y', 'z', 'values'].some(k => t[k] && (t[k].length > 0 || t[k].bdata))))
             .map(gd => (gd.layout && gd.layout.title && gd.layout.title.text) || '(untitled)')"""
    )
    assert not empty, f"charts without data on {script}: {empty}"
