"""Upload section for 'Om tallene': see the parsed table, map its columns, preview the changes, confirm.

The flow: (1) the table as read, (2) which column holds which field — the best guess or a saved import
profile pre-filled, in a form so nothing is re-checked until the user asks, (3) every problem, or what the
import would change (rows added/changed/removed, the largest changes, the months affected) from a dry run,
then an explicit Importér. The mapping can be saved as a named profile for next month.

Shown only to a signed-in administrator (the page gates it with ui/admin.py). The file is saved under the data directory with a
generated, sanitised name, so an upload cannot write elsewhere. Every text from the file is shown as data
(tables, st.text), never as Markdown or HTML; where it must be part of a label (a wide sheet's measure
names) it is escaped, so no image loads and no link is live. Reading, checking and importing run in a child
process under memory and time limits (importing/isolate.py): the worker keeps only a sample of the table and
the small answers, so its memory does not grow with the file.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import streamlit as st

from joblog_dash.data import reference, store
from joblog_dash.importing import isolate, readers, service
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing import mapping as mp
from joblog_dash.importing.validate import Problem
from joblog_dash.text.safety import escape_markdown, printable, safe_filename
from joblog_dash.text.strings import t
from joblog_dash.ui import upload_gate

log = logging.getLogger(__name__)

UPLOAD_TYPES = [s.lstrip(".") for s in readers.SUFFIXES]
STALE_UPLOAD_SECONDS = 3600  # uploads of sessions that ended mid-mapping; failed ones go at once
PREVIEW_ROWS = 20
MAX_MEASURE_VALUES = 15  # wide layout: measure labels offered for mapping
STATE = "joblog_upload_state"
MAPPING_ROUND = "joblog_mapping_round"
CANONICAL_FORMATS = ("csv-canonical", "parquet")
UNIT_KEYS = {
    "count": "upload_unit_count",
    "percent": "upload_unit_percent",
    "fraction": "upload_unit_fraction",
}


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
            "Problem": [printable(p.message, limit=1000) for p in problems],
        },
        schema={
            "Type": pl.String,
            "Fil": pl.String,
            "Række": pl.Int64,
            "Kolonne": pl.String,
            "Problem": pl.String,
        },
    )


def _show_problems(problems: list[Problem], key: str | None = None) -> None:
    """The problems as a table; the message column gets the room (it is the part the user reads)."""
    st.dataframe(
        problems_table(problems),
        hide_index=True,
        key=key,
        column_config={"Problem": st.column_config.TextColumn(width="large")},
    )


def _dk(number: object) -> str:
    return f"{number:,}".replace(",", ".") if isinstance(number, int) else str(number)


@contextlib.contextmanager
def _progress() -> Iterator[service.Progress]:
    """A progress bar for the duration of one step, removed afterwards (a finished bar says nothing)."""
    slot = st.empty()
    bar = slot.progress(0.0, text="Starter …")

    def update(fraction: float, text: str) -> None:
        bar.progress(min(max(fraction, 0.0), 1.0), text=escape_markdown(printable(text, limit=80)))

    try:
        yield update
    finally:
        slot.empty()


# --- Step 1: the file --------------------------------------------------------------------------------------


def _forget(state: dict) -> None:
    """Drop the upload this session was working on, and its saved file (nothing of it stays on disk)."""
    if state.get("path"):
        Path(state["path"]).unlink(missing_ok=True)
    state.clear()


def _fail(state: dict, message: str) -> None:
    """The file cannot be used: say why, and remove it from disk at once."""
    if state.get("path"):
        Path(state.pop("path")).unlink(missing_ok=True)
    for key in ("raw", "mapping", "problems", "ok", "stats", "preview", "report"):
        state.pop(key, None)
    state["read_problems"] = [Problem(state.get("name", ""), None, None, message)]


def _receive(uploaded, state: dict, data_dir: Path | None) -> None:  # uploaded: Streamlit's UploadedFile
    """A new upload: save it, read it, guess a mapping, and check it at once with that guess."""
    _forget(state)
    state.update(file_id=uploaded.file_id, name=safe_filename(uploaded.name))
    limit_mb = readers.max_import_bytes() // (1024 * 1024)
    if uploaded.size > readers.max_import_bytes():
        _fail(state, t("upload_too_big", limit=limit_mb))
        return
    try:
        path = save_upload(uploaded.name, uploaded.getvalue(), data_dir)
        state["path"] = str(path)
        # Parsed in a child process under limits; the session keeps a sample (the mapping step's material).
        raw, state["rows"], guess = isolate.run(service.read_sample, path)
    except readers.ReadError as exc:
        _fail(state, str(exc))
        return
    state["raw"] = raw
    if guess is not None:
        _set_mapping(state, guess)
    _check(state, data_dir)


def _set_mapping(state: dict, mapping: mp.Mapping) -> None:
    """Use `mapping` and show it: the form's widgets get new keys, so they start from its values (a browser
    keeps a widget's old value when only its default changes)."""
    state["mapping"] = mapping
    st.session_state[MAPPING_ROUND] = st.session_state.get(MAPPING_ROUND, 0) + 1


