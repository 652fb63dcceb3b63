"""A session without an administrator's upload widget cannot store a file in a running server.

What the hostile probe did: open the app (any page), then PUT a file to `/_stcore/upload_file/<session
id>/<any id>` with the XSRF cookie echoed in the header, and ask for upload URLs over the websocket. Both
worked for anyone; now the URLs are not issued and the PUT is refused before its body is read. That an
administrator's own upload still works is tests/browser/test_admin_signin.py.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from helpers import outside_event_loop
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from bench import common
from bench.stclient import StreamlitClient

pytestmark = [pytest.mark.server]
XSRF = "_streamlit_xsrf"


def _xsrf_cookie(url: str) -> str:
    """The XSRF cookie the browser gets (Streamlit sets it on the health check the frontend makes)."""
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=10) as resp:
        for header in resp.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            if name == XSRF:
                return value
    raise AssertionError("no XSRF cookie set")


def _put(url: str, session_id: str, file_id: str, cookie: str, size: int) -> int:
    """PUT a multipart file as the browser's uploader does; the HTTP status."""
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n".encode()
        + b"x" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{url}/_stcore/upload_file/{session_id}/{file_id}",
        data=body,
        method="PUT",
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Cookie": f"{XSRF}={cookie}",
            "X-Xsrftoken": cookie,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


async def _ask_upload_urls(client: StreamlitClient, seconds: float = 10) -> list[str]:
    """Send the uploader's FileURLsRequest over the session's websocket; the upload URLs answered."""
    assert client.ws is not None
    msg = BackMsg()
    msg.file_urls_request.request_id = "probe"
    msg.file_urls_request.file_names.append("x.csv")
    msg.file_urls_request.session_id = client.session_id
    await client.ws.send(msg.SerializeToString())
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        data = await asyncio.wait_for(client.ws.recv(), timeout=left)
        answer = ForwardMsg()
        answer.ParseFromString(data)
        if answer.WhichOneof("type") == "file_urls_response":
            return [f.upload_url for f in answer.file_urls_response.file_urls]
    raise AssertionError("no file_urls_response")


async def _probe(url: str, cookie: str) -> dict:
    found: dict = {}
    async with StreamlitClient(url, timeout=90) as client:
        for page in ("", "om_tallene"):  # the page with the (administrator's) upload section too
            result = await client.open(page)
            assert result.ok, result
            assert client.session_id
            urls = await _ask_upload_urls(client)
            found[f"urls {page}"] = urls
            target = urls[0].rsplit("/", 1)[-1] if urls else str(uuid.uuid4())
            found[f"put {page}"] = await asyncio.to_thread(_put, url, client.session_id, target, cookie, 1000)
            found[f"put made-up id {page}"] = await asyncio.to_thread(
                _put, url, client.session_id, str(uuid.uuid4()), cookie, 1000
            )
    return found


def test_an_anonymous_session_cannot_upload(demo_data_dir: Path, tmp_path: Path) -> None:
    server = common.start_server(demo_data_dir, log=tmp_path / "server.log")
    try:
        cookie = _xsrf_cookie(server.url)
        found = outside_event_loop(lambda: asyncio.run(_probe(server.url, cookie)))
    finally:
        server.stop()
    log = (tmp_path / "server.log").read_text()
    assert found == {
        "urls ": [],
        "put ": 400,
        "put made-up id ": 400,
        "urls om_tallene": [],
        "put om_tallene": 400,
        "put made-up id om_tallene": 400,
    }, (found, log[-2000:])
    assert "Traceback" not in log, log[-3000:]
