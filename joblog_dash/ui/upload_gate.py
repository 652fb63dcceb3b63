"""Uploads only where a signed-in administrator's upload widget asked for them.

Streamlit 1.67 stores whatever is PUT to `/_stcore/upload_file/<session id>/<file id>` for any live
session: the file id is never checked against the ids it handed out, and a session needs no upload widget.
So anyone who opens the app could fill a worker's memory. This gate changes the running server's upload
manager in place (its class, so the server's routes, sessions and script runs keep the one object) and
the runtime's session check that the upload route asks before it reads the body:

- the upload section (administrators only) opens the gate for its session as it draws the widget, and any
  run of a page without that section closes it again (and drops the session's stored files);
- upload URLs are issued only to a session whose gate is open, at most MAX_PENDING at a time;
- a PUT is refused before its body is read unless the session holds an issued id, and refused after
  parsing unless its file id is one of them, the file is within the import limit and the session holds
  fewer than MAX_FILES files.

Under AppTest (its runtime is a stand-in) there is nothing to gate; `uploads_allowed` says whether the upload
widget may be drawn (False only when a server runs whose upload manager this gate does not know).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

from starlette.exceptions import HTTPException
from streamlit.runtime import Runtime
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.scriptrunner import get_script_run_ctx
from streamlit.runtime.uploaded_file_manager import UploadedFileRec, UploadFileUrlInfo

from joblog_dash.importing import readers

MAX_PENDING = 4  # upload ids issued and not yet used, per session (the widget asks for one per file)
MAX_FILES = 2  # files held per session: the widget takes one, a replaced one may linger until deleted
_LOG = logging.getLogger(__name__)


class _Gate:
    """Which sessions may upload and which file ids they were given (thread-safe)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open: set[str] = set()
        self.issued: dict[str, list[str]] = {}

    def set_open(self, session_id: str, is_open: bool) -> None:
        with self.lock:
            if is_open:
                self.open.add(session_id)
            else:
                self.open.discard(session_id)
                self.issued.pop(session_id, None)

    def issue(self, session_id: str, count: int) -> bool:
        with self.lock:
            return session_id in self.open and count <= MAX_PENDING

    def remember(self, session_id: str, file_ids: list[str]) -> None:
        with self.lock:
            if session_id in self.open:
                ids = self.issued.setdefault(session_id, [])
                ids.extend(file_ids)
                del ids[:-MAX_PENDING]  # the oldest unused ids expire first

    def may_put(self, session_id: str) -> bool:
        with self.lock:
            return bool(self.issued.get(session_id))

    def take(self, session_id: str, file_id: str) -> bool:
        with self.lock:
            ids = self.issued.get(session_id, [])
            if file_id not in ids:
                return False
            ids.remove(file_id)
            return True


GATE = _Gate()


class GatedUploadedFileManager(MemoryUploadedFileManager):
    """Streamlit's in-memory upload manager, issuing and taking uploads only through the gate."""

    def get_upload_urls(self, session_id: str, file_names: Sequence[str]) -> list[UploadFileUrlInfo]:
        if not GATE.issue(session_id, len(file_names)):
            _LOG.warning(
                "upload URLs refused: the session has no administrator upload"
            )  # no id: a bearer token
            return []
        infos = super().get_upload_urls(session_id, file_names)
        GATE.remember(session_id, [info.file_id for info in infos])
        return infos

    def add_file(self, session_id: str, file: UploadedFileRec) -> None:
        if not GATE.take(session_id, file.file_id):
            _LOG.warning("upload refused: the file id was not issued to the session")
            raise HTTPException(status_code=403, detail="No upload was requested here")
        if len(file.data) > readers.max_import_bytes():
            raise HTTPException(status_code=413, detail="File too large")
        with self._lock:
            held = len(self.file_storage.get(session_id, {}))
        if held >= MAX_FILES:
            raise HTTPException(status_code=429, detail="Too many files in this session")
        super().add_file(session_id, file)

    def remove_session_files(self, session_id: str) -> None:
        super().remove_session_files(session_id)
        GATE.set_open(session_id, False)


class GatedRuntime(Runtime):
    """The runtime whose session check, asked only by the upload route before it reads a body, also asks
    the gate: a PUT from a session without an issued upload id is refused unread."""

    def is_active_session(self, session_id: str) -> bool:
        return super().is_active_session(session_id) and GATE.may_put(session_id)


_install_lock = threading.Lock()


def install() -> bool:
    """Gate this server's uploads (idempotent). False when a runtime exists that cannot be gated."""
    runtime = _server_runtime()
    if runtime is None:
        return True  # AppTest or bare mode: no upload route
    with _install_lock:
        manager = runtime.uploaded_file_mgr
        if type(manager) is MemoryUploadedFileManager:
            manager.__class__ = GatedUploadedFileManager
        if type(runtime) is Runtime:
            runtime.__class__ = GatedRuntime
        return type(manager) is GatedUploadedFileManager and type(runtime) is GatedRuntime


def _server_runtime() -> Runtime | None:
    """The running server's runtime; None under AppTest (whose runtime is a stand-in) or in bare mode."""
    runtime = Runtime.instance() if Runtime.exists() else None
    return runtime if issubclass(type(runtime), Runtime) else None  # a mock passes isinstance()


def _session_id() -> str | None:
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else None


def allow_uploads() -> bool:
    """Open the gate for this session (the administrator's upload widget is being drawn); False when
    uploads cannot be gated on this server, and the widget must not be drawn."""
    if not install():
        _LOG.error("uploads are off: this Streamlit's upload manager cannot be gated")
        return False
    session = _session_id()
    if session is not None:
        GATE.set_open(session, True)
    return True


def close() -> None:
    """This run draws no administrator upload: close the gate and drop the session's stored files."""
    session = _session_id()
    if session is None or not install():
        return
    GATE.set_open(session, False)
    runtime = _server_runtime()
    if runtime is not None:
        runtime.uploaded_file_mgr.remove_session_files(session)