def _key(name: str) -> str:
    """Key of a mapping widget in the current round (see _set_mapping); tests find it by its prefix."""
    return f"joblog_map_{name}_{st.session_state.get(MAPPING_ROUND, 0)}"


def _check(state: dict, data_dir: Path | None) -> None:
    """Validate with the current mapping and, when valid, compute the preview (a dry run)."""
    state.pop("preview", None)
    state.pop("report", None)
    path, mapping = Path(state["path"]), state.get("mapping")
    try:
        with _progress() as progress:
            validation, preview, refused = isolate.run(
                service.check_file, path, data_dir, mapping, state["name"], progress=progress
            )
    except readers.ReadError as exc:  # out of memory or time
        state["ok"], state["stats"] = False, {}
        state["problems"] = [Problem(state["name"], None, None, str(exc))]
        return
    state["problems"] = [
        Problem(state["name"], p.row, p.column, p.message, p.severity) for p in validation.problems
    ]
    state["ok"], state["stats"] = validation.ok and not refused, validation.stats
    if refused:
        state["problems"] = refused
    state["preview"] = preview


def _show_table(raw: readers.RawTable, rows: int) -> None:
    st.markdown(f"**{t('upload_step_table')}**")
    shown = min(PREVIEW_ROWS, raw.frame.height)
    st.dataframe(raw.frame.head(PREVIEW_ROWS), hide_index=True, key="joblog_upload_table")
    st.caption(t("upload_table_caption", shown=shown, rows=_dk(rows), format=raw.format))


# --- Step 2: the mapping -----------------------------------------------------------------------------------


def _label(name: str) -> str:
    return ji.EXPORT_HEADERS[name]


def _choose_profile(state: dict, data_dir: Path | None) -> None:
    names = mp.list_profiles(data_dir)
    if not names:
        return
    options = [t("upload_profile_guess"), *names]
    chosen = st.selectbox(
        t("upload_profile"), options, key="joblog_upload_profile", help=t("upload_profile_help")
    )
    previous = state.get("profile_choice", options[0])
    if chosen == previous:
        return
    state["profile_choice"] = chosen
    try:
        mapping = (
            mp.guess_mapping(state["raw"].frame)
            if chosen == options[0]
            else mp.load_profile(chosen, data_dir)
        )
    except mp.MappingError as exc:
        st.error(t("upload_profile_bad", error=exc))
        return
    state["profile"] = None if chosen == options[0] else mp.profile_name(chosen)
    _set_mapping(state, mapping)
    _check(state, data_dir)


def _column_select(label: str, key: str, columns: list[str], current: str | None) -> str | None:
    options = [t("upload_not_in_file"), *columns]
    index = options.index(current) if current in options else 0
    chosen = st.selectbox(label, options, index=index, key=key)
    return None if chosen == options[0] else chosen


