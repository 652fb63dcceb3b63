"""The upload section: validate, show problems as text, import on a button (gated by ui/admin.py, see
test_admin.py)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from importfixtures import csv_bytes, make_frame, row, tree_checksum, write_dataset
from streamlit.testing.v1 import AppTest

from joblog_dash.data import store
from joblog_dash.importing import jobindsats as ji
from joblog_dash.ui.upload import save_upload, uploads_dir


def _app() -> None:
    from joblog_dash.ui.upload import render_upload_section

    render_upload_section()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    write_dataset(folder, make_frame(codes=[101, 147, 751, 461]), kind="demo")
    monkeypatch.setenv("JOBLOG_DATA_DIR", str(folder))
    return folder


def _texts(at: AppTest) -> str:
    parts = [
        e.value for kind in ("markdown", "caption", "info", "success", "error", "text") for e in at.get(kind)
    ]
    return "\n".join(str(p) for p in parts)


def test_upload_validate_and_import(data_dir: Path) -> None:
    at = AppTest.from_function(_app, default_timeout=30).run()
    real = make_frame(codes=[147])
    at.file_uploader(key="joblog_upload").upload("rigtige.csv", ji.to_jobindsats_csv(real), "text/csv").run()
    assert "Filen er i orden" in _texts(at)
    assert store.current_manifest(data_dir).is_demo  # nothing written before the button
    at.button(key="joblog_upload_import").click().run()
    assert not at.exception
    assert "Demodata er erstattet helt" in _texts(at)
    manifest = store.current_manifest(data_dir)
    assert manifest.kind == "real" and manifest.source == "rigtige.csv"
    assert pl.read_parquet(store.current_paths(data_dir)[0]).equals(real)
    assert not any(uploads_dir(data_dir).iterdir())  # the saved upload is removed after the import


def test_bad_upload_shows_problems_as_text_and_changes_nothing(data_dir: Path) -> None:
    before = tree_checksum(data_dir)
    at = AppTest.from_function(_app, default_timeout=30).run()
    content = csv_bytes([row(area="<script>alert(1)</script>"), row(counts=("-1", "1", "1", "1", "9"))])
    at.file_uploader(key="joblog_upload").upload("<b>ond</b>.csv", content, "text/csv").run()
    assert not at.exception
    assert "kan ikke importeres" in _texts(at)
    assert "<script" not in _texts(at) and "<b>" not in _texts(at)
    table = next(d.value for d in at.dataframe if "Problem" in d.value.columns)
    messages = " ".join(table["Problem"].astype(str))
    assert "'<script>alert(1)</script>'" in messages and "negativ" in messages
    assert set(table["Række"].dropna().astype(int)) == {2, 3}
    assert not [b for b in at.button if b.key == "joblog_upload_import"]
    # Only the saved upload (inside the data directory) is new; the dataset is byte-identical.
    uploaded = list(uploads_dir(data_dir).iterdir())
    assert len(uploaded) == 1 and uploaded[0].name.endswith("-b_.csv")  # '/' cut the name; '<>' replaced
    for path in uploaded:
        path.unlink()
    assert tree_checksum(data_dir) == before


def test_saved_upload_cannot_leave_the_data_directory(tmp_path: Path) -> None:
    for name in ("../../../evil.csv", "/etc/passwd", "..\\..\\x.csv", "a\x00b.csv"):
        path = save_upload(name, b"x", tmp_path)
        assert path.parent == uploads_dir(tmp_path).resolve()
        assert path.read_bytes() == b"x"
