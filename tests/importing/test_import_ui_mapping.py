"""The mapping flow in the upload section (AppTest): parsed table, pre-filled mapping, preview, confirm,
profile saved and picked again next month."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from importfixtures import make_frame, wide_xlsx, write_dataset
from streamlit.testing.v1 import AppTest

from joblog_dash.data import store
from joblog_dash.importing import mapping as mp


def _app() -> None:
    from joblog_dash.ui.upload import render_upload_section

    render_upload_section(actor="admin@example.dk")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    write_dataset(folder, make_frame(codes=[101, 461]), kind="demo")
    monkeypatch.setenv("JOBLOG_DATA_DIR", str(folder))
    monkeypatch.delenv("JOBLOG_ALLOW_UPLOAD", raising=False)
    return folder


def _texts(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "success", "error", "warning", "text")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def _widget(widgets, name: str):  # widgets: an AppTest element list
    """The mapping widget `name`: its key carries the mapping round (joblog_map_<name>_<round>)."""
    (found,) = [w for w in widgets if re.fullmatch(rf"joblog_map_{name}_\d+", w.key or "")]
    return found


def _submit(at: AppTest) -> AppTest:
    (button,) = [b for b in at.button if b.label == "Kontrollér og vis ændringer"]
    return button.click().run()


def test_map_preview_confirm_and_reuse_the_profile(data_dir: Path, tmp_path: Path) -> None:
    content = wide_xlsx(tmp_path / "benchmark.xlsx").read_bytes()
    versions = [m.version for m in store.list_versions(data_dir)]
    at = AppTest.from_function(_app, default_timeout=30).run()
    at.file_uploader(key="joblog_upload").upload("benchmark.xlsx", content, "application/octet-stream").run()
    assert not at.exception
    # The parsed table (title rows skipped) and the guess: wide, Kommune as area, no benefit group yet.
    table = at.dataframe[0].value
    assert list(table.columns[:2]) == ["Kommune", "Nøgletal"] and len(table) == 8
    assert _widget(at.radio, "layout").value == "wide"
    assert _widget(at.selectbox, "area").value == "Kommune"
    assert _widget(at.selectbox, "measure_column").value == "Nøgletal"
    assert _widget(at.selectbox, "value_1").value == "persons_0"
    assert _widget(at.selectbox, "value_unit_1").value == "percent"
    assert "kan ikke importeres" in _texts(at)
    problems = next(d.value for d in at.dataframe if "Problem" in d.value.columns)
    assert any("mangler Ydelsesgruppe" in m for m in problems["Problem"])
    assert not [b for b in at.button if b.key == "joblog_upload_import"]

    _widget(at.selectbox, "group_constant").set_value("kontanthjaelp")
    at = _submit(at)
    texts = _texts(at)
    assert "Filen er i orden: 4 rækker for 2 kommuner, 2024-01 – 2024-02" in texts
    assert "Demodata erstattes helt" in texts and "Måneder der ændres: 2024-01, 2024-02" in texts
    # Nothing written before the confirm (only the upload itself is saved, in joblog/uploads).
    assert [m.version for m in store.list_versions(data_dir)] == versions
    assert store.current_manifest(data_dir).is_demo

    at.text_input(key="joblog_profile_name").input("STAR benchmark")
    at.button(key="joblog_profile_save").click().run()
    assert "Importprofilen »star-benchmark« er gemt" in _texts(at)
    assert mp.load_profile("star-benchmark", data_dir).constants == {"group": "kontanthjaelp"}

    at.button(key="joblog_upload_import").click().run()
    assert not at.exception and "Demodata er erstattet helt" in _texts(at)
    manifest = store.current_manifest(data_dir)
    assert manifest.kind == "real"
    assert manifest.files[-1]["actor"] == "admin@example.dk"
    assert manifest.files[-1]["profile"] == "star-benchmark"
    facts = pl.read_parquet(store.current_paths(data_dir)[0])
    # Counts worked out by hand in test_import_mapping.py (WIDE_EXPECTED): 4 rows, 1000+1010+333+340 persons.
    assert facts.height == 4 and facts["persons"].sum() == 2683

    # Next month: a new session picks the saved profile; the same figures change nothing.
    again = AppTest.from_function(_app, default_timeout=30).run()
    again.file_uploader(key="joblog_upload").upload(
        "benchmark.xlsx", content, "application/octet-stream"
    ).run()
    again.selectbox(key="joblog_upload_profile").set_value("star-benchmark").run()
    assert not again.exception
    assert _widget(again.selectbox, "group_constant").value == "kontanthjaelp"
    assert "Filen er i orden" in _texts(again) and "en import ændrer intet" in _texts(again)
