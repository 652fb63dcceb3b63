"""Accessibility in Chromium: axe-core's WCAG 2.1 A/AA rules on every page, and a keyboard-only walk.

axe-core comes from the PyPI package axe-playwright-python, which bundles Deque's axe.min.js (4.12.1 in
0.1.8): it installs with the test extra like every other test dependency, so `make test` and `.ci/run` need
no npm step and there is no node_modules to keep. It is used only to load that script; axe.run is called
with our own options, and the script is also loaded into the page's iframes so axe checks them too.

axe tests colour contrast only for what is inside the viewport, and Streamlit scrolls inside stMain: each
page is scanned with the viewport grown to the content's height (content_height_viewport).

The keyboard walk uses only Tab, Shift+Tab, Enter, Space and the arrow keys. "Focus is visible" is checked
on the screen: the element's widget looks different focused than blurred (caret and transitions off, so
neither a blinking caret nor a half-run animation counts).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from browser_helpers import (
    content_height_viewport,
    open_page,
    path_of,
    query_of,
    url_path,
    wait_for_app,
    wait_for_charts,
)
from playwright.sync_api import Page, expect

from joblog_dash import config
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.ui.layout import PAGES, PRESENTATION_PAGE, PRESENTATION_PARAM

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
EXISTING = [script for script, _, _ in PAGES if (config.PACKAGE_ROOT / script).is_file()]
TEXT_PAGES = {"pages/5_om_tallene.py"}  # no chart to wait for


def _scan_url(script: str) -> str:
    # Presentation mode is entered from any page with ?praesentation=1: scan it the way users open it.
    return f"/?{PRESENTATION_PARAM}=1" if script == PRESENTATION_PAGE else url_path(script)


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the current page, its iframes included."""
    for frame in page.frames:
        if not frame.is_detached():
            frame.evaluate(AXE_SCRIPT)
    return page.evaluate("(options) => axe.run(document, options).then(r => r.violations)", AXE_OPTIONS)


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {len(v['nodes'])} node(s)")
        for node in v["nodes"]:
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:300]
            lines.append(f"    {' > '.join(map(str, node['target']))}\n        {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("script", EXISTING, ids=[Path(s).stem for s in EXISTING])
def test_axe_finds_no_wcag_violation(page: Page, script: str, screenshot_dir: Path) -> None:
    open_page(page, _scan_url(script))
    if script == PRESENTATION_PAGE:
        assert path_of(page.url) == url_path(PRESENTATION_PAGE), page.url
    if script not in TEXT_PAGES:
        wait_for_charts(page, 1)
    with content_height_viewport(page):
        page.screenshot(path=str(screenshot_dir / f"a11y-{Path(script).stem}.png"), full_page=True)
        violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"


# --- keyboard walk -----------------------------------------------------------------------------------

# Test-only: a blinking caret or a running transition would make any two screenshots differ.
_STEADY_CSS = "*, *::before, *::after { caret-color: transparent !important; transition: none !important; }"

_FOCUSED_JS = """
() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const labelled = e.getAttribute('aria-label') || '';
  const key = (e.closest('[class*="st-key-"]') || {className: ''}).className.toString().match(/st-key-[^ ]+/);
  const tid = e.closest('[data-testid]');
  return {tag: e.tagName, role: e.getAttribute('role') || '', label: labelled.trim(),
          text: (e.innerText || '').replace(/\\s+/g, ' ').trim().slice(0, 80),
          testid: tid ? tid.getAttribute('data-testid') : '', key: key ? key[0] : '',
          sidebar: e.closest('[data-testid="stSidebar"]') !== null};
}
"""

# The box a focus indicator of the active element is drawn in: its Streamlit element (label included),
# grown by a few pixels for an outline's offset, kept inside the viewport.
_FOCUS_BOX_JS = """
() => {
  const e = document.activeElement;
  const box = (e.closest('[data-testid="stElementContainer"]') || e).getBoundingClientRect();
  const pad = 6;
  const x = Math.max(0, box.left - pad), y = Math.max(0, box.top - pad);
  return {x, y, width: Math.min(window.innerWidth, box.right + pad) - x,
          height: Math.min(window.innerHeight, box.bottom + pad) - y};
}
"""


@dataclass(frozen=True)
class Stop:
    tag: str
    role: str
    label: str
    text: str
    testid: str
    key: str
    sidebar: bool

    @property
    def name(self) -> str:
        return self.label or self.text


def focused(page: Page) -> Stop | None:
    info = page.evaluate(_FOCUSED_JS)
    return Stop(**info) if info else None


# Blur the focused element, remembering it and how to find it again: a busy machine can let React
# re-mount a widget (the data grid's canvas) between blur and refocus.
_BLUR_JS = """
() => {
  const e = document.activeElement;
  const holder = e.closest('[class*="st-key-"]');
  const key = holder ? holder.className.toString().match(/st-key-[^ ]+/) : null;
  window.__a11yFocused = e;
  window.__a11yFind = key ? '.' + key[0] + ' ' + e.tagName.toLowerCase() : null;
  e.blur();
}
"""

_REFOCUS_JS = """
() => {
  let e = window.__a11yFocused;
  if (!e.isConnected && window.__a11yFind) e = document.querySelector(window.__a11yFind) || e;
  e.focus({preventScroll: true, focusVisible: true});
  return document.activeElement === e ? null
    : {connected: e.isConnected, tag: e.tagName, active: document.activeElement.tagName};
}
"""


def focus_is_visible(page: Page) -> bool:
    """True when the focused element's widget looks different on screen focused than blurred."""
    box = page.evaluate(_FOCUS_BOX_JS)
    with_focus = page.screenshot(clip=box)
    page.evaluate(_BLUR_JS)
    without = page.screenshot(clip=box)
    for _ in range(20):  # the walk goes on from this element: it must have the focus back
        problem = page.evaluate(_REFOCUS_JS)
        if problem is None:
            break
        page.wait_for_timeout(100)
    assert problem is None, f"focus not restored: {problem}"
    return with_focus != without


def tab_to(
    page: Page, wanted: Callable[[Stop], bool], what: str, limit: int = 150, back: bool = False
) -> Stop:
    """Press Tab (Shift+Tab with back) until the focused element is `wanted`; assert its focus is visible."""
    seen: list[str] = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        stop = focused(page)
        if stop and wanted(stop):
            assert focus_is_visible(page), f"no visible focus indicator on {what}: {stop}"
            return stop
        seen.append(f"{stop.tag}:{stop.name[:30]}" if stop else "(body)")
    raise AssertionError(f"{what} not reached with {'Shift+' if back else ''}Tab in {limit} presses: {seen}")


def is_link(label: str) -> Callable[[Stop], bool]:
    return lambda s: s.testid == "stPageLink-NavLink" and s.text.endswith(label)


def is_select(label: str, sidebar: bool | None = None) -> Callable[[Stop], bool]:
    return lambda s: s.role == "combobox" and s.label == label and sidebar in (None, s.sidebar)


def pick_next_option(page: Page) -> str:
    """On a focused selectbox: ArrowDown opens the list on the option after the current one (the first when
    nothing is chosen), Enter takes it. Returns the option's text."""
    page.keyboard.press("ArrowDown")
    option = page.evaluate(
        """() => { const id = document.activeElement.getAttribute('aria-activedescendant');
                   const option = id ? document.getElementById(id) : null;
                   return option ? option.innerText.trim() : null; }"""
    )
    assert option, "the option list did not open with ArrowDown"
    page.keyboard.press("Enter")
    wait_for_app(page)
    return option


def test_keyboard_only_walk(page: Page) -> None:
    """Every filter, every page link, a download and the drill to a profile, with the keyboard alone."""
    open_page(page, "/")
    page.add_style_tag(content=_STEADY_CSS)
    before = query_of(page.url)

    # Overblik: every page link and every filter of the sidebar, in order, each with visible focus.
    for script, label_key, _ in PAGES:
        if script in EXISTING:
            tab_to(page, is_link(t(label_key)), f"page link {t(label_key)}")
    for label in (t("filter_month"), t("filter_group"), t("filter_area")):
        tab_to(page, is_select(label, sidebar=True), f"filter {label}")

    # Change the month with the arrow keys: the URL (the view's state) follows.
    tab_to(page, is_select(t("filter_month"), sidebar=True), "filter Måned", back=True)
    latest = fmt.parse_month_key(before["maaned"])
    assert latest, before
    expected = fmt.add_months(latest, -1)  # the list runs newest first: the next option is a month earlier
    assert pick_next_option(page) == fmt.month_short(expected)
    page.wait_for_url(re.compile(rf"maaned={expected:%Y-%m}"))
    wait_for_app(page)
    month = query_of(page.url)["maaned"]

    # Follow a page link with Enter: Kommuner opens with the chosen month.
    tab_to(page, is_link(t("nav_municipalities")), "page link Kommuner", back=True)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/kommuner\?"))
    wait_for_app(page)
    page.add_style_tag(content=_STEADY_CSS)
    assert query_of(page.url)["maaned"] == month, page.url

    # A download: open "Se tallene bag figuren" with Enter, Tab to the CSV button, press Enter.
    tab_to(page, lambda s: s.tag == "SUMMARY" and t("see_table") in s.text, "Se tallene bag figuren")
    page.keyboard.press("Enter")
    wait_for_app(page)
    tab_to(page, lambda s: s.tag == "BUTTON" and t("download_csv") in s.text, "download CSV")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv"), download.value.suggested_filename

    # The table is reached, and the drill to a profile: "Åbn kommuneprofil" beside it.
    tab_to(page, lambda s: s.key == "st-key-kommuner_table" and s.tag == "CANVAS", "the municipality table")
    tab_to(page, is_select(t("open_profile_label")), "Åbn kommuneprofil")
    name = pick_next_option(page)
    page.wait_for_url(re.compile(r"/kommuneprofil\?"))
    wait_for_app(page)
    page.add_style_tag(content=_STEADY_CSS)
    names = dict(reference.municipalities().select("name", "code").iter_rows())
    assert query_of(page.url)["kommune"] == str(names[name]), (name, page.url)
    assert query_of(page.url)["maaned"] == month, page.url
    expect(page.locator('[data-testid="stMain"] h1')).to_have_text(t("nav_profile"))

    # Kommuneprofil shows the municipality filter: reached with Tab too.
    tab_to(page, is_select(t("filter_municipality"), sidebar=True), "filter Kommune")
    assert page.evaluate("() => document.activeElement.value") == name
