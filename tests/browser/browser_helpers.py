"""Helpers for driving the Streamlit app in Chromium: readiness, charts, selectboxes, plotly points, guard.

Waits are bounded and end with a message that says what did not happen. Readiness follows the stack notes:
a run has finished when stApp says notRunning + CONNECTED and there is no skeleton and no stale element.
Any one of these alone fires too early, so the condition must also hold for a short quiet period
(a rerun triggered by a click may start a few frames after the click).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import BrowserContext, Locator, Page, Request, WebSocket
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

# Generous bounds: on a loaded 2-core machine (other test runs in parallel) a page run can take 60 s.
# JOBLOG_BROWSER_TIMEOUT_S overrides both.
APP_TIMEOUT_MS = float(os.environ.get("JOBLOG_BROWSER_TIMEOUT_S", "90")) * 1000
CHART_TIMEOUT_MS = APP_TIMEOUT_MS
QUIET_MS = 400  # how long the "finished" state must hold before we trust it

# Evaluated in the page: true once the app has been idle (finished run, nothing stale) for `quiet` ms.
_APP_IDLE_JS = """
(quiet) => {
  const app = document.querySelector(
    '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]');
  const idle = app !== null
    && document.querySelector('[data-testid="stSkeleton"]') === null
    && document.querySelector('[data-stale="true"]') === null;
  if (!idle) { window.__joblogIdleSince = null; return false; }
  if (window.__joblogIdleSince == null) { window.__joblogIdleSince = performance.now(); }
  return performance.now() - window.__joblogIdleSince >= quiet;
}
"""

_DRAWN_CHARTS_JS = """
() => [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')]
  .filter(el => el.querySelector('svg.main-svg') !== null).length
"""

_APP_STATE_JS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return {
    script: app && app.getAttribute('data-test-script-state'),
    connection: app && app.getAttribute('data-test-connection-state'),
    skeletons: [...document.querySelectorAll('[data-testid="stSkeleton"]')].map(e => {
      const c = e.closest('[data-testid="stElementContainer"]');
      const key = c && c.className.toString().match(/st-key-[^ ]+/);
      return key ? key[0] : '?';
    }),
    stale: document.querySelectorAll('[data-stale="true"]').length,
  };
}
"""


def wait_for_app(page: Page, timeout: float = APP_TIMEOUT_MS) -> None:
    """Wait until the current script run has finished and the page shows its result."""
    try:
        page.wait_for_function(_APP_IDLE_JS, arg=QUIET_MS, timeout=timeout, polling=100)
    except PlaywrightTimeoutError as exc:
        state = page.evaluate(_APP_STATE_JS)
        raise AssertionError(f"app not idle after {timeout / 1000:.0f} s at {page.url}: {state}") from exc


def drawn_chart_count(page: Page) -> int:
    return int(page.evaluate(_DRAWN_CHARTS_JS))


def wait_for_charts(page: Page, n: int = 1, timeout: float = CHART_TIMEOUT_MS) -> int:
    """Wait until at least `n` plotly charts are drawn (an svg.main-svg inside a stPlotlyChart)."""
    try:
        page.wait_for_function(f"() => ({_DRAWN_CHARTS_JS})() >= {int(n)}", timeout=timeout, polling=100)
    except PlaywrightTimeoutError as exc:
        raise AssertionError(
            f"expected >= {n} drawn plotly charts at {page.url}, found {drawn_chart_count(page)} "
            f"after {timeout / 1000:.0f} s"
        ) from exc
    return drawn_chart_count(page)


def open_page(page: Page, path: str, charts: int = 0) -> None:
    """Go to `path` (relative to the base URL), wait for the run to finish and for `charts` charts."""
    page.goto(path)
    wait_for_app(page)
    if charts:
        wait_for_charts(page, charts)


@contextmanager
def content_height_viewport(page: Page) -> Iterator[None]:
    """Grow the viewport to the content's height for the block, then restore it. Streamlit scrolls inside
    [data-testid=stMain]: Playwright's full_page screenshot and axe-core's colour checks (which test only
    what is inside the viewport) would otherwise see the first screen only."""
    size = page.viewport_size or {"width": 1400, "height": 900}
    height = int(page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight"))
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], min(height, 12_000))})
    try:
        wait_for_app(page)
        yield
    finally:
        page.set_viewport_size(size)


def full_screenshot(page: Page, path: Path) -> None:
    """A screenshot of the whole page (see content_height_viewport)."""
    with content_height_viewport(page):
        page.screenshot(path=str(path), full_page=True)


# --- pages -------------------------------------------------------------------------------------------

_PAGE_FILENAME = re.compile(r"([0-9]*)[_ -]*(.*)\.py")


def url_path(script: str) -> str:
    """The URL path Streamlit gives a page script: "/" for the entry script, "/kommuner" for
    pages/1_kommuner.py (leading number and separators dropped, as in streamlit.source_util)."""
    if "/" not in script:
        return "/"
    match = _PAGE_FILENAME.fullmatch(Path(script).name)
    assert match, script
    return "/" + (re.sub(r"[_ ]+", "_", match.group(2)).strip() or match.group(1))


