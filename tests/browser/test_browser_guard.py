"""The request guard itself can fail: it sees a request to another host and reports it."""

from __future__ import annotations

import pytest
from browser_helpers import RequestGuard, is_local
from playwright.sync_api import BrowserContext, Route


def test_is_local() -> None:
    assert is_local("http://127.0.0.1:8501/_stcore/health")
    assert is_local("ws://localhost:8501/_stcore/stream")
    assert is_local("data:image/png;base64,AAAA")
    assert is_local("blob:http://127.0.0.1:8501/1234")
    assert not is_local("https://fonts.gstatic.com/s/materialsymbols.woff2")
    assert not is_local("https://cdn.plot.ly/world_110m.json")
    assert not is_local("http://127.0.0.1.example.com/")


def test_guard_catches_an_outside_request(context: BrowserContext, app_server: str) -> None:
    guard = RequestGuard(context)

    def block_outside(route: Route) -> None:
        # Nothing may leave the machine, even in this test: outside requests are aborted (and still seen).
        if is_local(route.request.url):
            route.continue_()
        else:
            route.abort()

    context.route("**/*", block_outside)
    page = context.new_page()
    page.goto(f"{app_server}/_stcore/health")
    page.evaluate("() => fetch('https://cdn.plot.ly/world_110m.json').catch(() => null)")
    assert guard.external() == ["https://cdn.plot.ly/world_110m.json"]
    with pytest.raises(AssertionError, match="outside localhost"):
        guard.assert_clean()
