"""`make serve` end to end: the supervisor (deploy/) with 2 Streamlit workers behind HAProxy.

HAProxy's active health checks pass on both workers; through the proxy: the health endpoint; static files
from HAProxy's cache, gzipped; the sticky cookie (every request carrying JOBLOG_WORKER=wN is
answered by wN, and a websocket opened with it is one of wN's connections in HAProxy's runtime stats); a
page over Streamlit's websocket (bench/stclient.py); `restart-worker` on one worker while the other
worker's session goes on over the same websocket; the hardening (security headers on every answer, the
cookie's flags, metrics not public, bodies above the upload limit refused, a private run directory) and
every page in Chromium under the content policy. Everything started is stopped, even on failure, and
the test checks that no process it started is left. Needs Debian's haproxy (.ci/run installs it).
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import re
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import outside_event_loop
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from bench import common
from bench.stclient import ProtocolError, StreamlitClient
from deploy import control, supervise
from joblog_dash.importing import readers
from joblog_dash.text.strings import t

# Needs Debian's haproxy, which scripts/system-deps installs (make test): never skipped.
pytestmark = [pytest.mark.server]

QUERY = "maaned=2018-09&gruppe=kontanthjaelp&omraade=region-sjaelland"


def _get(url: str, worker: str | None = None) -> tuple[str, str | None, str]:
    """(body, the X-Joblog-Worker that answered, the sticky cookie set in the answer or '')."""
    request = urllib.request.Request(url, headers={"Cookie": f"{control.COOKIE}={worker}"} if worker else {})
    with urllib.request.urlopen(request, timeout=10) as resp:
        cookies = [c for c in resp.headers.get_all("Set-Cookie") or [] if c.startswith(control.COOKIE)]
        return resp.read().decode(), resp.headers["X-Joblog-Worker"], cookies[0] if cookies else ""


def _fetch(url: str, worker: str, encoding: str = "identity") -> tuple[bytes, dict[str, str]]:
    """(body as sent, headers) of a GET with the sticky cookie and an Accept-Encoding."""
    headers = {"Cookie": f"{control.COOKIE}={worker}", "Accept-Encoding": encoding}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as resp:
        return resp.read(), {k.lower(): v for k, v in resp.headers.items()}


def _static_files(url: str) -> dict:
    """Streamlit's hashed frontend files come from HAProxy's cache after the first answer, gzipped for a
    browser that accepts it; the page itself (no-cache) always comes from a worker."""
    page, _ = _fetch(f"{url}/", "w1")
    script = re.search(rb'src="\./(static/js/index\.[^"]+\.js)"', page)
    assert script, page[:500]
    js = f"{url}/{script.group(1).decode()}"
    plain = [_fetch(js, "w1") for _ in range(2)]
    zipped, zipped_headers = _fetch(js, "w1", "gzip")
    return {
        "static_workers": [h.get("x-joblog-worker") for _, h in plain],
        "static_same": plain[0][0] == plain[1][0] == gzip.decompress(zipped),
        "static_encoding": zipped_headers.get("content-encoding"),
        "page_workers": [_fetch(f"{url}/", "w2")[1].get("x-joblog-worker") for _ in range(2)],
    }


def _put_headers_only(url: str, headers: dict[str, str]) -> tuple[int, str]:
    """(status, body) of an upload PUT that announces a body and sends none: only a proxy that judges the
    headers answers at once (a worker would refuse it for its missing XSRF token, 403)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.putrequest("PUT", "/_stcore/upload_file/some-session/some-file")
        for name, value in headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()


SECURITY_HEADERS = ("x-frame-options", "x-content-type-options", "content-security-policy", "referrer-policy")


def _headers_of(url: str, method: str = "GET", headers: dict[str, str] | None = None) -> tuple[int, dict]:
    """(status, lower-cased headers) of one request, whatever the status."""
    request = urllib.request.Request(url, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as resp:
            resp.read()
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}


