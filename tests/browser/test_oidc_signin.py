"""OIDC sign-in end to end in Chromium against a real OpenID provider started by the test
(oidc-provider-mock, with streamlit[auth]): an administrator, someone who is not one, an administrator's
e-mail that the provider did not verify, and signing out."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import oidc_provider_mock
import pytest
from browser_helpers import full_screenshot, is_local, wait_for_app
from conftest import _free_port, serve_app
from importfixtures import make_frame, write_dataset
from playwright.sync_api import Browser, BrowserContext, Page, expect

ADMIN = "anna@ministeriet.dk"
USERS = [
    oidc_provider_mock.User(sub="anna", claims={"email": ADMIN, "email_verified": True}),
    oidc_provider_mock.User(sub="bo", claims={"email": "bo@eksempel.dk", "email_verified": True}),
    oidc_provider_mock.User(sub="eve", claims={"email": ADMIN, "email_verified": False}),
]
UPLOADER = '[data-testid="stFileUploaderDropzoneInput"]'
# The mock provider's own sign-in page links a stylesheet on a CDN; it belongs to the test's provider, not
# to the app, and is answered empty here (no network).
PROVIDER_CSS = "https://cdn.jsdelivr.net/npm/@picocss/**"


@dataclass(frozen=True)
class OidcApp:
    url: str
    provider: str


@pytest.fixture(scope="module")
def oidc_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcApp]:
    folder = tmp_path_factory.mktemp("oidc-app")
    data_dir = folder / "data"
    write_dataset(data_dir, make_frame(codes=[101, 147, 751, 461]), kind="demo")
    with oidc_provider_mock.run_server_in_thread(port=0, user_claims=USERS) as provider:
        provider_url = f"http://localhost:{provider.server_port}"
        port = _free_port()
        secrets_file = folder / "secrets.toml"
        secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{secrets.token_urlsafe(24)}"\n'
            'client_id = "joblog-dash-test"\n'
            f'client_secret = "{secrets.token_urlsafe(24)}"\n'
            f'server_metadata_url = "{provider_url}/.well-known/openid-configuration"\n'
        )
        args = ("--secrets.files", str(secrets_file))
        with serve_app(data_dir, folder, args, port=port, env={"JOBLOG_ADMIN_EMAILS": ADMIN}) as url:
            yield OidcApp(url, provider_url)


@pytest.fixture
def context(browser: Browser, browser_context_args: dict) -> Iterator[BrowserContext]:
    """A fresh browser (no cookies) per test; every request is recorded."""
    context = browser.new_context(**browser_context_args)
    context.route(PROVIDER_CSS, lambda route: route.fulfill(status=200, content_type="text/css", body=""))
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    yield context
    context.close()
    outside = sorted({u for u in requests if not is_local(u) and not u.startswith(PROVIDER_CSS[:-2])})
    assert requests and not outside, outside


def _sign_in(page: Page, app: OidcApp, sub: str) -> None:
    """From Om tallene: Log ind → the provider's page → pick the user → back in the app → Om tallene."""
    page.goto(f"{app.url}/om_tallene")
    wait_for_app(page)
    page.locator('[data-testid="stMain"]').get_by_role("button", name="Log ind", exact=True).click()
    page.wait_for_url(f"{app.provider}/oauth2/authorize**")
    page.get_by_role("button", name=sub, exact=True).click()
    page.wait_for_url(f"{app.url}/**")
    page.goto(f"{app.url}/om_tallene")
    wait_for_app(page)


def test_administrator_signs_in_and_out(context: BrowserContext, oidc_app: OidcApp, screenshot_dir: Path):
    page = context.new_page()
    page.goto(f"{oidc_app.url}/om_tallene")
    wait_for_app(page)
    expect(page.locator(UPLOADER)).to_have_count(0)
    _sign_in(page, oidc_app, "anna")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text(f"Logget ind som {ADMIN}.")).to_be_visible()
    expect(page.locator(UPLOADER)).to_have_count(1)
    full_screenshot(page, screenshot_dir / "oidc-admin.png")
    # Signing out ends the session at the provider too (its end-session page), then comes back signed out.
    main.get_by_role("button", name="Log ud").click()
    page.wait_for_url(f"{oidc_app.provider}/oauth2/end_session**")
    page.get_by_role("button", name="End session").click()
    page.wait_for_url(f"{oidc_app.url}/**")
    page.goto(f"{oidc_app.url}/om_tallene")
    wait_for_app(page)
    expect(main.get_by_role("button", name="Log ind", exact=True)).to_be_visible()
    expect(page.locator(UPLOADER)).to_have_count(0)
    expect(main.get_by_text("Logget ind som")).to_have_count(0)


def test_someone_else_is_told_they_are_not_an_administrator(context: BrowserContext, oidc_app: OidcApp):
    page = context.new_page()
    _sign_in(page, oidc_app, "bo")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("bo@eksempel.dk, men er ikke administrator")).to_be_visible()
    expect(page.locator(UPLOADER)).to_have_count(0)


def test_an_unverified_administrator_email_is_not_trusted(
    context: BrowserContext, oidc_app: OidcApp, screenshot_dir: Path
):
    page = context.new_page()
    _sign_in(page, oidc_app, "eve")
    main = page.locator('[data-testid="stMain"]')
    expect(main.get_by_text("har ikke bekræftet e-mailadressen")).to_be_visible()
    expect(page.locator(UPLOADER)).to_have_count(0)
    full_screenshot(page, screenshot_dir / "oidc-unverified.png")