def _mapping_form(state: dict, data_dir: Path | None) -> None:
    raw: readers.RawTable = state["raw"]
    mapping: mp.Mapping = state["mapping"]
    columns = raw.frame.columns
    st.markdown(f"**{t('upload_step_mapping')}**")
    st.caption(t("upload_mapping_intro"))
    _choose_profile(state, data_dir)
    mapping = state["mapping"]
    with st.form("joblog_mapping_form", border=True):
        layouts = {"long": t("upload_layout_long"), "wide": t("upload_layout_wide")}
        layout = st.radio(
            t("upload_layout"),
            list(layouts),
            index=list(layouts).index(mapping.layout),
            format_func=layouts.get,
            key=_key("layout"),
            horizontal=True,
        )
        chosen: dict[str, str | None] = {}
        left, middle, right = st.columns(3)
        shown = [d for d in ji.DIMENSIONS if not (d == "period" and mapping.layout == "wide")]
        for i, name in enumerate(shown):
            with (left, middle, right)[i % 3]:
                chosen[name] = _column_select(_label(name), _key(name), columns, mapping.columns.get(name))
        groups = {"": t("upload_group_fixed_none"), **reference.BENEFIT_GROUP_LABELS}
        fixed_group = ji.benefit_group(mapping.constants.get("group", "")) or ""
        group_constant = st.selectbox(
            t("upload_group_fixed"),
            list(groups),
            index=list(groups).index(fixed_group),
            format_func=groups.get,
            key=_key("group_constant"),
        )
        period_constant = ""
        if mapping.layout == "long":
            period_constant = st.text_input(
                t("upload_period_fixed"),
                value=mapping.constants.get("period", ""),
                key=_key("period_constant"),
            )
        units: dict[str, str] = {}
        measure_column, measure_values, wide_measure = None, {}, None
        if mapping.layout == "long":
            for name in ji.MEASURES:
                column_side, unit_side = st.columns([3, 2])
                with column_side:
                    chosen[name] = _column_select(
                        _label(name), _key(name), columns, mapping.columns.get(name)
                    )
                with unit_side:
                    if name in mp.CATEGORIES:
                        units[name] = st.selectbox(
                            t("upload_unit"),
                            list(UNIT_KEYS),
                            index=list(UNIT_KEYS).index(mapping.units.get(name, "count")),
                            format_func=lambda u: t(UNIT_KEYS[u]),
                            key=_key(f"unit_{name}"),
                        )
        else:
            measure_column, measure_values, wide_measure, units = _wide_measures(raw, mapping)
        submitted = st.form_submit_button(t("upload_check"), type="secondary")
    if not submitted:
        return
    constants = {"group": group_constant} if group_constant else {}
    if period_constant.strip():
        constants["period"] = period_constant.strip()
    new = mp.Mapping(
        layout=layout,
        columns={f: c for f, c in chosen.items() if c},
        constants=constants,
        units={m: u for m, u in units.items() if u != "count"},
        measure_column=measure_column,
        measure_values=measure_values,
        wide_measure=wide_measure,
    )
    if layout != mapping.layout:
        # The measure widgets belonged to the other layout: take the guess's, keep the user's dimensions.
        guess = mp.guess_mapping(raw.frame)
        kept = {
            f: c for f, c in new.columns.items() if f in ji.DIMENSIONS and (f != "period" or layout == "long")
        }
        new = mp.Mapping(layout=layout, columns=kept, constants=constants)
        if layout == guess.layout:
            new.columns = {**guess.columns, **kept}
            new.units, new.measure_column = guess.units, guess.measure_column
            new.measure_values, new.wide_measure = guess.measure_values, guess.wide_measure
        _set_mapping(state, new)
    elif measure_column and measure_column != mapping.measure_column:
        new.measure_values, new.units = mp.guess_measure_values(raw.frame, measure_column)
        _set_mapping(state, new)
    else:
        state["mapping"] = new
    _check(state, data_dir)
    st.rerun()