def _hardening(url: str, worker_url: str) -> dict:
    """The security headers on a page, a cached static file and HAProxy's own refusal; the sticky cookie's
    flags; the metrics endpoint through the proxy and on a worker directly."""
    page, _ = _fetch(f"{url}/", "w1")
    script = re.search(rb'src="\./(static/js/index\.[^"]+\.js)"', page)
    assert script
    answers = {
        "page": _headers_of(f"{url}/"),
        "cached static": _headers_of(
            f"{url}/{script.group(1).decode()}", headers={"Cookie": "JOBLOG_WORKER=w1"}
        ),
        "refusal": _headers_of(f"{url}/_stcore/metrics"),
    }
    return {
        "headers": {name: {h: hs.get(h) for h in SECURITY_HEADERS} for name, (_, hs) in answers.items()},
        "cookie": answers["page"][1].get("set-cookie", ""),
        "metrics": answers["refusal"][0],
        "metrics_on_worker": _headers_of(f"{worker_url}/_stcore/metrics")[0],
    }


CSP_PROBE = "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));"
APP_IDLE = (
    '[data-testid="stApp"][data-test-script-state="notRunning"][data-test-connection-state="CONNECTED"]'
)


def _pages_in_chromium(url: str) -> dict[str, dict]:
    """Every page through the proxy in Chromium: content-policy violations (also in frames), exceptions shown,
    charts drawn, the title."""
    seen = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=common.CHROMIUM, args=common.CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="da-DK")
        context.add_init_script(CSP_PROBE)
        for _, path in [*common.page_paths(), ("", "praesentation?praesentation=1")]:
            page = context.new_page()
            page.goto(f"{url}/{path}")
            page.wait_for_selector(APP_IDLE, timeout=90_000)
            try:
                # A restarted worker's first page is slow; the deck hides its page title, so attached is enough.
                page.locator("h1").first.wait_for(state="attached", timeout=90_000)
            except PlaywrightError as exc:
                raise AssertionError(f"/{path} showed no title: {exc}") from exc
            seen[path] = {
                "violations": [v for frame in page.frames for v in frame.evaluate("window.__csp || []")],
                "exceptions": page.locator('[data-testid="stException"]').count(),
                "title": page.locator("h1").first.text_content(),
            }
            page.close()
        browser.close()
    return seen


def _open_connections(state: dict) -> dict[str, int]:
    return {name: int(row["scur"]) for name, row in control.server_stats(state["socket"]).items()}


def _one_websocket_each(state: dict) -> None:
    """A's websocket is one of its worker's connections and B's one of the other's, in HAProxy's stats."""
    control.wait_for(lambda: _open_connections(state) == {"w1": 1, "w2": 1}, 10, "one websocket per worker")


def _alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


