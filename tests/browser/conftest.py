"""Browser test infrastructure: a real `streamlit run` server on the demo data and Debian's Chromium.

- ``app_server`` (session): starts ``streamlit run app.py`` on a free port bound to 127.0.0.1 with
  ``JOBLOG_DATA_DIR`` pointing at the session demo dataset, waits (bounded) for ``/_stcore/health`` to say
  "ok", yields the base URL and stops the server at the end of the session.
- ``admin_app`` (module): a second server with an administrator password (random per run, only its hash in
  a secrets file written for the run) over its own small dataset; gives its url, password and data dir.
- ``base_url`` (session): overrides pytest-playwright's, so ``page.goto("/kommuner?...")`` works.
- ``browser_type_launch_args`` / ``browser_context_args`` (session): launch /usr/bin/chromium (Playwright
  cannot download browsers here) with the flags from the stack notes; a fixed viewport and Danish locale.
- ``page`` (function): pytest-playwright's page plus a request guard. Every request, websocket and popup of
  the browser context is recorded; after the test it fails if any went to a host other than
  localhost/127.0.0.1 (data: and blob: allowed), or if the page raised an uncaught JavaScript error.

Every test under tests/browser/ gets the ``browser`` marker; the run stops (never skips) when
/usr/bin/chromium is absent.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser_helpers import RequestGuard
from importfixtures import make_frame, write_dataset
from playwright.sync_api import BrowserContext, Page, expect

from bench import common as bench_common
from joblog_dash import config

# One definition of the Chromium path and launch flags (the stack notes' list), shared with the benchmarks.
CHROMIUM = Path(bench_common.CHROMIUM)
CHROMIUM_ARGS = bench_common.CHROMIUM_ARGS
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SERVER_START_TIMEOUT_S = 60
HERE = Path(__file__).resolve().parent
# expect() retries for 5 s by default; a loaded 2-core machine needs longer (still bounded).
expect.set_options(timeout=15_000)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # This hook sees the whole session's items: touch only the ones in this folder. A browser test is never
    # skipped: without Chromium the run stops with the command that installs it (scripts/system-deps).
    selected = [item for item in items if HERE in Path(str(item.path)).resolve().parents]
    for item in selected:
        item.add_marker(pytest.mark.browser)
    if selected and not CHROMIUM.is_file():
        raise pytest.UsageError(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium. Run ./scripts/system-deps as "
            "root (make test does), or: sudo apt-get install -y chromium poppler-utils fonts-noto-color-emoji"
        )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _health(url: str) -> str | None:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.read().decode().strip()
    except (urllib.error.URLError, OSError):
        return None


@contextlib.contextmanager
def serve_app(
    data_dir: Path,
    log_dir: Path,
    extra_args: tuple[str, ...] = (),
    port: int | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """`streamlit run app.py` on 127.0.0.1 (a free port unless given) over `data_dir`, with `env` added to
    the environment; yields the base URL once healthy."""
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = log_dir / "server.log"
    env = {**os.environ, **(env or {}), "JOBLOG_DATA_DIR": str(data_dir)}
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "app.py",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        # Others edit the source tree while tests run: no file watcher, no reruns on save.
        "--server.fileWatcherType",
        "none",
        "--server.runOnSave",
        "false",
        *extra_args,
    ]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while _health(url) != "ok":
            if process.poll() is not None:
                pytest.fail(
                    f"streamlit exited with code {process.returncode}:\n{log_path.read_text()[-3000:]}"
                )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"streamlit not healthy at {url} after {SERVER_START_TIMEOUT_S} s:\n"
                    f"{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.2)  # polling interval of a bounded wait, not a settle delay
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def app_server(demo_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_app(demo_data_dir, tmp_path_factory.mktemp("streamlit-server")) as url:
        yield url


@dataclass(frozen=True)
class AdminApp:
    url: str
    password: str
    data_dir: Path


@pytest.fixture(scope="module")
def admin_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AdminApp]:
    """A second server with an administrator password: a fresh random password whose hash only is in a
    secrets file made for this run (never a real secret in the repository), over its own small demo-kind
    dataset (four municipalities, 2018) so imports and rollbacks touch no other test's data."""
    folder = tmp_path_factory.mktemp("admin-app")
    data_dir = folder / "data"
    write_dataset(data_dir, make_frame(codes=[101, 147, 751, 461]), kind="demo")
    password = secrets.token_urlsafe(16)
    secrets_file = folder / "secrets.toml"
    secrets_file.write_text(
        f'[{config.ADMIN_SECRETS_SECTION}]\n{config.ADMIN_SECRETS_KEY} = "{config.hash_admin_password(password)}"\n'
    )
    with serve_app(data_dir, folder, ("--secrets.files", str(secrets_file))) as url:
        yield AdminApp(url, password, data_dir)


@pytest.fixture(scope="session")
def base_url(app_server: str) -> str:
    return app_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {
        **browser_context_args,
        "viewport": {"width": 1400, "height": 900},
        "locale": "da-DK",
        "timezone_id": "Europe/Copenhagen",
    }


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    path = PROJECT_ROOT / "test-output" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def request_guard(context: BrowserContext) -> RequestGuard:
    return RequestGuard(context)


@pytest.fixture
def page(context: BrowserContext, request_guard: RequestGuard) -> Iterator[Page]:
    page = context.new_page()
    page.set_default_timeout(30_000)  # navigation, clicks, wait_for_url
    request_guard.watch(page)
    yield page
    request_guard.assert_clean()