def _wide_measures(
    raw: readers.RawTable, mapping: mp.Mapping
) -> tuple[str | None, dict[str, str], str | None, dict[str, str]]:
    """Wide layout: the column naming each row's measure, what each of its values means, and their units."""
    columns = raw.frame.columns
    none = t("upload_measure_none")
    options = [none, *columns]
    current = mapping.measure_column if mapping.measure_column in columns else none
    chosen = st.selectbox(
        t("upload_measure_column"), options, index=options.index(current), key=_key("measure_column")
    )
    measure_column = None if chosen == none else chosen
    measure_labels = {"": t("upload_measure_unused"), **{m: _label(m) for m in ji.MEASURES}}
    values: dict[str, str] = {}
    units: dict[str, str] = {}
    if measure_column is None:
        wide_measure = st.selectbox(
            t("upload_wide_measure"),
            list(ji.MEASURES),
            index=list(ji.MEASURES).index(mapping.wide_measure or "persons"),
            format_func=_label,
            key=_key("wide_measure"),
        )
        return None, {}, wide_measure, {}
    if measure_column != mapping.measure_column:
        st.caption(t("upload_measure_values_note"))
        return measure_column, {}, None, {}  # guessed for the new column when the form is sent
    labels = (
        raw.frame[measure_column].drop_nulls().unique(maintain_order=True).head(MAX_MEASURE_VALUES).to_list()
    )
    for i, value in enumerate(labels):
        guess = mapping.measure_values.get(value, "")
        value_side, unit_side = st.columns([3, 2])
        with value_side:
            meaning = st.selectbox(
                t("upload_measure_value", value=escape_markdown(printable(value, limit=80))),
                list(measure_labels),
                index=list(measure_labels).index(guess) if guess in measure_labels else 0,
                format_func=measure_labels.get,
                key=_key(f"value_{i}"),
            )
        with unit_side:
            unit = st.selectbox(
                t("upload_unit"),
                list(UNIT_KEYS),
                index=list(UNIT_KEYS).index(mapping.units.get(meaning, "count")) if meaning else 0,
                format_func=lambda u: t(UNIT_KEYS[u]),
                key=_key(f"value_unit_{i}"),
            )
        if meaning:
            values[value] = meaning
            if unit != "count":
                units[meaning] = unit
    return measure_column, values, None, units


# --- Step 3: preview and confirm ---------------------------------------------------------------------------


def _counts(report: service.ImportReport) -> dict[str, str]:
    return {
        "added": _dk(report.added),
        "changed": _dk(report.changed),
        "removed": _dk(report.removed),
        "total": _dk(report.dataset_rows),
    }


def _show_largest(report: service.ImportReport) -> None:
    if report.largest_changes:
        st.caption(t("upload_largest"))
        st.dataframe(pl.DataFrame(report.largest_changes), hide_index=True, key="joblog_upload_largest")


def _show_preview(report: service.ImportReport) -> None:
    if report.replaced_demo:
        st.warning(t("upload_preview_demo"))
    if report.unchanged:
        st.info(t("upload_preview_nothing"))
        return
    st.info(t("upload_preview", **_counts(report)))
    if report.affected_months:
        st.text(t("upload_preview_months", months=", ".join(report.affected_months)))
    _show_largest(report)


def _show_report(report: service.ImportReport) -> None:
    if report.replaced_demo:
        st.success(t("upload_done_demo"))
    if report.version is None:
        st.info(t("upload_done_nothing"))
        return
    st.success(t("upload_done", rows=_dk(report.rows_in_file), **_counts(report)))
    st.text(f"Fil: {report.file}\nsha256: {report.sha256}\nVersion: {report.version}")
    _show_largest(report)
    st.caption(t("upload_done_rollback", form=t("admin_rollback_heading")))


def _save_profile_form(state: dict, data_dir: Path | None) -> None:
    name_side, button_side = st.columns([3, 1], vertical_alignment="bottom")
    with name_side:
        name = st.text_input(t("upload_profile_name"), key="joblog_profile_name")
    with button_side:
        clicked = st.button(t("upload_profile_save"), key="joblog_profile_save")
    if clicked:
        try:
            path = mp.save_profile(name, state["mapping"], data_dir)
        except mp.MappingError as exc:
            st.error(str(exc))
        else:
            state["profile"] = path.stem
            st.success(t("upload_profile_saved", name=path.stem))