async def _scenario(cluster: control.Launched) -> dict:
    state = cluster.state()
    url = state["proxy"]["url"]
    found: dict = {}

    # HAProxy's active checks (GET /_stcore/health, expect "ok") pass on both workers.
    found["checks"] = {
        name: row["check_status"] for name, row in control.server_stats(state["socket"]).items()
    }
    # Health through the proxy; a client without the cookie gets one naming the worker that answered.
    body, served_by, cookie = _get(f"{url}/_stcore/health")
    found["health"] = (body, served_by, cookie)
    # Sticky: with the cookie every request goes to that worker, whichever HAProxy would pick otherwise.
    found["sticky_http"] = {w: {_get(f"{url}/_stcore/health", w)[1] for _ in range(6)} for w in ("w1", "w2")}
    found.update(_static_files(url))
    found.update(_hardening(url, f"http://127.0.0.1:{state['workers'][0]['port']}"))
    # Bodies above the import limit, or of unknown length, never reach a worker.
    limit = supervise.max_body_bytes()
    found["oversized"] = _put_headers_only(url, {"Content-Length": str(limit + 1)})
    found["chunked"] = _put_headers_only(url, {"Transfer-Encoding": "chunked"})

    # Session A: as a browser, page first (the cookie), then the websocket and a page run.
    a = StreamlitClient(url, timeout=60, sticky=True)
    await a.connect()
    found["a_worker"] = a.cookies[control.COOKIE]
    other = "w2" if found["a_worker"] == "w1" else "w1"
    b = StreamlitClient(url, timeout=60, sticky=True)
    b.cookies = {control.COOKIE: other}  # a browser that was given the other worker
    await b.connect()
    _one_websocket_each(state)
    found["a_open"], found["b_open"] = await asyncio.gather(a.open("", QUERY), b.open("", QUERY))

    # Restart B's worker; A's session, on the other worker, must go on over the same websocket.
    number = int(other[1:])
    command = ["restart-worker", str(number), "--run-dir", str(cluster.run_dir)]
    restart = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "deploy.supervise", *command],
        cwd=control.ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found["restart"] = restart
    found["state_after"] = cluster.state()
    box = a.selectboxes[t("filter_month")]
    target = next(option for option in box.options if option != box.options[0] and "2019" in option)
    found["a_after"] = await a.choose(t("filter_month"), target)
    found["a_query"] = a.query_string
    try:
        await b.choose(t("filter_month"), target)
        found["b_after"] = "answered"
    except ProtocolError as exc:
        found["b_after"] = f"closed: {exc}"
    # B reconnects as the browser does, with its cookie: back on its restarted worker, which is in service
    # again (a page run there would only time the restarted worker's cold imports).
    await b.close()
    await b.connect()
    found["b_back_on"] = _get(f"{url}/_stcore/health", other)[1]
    _one_websocket_each(state)
    await a.close()
    await b.close()
    return found


def test_two_workers_behind_haproxy_sticky_and_one_restarted(demo_data_dir: Path, tmp_path: Path):
    cluster = control.launch(2, demo_data_dir, tmp_path / "run", extra=["--worker-header"])
    state = cluster.state()
    before = {w["name"]: w["pid"] for w in state["workers"]}
    started = [*before.values(), state["proxy"]["pid"]]
    try:
        found = outside_event_loop(lambda: asyncio.run(_scenario(cluster)))
        found["pages"] = outside_event_loop(lambda: _pages_in_chromium(cluster.url))
    finally:
        running = cluster.pids()
        cluster.stop()
    left = [pid for pid in {*started, *running, cluster.process.pid} if _alive(pid)]
    assert not left, f"processes left running: {left}"
    assert not (tmp_path / "run" / control.STATE).exists()  # the supervisor cleaned up on SIGTERM

    assert found["checks"] == {"w1": "L7OK", "w2": "L7OK"}
    body, served_by, cookie = found["health"]
    assert body == "ok" and served_by in ("w1", "w2")
    assert cookie.startswith(f"{control.COOKIE}={served_by};")
    assert found["sticky_http"] == {"w1": {"w1"}, "w2": {"w2"}}
    # The first answer for a static file names its worker, the second comes from HAProxy's cache (no
    # worker); gzip for a browser that accepts it, the same bytes unpacked; the page is never cached.
    assert found["static_workers"] == ["w1", None], found["static_workers"]
    assert found["static_same"] and found["static_encoding"] == "gzip"
    assert found["page_workers"] == ["w2", "w2"]
    assert found["oversized"][0] == 413 and "413" in found["oversized"][1], found["oversized"]
    assert found["chunked"][0] == 400 and "400" in found["chunked"][1], found["chunked"]
    # Anti-framing, nosniff and the content policy on a page, a copy from the cache and HAProxy's own answer.
    for name, headers in found["headers"].items():
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff", name
        assert "frame-ancestors 'none'" in (headers["content-security-policy"] or ""), (name, headers)
    assert "HttpOnly" in found["cookie"] and "SameSite=Lax" in found["cookie"], found["cookie"]
    assert "secure" not in found["cookie"].lower()  # plain HTTP here; --secure-cookie behind TLS
    assert (found["metrics"], found["metrics_on_worker"]) == (404, 200)  # the operator asks a worker
    # Every page renders in Chromium under that policy: no violation (frames too), no exception, its title.
    for path, seen in found["pages"].items():
        assert seen["violations"] == [] and seen["exceptions"] == 0 and seen["title"], (path, seen)
    assert (tmp_path / "run").stat().st_mode & 0o777 == 0o700  # launch made it 0755; the supervisor tightened

    for key in ("a_open", "b_open"):
        assert found[key].ok and found[key].elements > 10, found[key]
    assert found["restart"].returncode == 0, found["restart"].stderr
    restarted_name = "w2" if found["a_worker"] == "w1" else "w1"
    after = {w["name"]: (w["pid"], w["restarts"]) for w in found["state_after"]["workers"]}
    assert after[restarted_name][0] != before[restarted_name] and after[restarted_name][1] == 1
    assert after[found["a_worker"]] == (before[found["a_worker"]], 0)

    # A's session survived the other worker's restart: same websocket, the month change ran and the app
    # wrote it into the URL (its session state is intact); B's websocket was closed by the restart.
    assert found["a_after"].ok, found["a_after"]
    assert "maaned=2019-" in found["a_query"] and "omraade=region-sjaelland" in found["a_query"]
    assert found["b_after"].startswith("closed"), found["b_after"]
    assert found["b_back_on"] == restarted_name


