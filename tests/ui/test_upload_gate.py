"""The upload gate on Streamlit's own upload manager: ids only for an open session, files only with an
issued id, within the size limit and the per-session caps (tests/tooling/test_upload_refused.py does the
same through a running server)."""

from __future__ import annotations

import uuid

import pytest
from starlette.exceptions import HTTPException
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from joblog_dash.ui import upload_gate
from joblog_dash.ui.upload_gate import GATE, GatedUploadedFileManager


def _file(file_id: str, size: int = 10) -> UploadedFileRec:
    return UploadedFileRec(file_id=file_id, name="x.csv", type="text/csv", data=b"x" * size)


@pytest.fixture
def manager() -> GatedUploadedFileManager:
    return GatedUploadedFileManager("/_stcore/upload_file")


def test_a_session_without_an_open_gate_gets_no_upload_url_and_stores_nothing(manager) -> None:
    session = str(uuid.uuid4())
    assert manager.get_upload_urls(session, ["x.csv"]) == []
    with pytest.raises(HTTPException) as refused:
        manager.add_file(session, _file(str(uuid.uuid4())))
    assert refused.value.status_code == 403
    assert manager.get_files(session, []) == [] and manager.file_storage.get(session) is None
    assert not GATE.may_put(session)


def test_an_open_session_uploads_only_with_the_ids_it_was_given(manager) -> None:
    session = str(uuid.uuid4())
    GATE.set_open(session, True)
    assert not GATE.may_put(session)  # nothing asked yet: a PUT is refused unread
    (info,) = manager.get_upload_urls(session, ["x.csv"])
    assert info.upload_url.endswith(f"/{session}/{info.file_id}")
    assert GATE.may_put(session)
    with pytest.raises(HTTPException):  # an id it made up
        manager.add_file(session, _file(str(uuid.uuid4())))
    manager.add_file(session, _file(info.file_id))
    assert [f.file_id for f in manager.get_files(session, [info.file_id])] == [info.file_id]
    with pytest.raises(HTTPException):  # each id once
        manager.add_file(session, _file(info.file_id))
    other = str(uuid.uuid4())
    with pytest.raises(HTTPException):  # another session cannot use it either
        manager.add_file(other, _file(info.file_id))


def test_caps_per_session(manager, monkeypatch: pytest.MonkeyPatch) -> None:
    session = str(uuid.uuid4())
    GATE.set_open(session, True)
    assert manager.get_upload_urls(session, ["f.csv"] * (upload_gate.MAX_PENDING + 1)) == []
    monkeypatch.setenv("JOBLOG_MAX_IMPORT_MB", "0.001")  # 1,048 bytes
    big, *ids = [i.file_id for i in manager.get_upload_urls(session, ["a", "b", "c", "d"])]
    with pytest.raises(HTTPException) as refused:
        manager.add_file(session, _file(big, size=2000))
    assert refused.value.status_code == 413
    for file_id in ids[: upload_gate.MAX_FILES]:
        manager.add_file(session, _file(file_id))
    with pytest.raises(HTTPException) as refused:
        manager.add_file(session, _file(ids[upload_gate.MAX_FILES]))
    assert refused.value.status_code == 429
    # Issued ids expire oldest first: only the newest MAX_PENDING stay usable.
    GATE.set_open(session, True)
    first = manager.get_upload_urls(session, ["x"])[0].file_id
    for _ in range(upload_gate.MAX_PENDING):
        manager.get_upload_urls(session, ["x"])
    assert not GATE.take(session, first)


def test_closing_the_gate_or_ending_the_session_revokes_the_ids(manager) -> None:
    session = str(uuid.uuid4())
    GATE.set_open(session, True)
    (info,) = manager.get_upload_urls(session, ["x.csv"])
    GATE.set_open(session, False)
    with pytest.raises(HTTPException):
        manager.add_file(session, _file(info.file_id))
    GATE.set_open(session, True)
    (info,) = manager.get_upload_urls(session, ["x.csv"])
    manager.remove_session_files(session)  # Streamlit calls this when a session ends
    assert manager.get_upload_urls(session, ["x.csv"]) == []
    with pytest.raises(HTTPException):
        manager.add_file(session, _file(info.file_id))