def _import(state: dict, data_dir: Path | None, actor: str | None) -> None:
    try:
        with _progress() as progress:
            report = isolate.run(
                service.import_file,
                Path(state["path"]),
                data_dir,
                progress=progress,
                display_name=state["name"],
                mapping=state.get("mapping"),
                profile=state.get("profile"),
                actor=actor,
            )
    except (service.ImportRefused, readers.ReadError) as refused:
        # The upload stays (removed when the session lets go of it, or after an hour) so that the user can
        # try again, e.g. after another import.
        st.error(t("upload_nothing_imported"))
        problems = getattr(refused, "problems", None) or [Problem(state["name"], None, None, str(refused))]
        _show_problems(problems)
        return
    Path(state["path"]).unlink(missing_ok=True)
    state["report"] = report
    st.cache_data.clear()  # the pages must not show figures from the replaced version


def render_upload_section(data_dir: Path | None = None, *, actor: str | None = None) -> None:
    """The 'Indlæs rigtige tal' section (Streamlit): table, mapping, preview, confirm.

    `actor` (who is signed in) is recorded with the import; None when the caller has no sign-in.
    """
    st.subheader(t("upload_heading"))
    st.caption(t("upload_intro", limit=readers.max_import_bytes() // (1024 * 1024)))
    if not upload_gate.allow_uploads():
        st.error(t("upload_gate_off"), icon="🔒")
        return
    uploaded = st.file_uploader(t("upload_file"), type=UPLOAD_TYPES, key="joblog_upload")
    state = st.session_state.setdefault(STATE, {})
    if uploaded is None:
        _forget(state)  # the user removed the file from the widget
        return
    try:
        _render_steps(uploaded, state, data_dir, actor)
    except Exception:  # any bad file must leave the page (rollback, audit log) and the next rerun working
        log.exception("upload of %s failed", state.get("name"))
        _fail(state, t("upload_failed"))
        st.error(t("upload_unreadable", name=escape_markdown(state.get("name", ""))))
        _show_problems(state["read_problems"])


def _render_steps(uploaded, state: dict, data_dir: Path | None, actor: str | None) -> None:
    if state.get("file_id") != uploaded.file_id:
        _receive(uploaded, state, data_dir)
    if state.get("read_problems"):
        st.error(t("upload_unreadable", name=escape_markdown(state["name"])))
        _show_problems(state["read_problems"])
        return
    if state.get("report") is not None:
        _show_report(state["report"])
        return
    _show_table(state["raw"], state.get("rows", state["raw"].frame.height))
    if "mapping" in state:
        _mapping_form(state, data_dir)
    else:
        st.caption(t("upload_canonical"))
    st.markdown(f"**{t('upload_step_preview')}**")
    problems: list[Problem] = state.get("problems", [])
    if not state.get("ok"):
        st.error(t("upload_refused", name=escape_markdown(state["name"])))
        _show_problems(problems, key="joblog_upload_problems")
        return
    stats = state.get("stats", {})
    st.success(
        t(
            "upload_ok",
            rows=_dk(stats.get("rows")),
            municipalities=stats.get("municipalities"),
            first=str(stats.get("first_month"))[:7],
            last=str(stats.get("last_month"))[:7],
        )
    )
    if state.get("preview") is not None:
        _show_preview(state["preview"])
    if problems:
        st.caption(t("upload_warnings"))
        _show_problems(problems, key="joblog_upload_warnings")
    if "mapping" in state:
        _save_profile_form(state, data_dir)
    if st.button(
        t("upload_confirm"), key="joblog_upload_import", type="primary", help=t("upload_confirm_help")
    ):
        _import(state, data_dir, actor)
        if state.get("report") is not None:
            st.rerun()