def test_streamlit_upload_limit_matches_the_import_limit() -> None:
    """.streamlit/config.toml's maxUploadSize is JOBLOG_MAX_IMPORT_MB's default (make serve passes the
    variable's value to every worker and HAProxy); the proxy's body limit is one such upload."""
    config = tomllib.loads((control.ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == readers.DEFAULT_MAX_IMPORT_MB
    assert supervise.max_body_bytes() == (readers.DEFAULT_MAX_IMPORT_MB + 1) * 1024 * 1024


def test_config_names_no_worker_and_flags_the_cookie_as_asked() -> None:
    workers = [supervise.Worker("w1", 8511, Path("/dev/null"))]
    public = supervise.render_config("0.0.0.0", 80, Path("/run/haproxy/admin.sock"), workers)
    assert "X-Joblog-Worker" not in public.replace("# Which worker", "")
    cookie_line = next(line for line in public.splitlines() if line.strip().startswith("cookie "))
    assert 'httponly attr "SameSite=Lax"' in cookie_line and not cookie_line.endswith("secure")
    tls = supervise.render_config("0.0.0.0", 443, Path("/s"), workers, secure_cookie=True, worker_header=True)
    assert next(line for line in tls.splitlines() if line.strip().startswith("cookie ")).endswith(" secure")
    assert "set-header X-Joblog-Worker" in tls


def test_run_directory_is_private_or_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = tmp_path / "fresh"
    supervise.private_run_dir(fresh)
    assert fresh.stat().st_mode & 0o777 == 0o700
    loose = tmp_path / "loose"
    loose.mkdir()
    loose.chmod(0o777)
    (loose / "haproxy.log").write_text("")
    supervise.private_run_dir(loose)  # ours: tightened
    assert loose.stat().st_mode & 0o777 == 0o700
    (loose / "haproxy.cfg").symlink_to(tmp_path / "elsewhere.cfg")  # planted while it was open
    with pytest.raises(SystemExit, match="link or not yours"):
        supervise.private_run_dir(loose)
    link = tmp_path / "link"
    link.symlink_to(fresh)
    with pytest.raises(SystemExit, match="link or not a directory"):
        supervise.private_run_dir(link)
    monkeypatch.setattr(supervise.os, "getuid", lambda: fresh.stat().st_uid + 1)  # made by someone else
    with pytest.raises(SystemExit, match="belongs to uid"):
        supervise.private_run_dir(fresh)