def query_of(url: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(urlsplit(url).query).items()}


def path_of(url: str) -> str:
    return urlsplit(url).path


# --- widgets -----------------------------------------------------------------------------------------


def selectbox(page: Page, label: str) -> Locator:
    """The combobox input of the sidebar/main selectbox whose label is exactly `label`."""
    box = page.locator('[data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$"))
    )
    return box.locator('input[role="combobox"]')


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` (visible text) in the selectbox labelled `label` and wait for the rerun."""
    box = selectbox(page, label)
    box.click()
    # The option list is virtualised (only the visible rows exist): type to filter it first.
    box.fill(option)
    page.get_by_role("option", name=option, exact=True).click()
    wait_for_app(page)


def chart(page: Page, title: str | re.Pattern[str]) -> Locator:
    """A plotly chart located by its title text (never by bare test id: see the stack notes)."""
    return page.locator('[data-testid="stPlotlyChart"]').filter(has=page.locator(".gtitle", has_text=title))


# --- plotly points -----------------------------------------------------------------------------------

# For every point of every visible scatter/bar/heatmap trace of the chart element: its page pixel
# position, computed from plotly's own axes (calc -> pixel) and the plot's offset, and its customdata.
_POINTS_JS = """
(root) => {
  const gd = root.querySelector('.js-plotly-plot');
  if (!gd || !gd._fullLayout || !gd.calcdata) return [];
  const box = gd.getBoundingClientRect();
  const out = [];
  gd.calcdata.forEach((cd, t) => {
    const trace = cd[0] && cd[0].trace;
    if (!trace || trace.visible !== true) return;
    const xa = gd._fullLayout[(trace.xaxis || 'x').replace('x', 'xaxis')];
    const ya = gd._fullLayout[(trace.yaxis || 'y').replace('y', 'yaxis')];
    if (!xa || !ya) return;
    const custom = trace.customdata;
    const push = (xp, yp, cdata, i) => {
      if (!isFinite(xp) || !isFinite(yp)) return;
      out.push({trace: t, type: trace.type, name: trace.name || '', index: i, customdata: cdata,
                x: box.left + xa._offset + xp, y: box.top + ya._offset + yp});
    };
    if (trace.type === 'heatmap') {
      const z = cd[0].z, xs = cd[0].x, ys = cd[0].y;
      if (!z) return;
      for (let r = 0; r < z.length; r++) for (let c = 0; c < z[r].length; c++) {
        const cx = (xs[c] + xs[c + 1]) / 2, cy = (ys[r] + ys[r + 1]) / 2;
        const cdata = custom && custom[r] ? custom[r][c] : undefined;
        push(xa.c2p(cx), ya.c2p(cy), cdata, [r, c]);
      }
      return;
    }
    cd.forEach((p, i) => {
      const px = trace.type === 'bar'
        ? (trace.orientation === 'h' ? [xa.c2p(p.s), ya.c2p(p.p)] : [xa.c2p(p.p), ya.c2p(p.s)])
        : [xa.c2p(p.x), ya.c2p(p.y)];
      push(px[0], px[1], custom ? custom[p.i !== undefined ? p.i : i] : undefined, p.i !== undefined ? p.i : i);
    });
  });
  return out;
}
"""


@dataclass(frozen=True)
class PlotPoint:
    trace: int
    type: str
    name: str
    index: object
    customdata: object
    x: float
    y: float

    @property
    def code(self) -> int | None:
        value = (
            self.customdata[0] if isinstance(self.customdata, list) and self.customdata else self.customdata
        )
        try:
            return int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None


def plot_points(chart_locator: Locator) -> list[PlotPoint]:
    """Every point of the chart with its page position and customdata (plotly's calcdata and axes)."""
    raw = chart_locator.evaluate(_POINTS_JS)
    return [PlotPoint(**p) for p in raw]


# --- request guard -----------------------------------------------------------------------------------

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    return (parts.hostname or "") in LOCAL_HOSTS


@dataclass
class RequestGuard:
    """Records every request, websocket and uncaught page error of a browser context."""

    context: BrowserContext
    requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    _watched: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.context.on("request", self._on_request)
        self.context.on("page", self.watch)

    def _on_request(self, request: Request) -> None:
        self.requests.append(request.url)

    def _on_websocket(self, socket: WebSocket) -> None:
        self.requests.append(socket.url)

    def watch(self, page: Page) -> None:
        # Called for the test's page and for every popup; each page is wired once.
        if id(page) in self._watched:
            return
        self._watched.add(id(page))
        page.on("websocket", self._on_websocket)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def external(self) -> list[str]:
        return sorted({url for url in self.requests if not is_local(url)})

    def assert_clean(self) -> None:
        assert self.requests, "the request guard recorded no requests at all: it is not wired up"
        outside = self.external()
        assert not outside, f"the browser made requests outside localhost: {outside}"
        assert not self.page_errors, f"uncaught JavaScript errors in the page: {self.page_errors}"
