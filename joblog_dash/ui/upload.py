"""Upload section for 'Om tallene': validate an export, show its problems, import it on request.

Shown only to a signed-in administrator (the page gates it with ui/admin.py). The file
is saved under the data directory with a generated, sanitised name, so an upload cannot write elsewhere.
Every text from the file is shown as data (tables, st.text), never as Markdown or HTML.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import polars as pl
import streamlit as st

from joblog_dash.data import store
from joblog_dash.importing import readers, service
from joblog_dash.importing.validate import Problem
from joblog_dash.text.safety import printable, safe_filename

UPLOAD_TYPES = [s.lstrip(".") for s in readers.SUFFIXES]
STALE_UPLOAD_SECONDS = 24 * 3600


def uploads_dir(data_dir: Path | None = None) -> Path:
    return store.joblog_dir(data_dir) / "uploads"


def save_upload(name: str, content: bytes, data_dir: Path | None = None) -> Path:
    """Write uploaded bytes to a new file inside the uploads folder; refuses anything that would escape it."""
    readers.check_size(len(content), safe_filename(name))
    folder = uploads_dir(data_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():  # uploads left by closed sessions
        if old.is_file() and time.time() - old.stat().st_mtime > STALE_UPLOAD_SECONDS:
            old.unlink(missing_ok=True)
    target = (folder / f"{uuid.uuid4().hex[:12]}-{safe_filename(name)}").resolve()
    if target.parent != folder:
        raise readers.ReadError("ugyldigt filnavn")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return target


def problems_table(problems: list[Problem]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "Type": [p.severity for p in problems],
            "Fil": [printable(p.file) for p in problems],
            "Række": [p.row for p in problems],
            "Kolonne": [printable(p.column or "") for p in problems],
            "Problem": [printable(p.message, limit=400) for p in problems],
        },
        schema={
            "Type": pl.String,
            "Fil": pl.String,
            "Række": pl.Int64,
            "Kolonne": pl.String,
            "Problem": pl.String,
        },
    )


def _dk(number: object) -> str:
    return f"{number:,}".replace(",", ".") if isinstance(number, int) else str(number)


def _progress_callback() -> service.Progress:
    bar = st.progress(0.0, text="Starter …")

    def update(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=printable(text, limit=80))

    return update


def _show_report(report: service.ImportReport) -> None:
    if report.replaced_demo:
        st.success("Demodata er erstattet helt af de rigtige tal. Demo og rigtige tal blandes aldrig.")
    if report.version is None:
        st.info("Ingen ændringer: filen giver de samme tal som det nuværende datasæt; intet er skrevet.")
        return
    st.success(
        f"Importeret: {_dk(report.rows_in_file)} rækker læst; {_dk(report.added)} tilføjet, "
        f"{_dk(report.changed)} ændret, {_dk(report.removed)} fjernet. Datasættet har nu "
        f"{_dk(report.dataset_rows)} rækker."
    )
    st.text(f"Fil: {report.file}\nsha256: {report.sha256}\nVersion: {report.version}")
    if report.largest_changes:
        st.caption("Største ændringer")
        st.dataframe(pl.DataFrame(report.largest_changes), hide_index=True)
    if report.warnings:
        st.dataframe(problems_table(report.warnings), hide_index=True)
    st.caption("Fortryd med `joblog-dash rollback` på serveren.")


def render_upload_section(data_dir: Path | None = None) -> None:
    """The 'Indlæs rigtige tal' section (Streamlit)."""
    st.subheader("Indlæs rigtige tal")
    limit_mb = readers.max_import_bytes() // (1024 * 1024)
    st.caption(
        "Eksport fra Jobindsats eller STAR (CSV med semikolon, Jobindsats-JSON, Excel .xlsx) eller det kanoniske "
        f"format (CSV/parquet), højst {limit_mb} MB. Filen kontrolleres først; intet ændres, før du trykker "
        "Importér, og en import lander helt eller slet ikke."
    )
    uploaded = st.file_uploader("Eksportfil", type=UPLOAD_TYPES, key="joblog_upload")
    if uploaded is None:
        return
    state = st.session_state.setdefault("joblog_upload_state", {})
    if state.get("file_id") != uploaded.file_id:
        if state.get("path"):
            Path(state["path"]).unlink(missing_ok=True)
        state.clear()
        state["file_id"] = uploaded.file_id
        state["name"] = safe_filename(uploaded.name)
        if uploaded.size > readers.max_import_bytes():
            state["problems"] = [
                Problem(state["name"], None, None, f"filen er over grænsen på {limit_mb} MB")
            ]
        else:
            try:
                path = save_upload(uploaded.name, uploaded.getvalue(), data_dir)
            except readers.ReadError as exc:
                state["problems"] = [Problem(state["name"], None, None, str(exc))]
            else:
                state["path"] = str(path)
                validation = service.validate_file(path, _progress_callback())
                state["problems"] = [
                    Problem(state["name"], p.row, p.column, p.message, p.severity)
                    for p in validation.problems
                ]
                state["ok"] = validation.ok
                state["stats"] = validation.stats
    problems: list[Problem] = state.get("problems", [])
    if not state.get("ok"):
        st.error(f"{state['name']} kan ikke importeres. Ret problemerne nedenfor og upload filen igen.")
        st.dataframe(problems_table(problems), hide_index=True)
        return
    stats = state.get("stats", {})
    st.info(
        f"Filen er i orden: {_dk(stats.get('rows'))} rækker for {stats.get('municipalities')} kommuner, "
        f"{str(stats.get('first_month'))[:7]} – {str(stats.get('last_month'))[:7]}."
    )
    if problems:
        st.dataframe(problems_table(problems), hide_index=True)
    if state.get("report") is not None:
        _show_report(state["report"])
        return
    if st.button("Importér", key="joblog_upload_import", type="primary"):
        try:
            report = service.import_file(
                Path(state["path"]), data_dir, _progress_callback(), display_name=state["name"]
            )
        except service.ImportRefused as refused:
            st.error("Intet er importeret; de nuværende data er uændrede.")
            st.dataframe(problems_table(refused.problems), hide_index=True)
            return
        finally:
            Path(state["path"]).unlink(missing_ok=True)
        state["report"] = report
        st.cache_data.clear()  # the pages must not show figures from the replaced version
        _show_report(report)
