"""A Streamlit session spoken at the protocol level: one websocket, BackMsg out, ForwardMsg in.

What a browser tab does, without the browser (read from Streamlit 1.67's server: the starlette route
`/_stcore/stream` in `web/server/starlette/starlette_websocket.py` and `runtime/app_session.py`):

- it opens `ws://host/_stcore/stream` asking for the subprotocol `streamlit` (the header's later entries
  would carry an XSRF token and a session id to resume; the token is only checked for auth cookies, and a
  connection without an Origin header is admitted, so a client on 127.0.0.1 needs neither);
- every run is a `BackMsg.rerun_script` carrying a `ClientState`: the URL's query string, the page
  (`page_name` = URL path on the first load, then `page_script_hash` as the page links send it), the
  widget values (`WidgetStates`) and the browser's context (timezone, locale, URL);
- the server answers with `new_session`, a stream of `delta`s (elements), `page_info_changed` when the
  script writes `st.query_params` (the browser puts that into its address bar) and `script_finished`.

An interaction is answered when `script_finished` arrives with FINISHED_SUCCESSFULLY (a run that ends
early for a rerun, e.g. `st.switch_page`, is followed by another run). Exception elements in the deltas and
a compile-error finish count as errors. No `cached_message_hashes` are sent, so the server sends every
element in full: slightly more work for the server than a browser with a warm message cache.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

SUBPROTOCOL = "streamlit"
STREAM_PATH = "/_stcore/stream"
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # a page with many plotly figures sends large deltas


class ProtocolError(RuntimeError):
    """The server closed, timed out or answered in a way a browser could not have shown."""


@dataclass
class RunResult:
    """What one script run (an interaction) produced."""

    seconds: float
    status: str  # name of the final ForwardMsg.ScriptFinishedStatus
    exceptions: list[str] = field(default_factory=list)
    error_alerts: int = 0
    elements: int = 0
    bytes_received: int = 0
    runs: int = 0  # script runs until the final one (2 after a st.switch_page)

    @property
    def ok(self) -> bool:
        return self.status == "FINISHED_SUCCESSFULLY" and not self.exceptions


@dataclass
class Selectbox:
    widget_id: str
    options: list[str]


class StreamlitClient:
    """One session (one browser tab) against a running Streamlit server."""

    def __init__(self, base_url: str, timeout: float = 60.0, sticky: bool = False) -> None:
        parts = urlsplit(base_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"load clients only talk to a local server, not {parts.hostname}")
        self.http_url = base_url.rstrip("/")
        self.ws_url = f"ws://{parts.netloc}{STREAM_PATH}"
        self.timeout = timeout
        self.ws: websockets.ClientConnection | None = None
        self.pages: dict[str, str] = {}  # url path ("" for the main page) -> page_script_hash
        self.page = ""
        self.query_string = ""
        self.selectboxes: dict[str, Selectbox] = {}  # label -> widget of the last run
        self.session_id = ""  # the server's id of this session (new_session), as a browser learns it
        # Behind a sticky proxy (deploy/): the cookies a browser would send with its websocket. With
        # sticky=True the first connect loads the page over HTTP first, as a browser does, to get them.
        self.sticky = sticky
        self.cookies: dict[str, str] = {}

    async def connect(self) -> None:
        if self.sticky and not self.cookies:
            await asyncio.to_thread(self._load_cookies)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else None
        self.ws = await websockets.connect(
            self.ws_url,
            additional_headers=headers,
            subprotocols=[websockets.Subprotocol(SUBPROTOCOL)],
            max_size=MAX_MESSAGE_BYTES,
            open_timeout=self.timeout,
            ping_interval=20,
            ping_timeout=self.timeout,
        )

    def _load_cookies(self) -> None:
        """GET the page as a browser does before it opens the websocket, and keep what it sets."""
        with urllib.request.urlopen(f"{self.http_url}/", timeout=self.timeout) as resp:
            resp.read()
            for header in resp.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
            self.ws = None

    async def __aenter__(self) -> StreamlitClient:
        await self.connect()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def open(self, page: str, query_string: str = "") -> RunResult:
        """The first load of a URL (`/<page>?<query_string>`), as a browser sends it."""
        msg = self._rerun_msg(query_string)
        msg.rerun_script.page_name = page
        self.page = page
        return await self._run(msg)

    async def goto(self, page: str, query_string: str | None = None) -> RunResult:
        """A page link: the target page's script hash and the link's query string."""
        if page not in self.pages:
            raise ProtocolError(f"unknown page {page!r}; the server offers {sorted(self.pages)}")
        msg = self._rerun_msg(self.query_string if query_string is None else query_string)
        msg.rerun_script.page_script_hash = self.pages[page]
        self.page = page
        return await self._run(msg)

    async def set_query(self, query_string: str) -> RunResult:
        """The same page with another URL query string (an edited or pasted link)."""
        return await self.goto(self.page, query_string) if self.pages else await self.open("", query_string)

    async def choose(self, label: str, option: str) -> RunResult:
        """Pick an option in the selectbox with this label: a rerun with the widget's new value."""
        box = self.selectboxes.get(label)
        if box is None:
            raise ProtocolError(f"no selectbox {label!r} on page {self.page!r}")
        msg = self._rerun_msg(self.query_string)
        msg.rerun_script.page_script_hash = self.pages.get(self.page, "")
        widget = msg.rerun_script.widget_states.widgets.add()
        widget.id = box.widget_id
        widget.string_value = option
        return await self._run(msg)

    def _rerun_msg(self, query_string: str) -> BackMsg:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query_string.lstrip("?")
        info = state.context_info
        info.timezone = "Europe/Copenhagen"
        info.timezone_offset = -60
        info.locale = "da-DK"
        info.url = f"{self.http_url}/{self.page}"
        return msg

    async def _run(self, msg: BackMsg) -> RunResult:
        if self.ws is None:
            raise ProtocolError("not connected")
        start = time.perf_counter()
        try:
            await self.ws.send(msg.SerializeToString())
        except websockets.ConnectionClosed as exc:
            raise ProtocolError(f"server closed the websocket ({exc.rcvd})") from exc
        result = RunResult(seconds=0.0, status="")
        selectboxes: dict[str, Selectbox] = {}
        deadline = start + self.timeout
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise ProtocolError(f"no script_finished within {self.timeout:.0f} s")
            try:
                data = await asyncio.wait_for(self.ws.recv(), timeout=remaining)
            except TimeoutError as exc:
                raise ProtocolError(f"no script_finished within {self.timeout:.0f} s") from exc
            except websockets.ConnectionClosed as exc:
                raise ProtocolError(f"server closed the websocket ({exc.rcvd})") from exc
            if isinstance(data, str):
                raise ProtocolError("text frame from the server")
            result.bytes_received += len(data)
            fmsg = ForwardMsg()
            fmsg.ParseFromString(data)
            kind = fmsg.WhichOneof("type")
            if kind == "new_session":
                result.runs += 1
                self.session_id = fmsg.new_session.initialize.session_id or self.session_id
                selectboxes = {}  # a new run (or a switch_page to another script) redraws the page
                self._learn_pages(fmsg.new_session.app_pages, fmsg.new_session.page_script_hash)
            elif kind == "navigation":
                # The page list the browser's menu and page links use (it replaces new_session's).
                self._learn_pages(fmsg.navigation.app_pages, fmsg.navigation.page_script_hash)
            elif kind == "page_info_changed":
                self.query_string = fmsg.page_info_changed.query_string
            elif kind == "delta" and fmsg.delta.WhichOneof("type") == "new_element":
                self._element(fmsg.delta.new_element, result, selectboxes)
            elif kind == "session_event" and fmsg.session_event.HasField("script_compilation_exception"):
                exc = fmsg.session_event.script_compilation_exception
                result.exceptions.append(f"{exc.type}: {exc.message}"[:200])
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(fmsg.script_finished)
                if status == "FINISHED_EARLY_FOR_RERUN":
                    continue  # another run follows (st.switch_page, st.rerun)
                result.status = status
                result.seconds = time.perf_counter() - start
                self.selectboxes = selectboxes
                return result

    def _learn_pages(self, app_pages: object, current_hash: str) -> None:
        pages = {("" if p.is_default else p.url_pathname): p.page_script_hash for p in app_pages}  # type: ignore[attr-defined]
        if pages:
            self.pages = pages
        self.page = next((path for path, h in self.pages.items() if h == current_hash), self.page)

    @staticmethod
    def _element(element: object, result: RunResult, selectboxes: dict[str, Selectbox]) -> None:
        result.elements += 1
        kind = element.WhichOneof("type")  # type: ignore[attr-defined]
        if kind == "exception":
            exc = element.exception  # type: ignore[attr-defined]
            result.exceptions.append(f"{exc.type}: {exc.message}"[:200])
        elif kind == "alert" and element.alert.format == 1:  # type: ignore[attr-defined] - Alert.ERROR
            result.error_alerts += 1
        elif kind == "selectbox":
            box = element.selectbox  # type: ignore[attr-defined]
            selectboxes[box.label] = Selectbox(box.id, list(box.options))
