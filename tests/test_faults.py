"""Faults with nothing lost: concurrent imports, a damaged current version, a full disk, open sessions
during an import, the audit log of every change (logged before it is made) and `joblog-dash verify`."""

from __future__ import annotations

import errno
import getpass
import json
import os
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest
from helpers import full_disk_for_current
from importfixtures import make_frame, write_dataset
from streamlit.testing.v1 import AppTest

from joblog_dash import cli, config
from joblog_dash.data import aggregates, audit, demo, store, warehouse
from joblog_dash.importing import isolate, service
from joblog_dash.importing import jobindsats as ji

JAN, FEB, MAR, APR = date(2018, 1, 1), date(2018, 2, 1), date(2018, 3, 1), date(2018, 4, 1)


def _export(tmp_path: Path, name: str, frame: pl.DataFrame) -> Path:
    path = tmp_path / name
    path.write_bytes(ji.to_jobindsats_csv(frame))
    return path


def _facts(data_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(store.current_paths(data_dir)[0])


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort(["month", "municipality_code", "benefit_group"])


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    write_dataset(folder, make_frame(months=[JAN, FEB]))  # real data, Jan–Feb, three municipalities
    return folder


# --- two imports at the same time ---


def _blocking_write(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make the first stage_version (an import's write) wait inside the import lock until released."""
    entered, release = threading.Event(), threading.Event()
    real = store.stage_version
    calls = [0]

    def stage_version(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 1:
            entered.set()
            assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "stage_version", stage_version)
    return entered, release


def test_second_import_waits_for_the_first_and_both_land(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    march = _export(tmp_path, "marts.csv", make_frame(months=[MAR]))
    april = _export(tmp_path, "april.csv", make_frame(months=[APR]))
    entered, release = _blocking_write(monkeypatch)
    results: dict[str, object] = {}

    def run(name: str, path: Path) -> None:
        try:
            results[name] = service.import_file(path, data_dir=data_dir)
        except Exception as exc:  # reported to the test below
            results[name] = exc

    first = threading.Thread(target=run, args=("march", march))
    first.start()
    assert entered.wait(30)
    second = threading.Thread(target=run, args=("april", april))
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the lock, not refused and not writing
    release.set()
    first.join(30)
    second.join(30)
    assert all(isinstance(r, service.ImportReport) for r in results.values()), results
    # Neither lost the other's rows: the April import merged onto the March version.
    expected = make_frame(months=[JAN, FEB, MAR, APR])
    assert _sorted(_facts(data_dir)).equals(_sorted(expected))
    assert len(audit.read_entries(data_dir)) == 2


def test_second_import_is_refused_in_danish_when_the_first_takes_too_long(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "LOCK_WAIT_SECONDS", 0.3)
    march = _export(tmp_path, "marts.csv", make_frame(months=[MAR]))
    april = _export(tmp_path, "april.csv", make_frame(months=[APR]))
    entered, release = _blocking_write(monkeypatch)
    first = threading.Thread(target=service.import_file, args=(march,), kwargs={"data_dir": data_dir})
    first.start()
    try:
        assert entered.wait(30)
        with pytest.raises(service.ImportRefused, match="en anden import eller tilbagerulning er i gang"):
            service.import_file(april, data_dir=data_dir)
        with pytest.raises(service.ImportRefused, match="i gang"):
            service.rollback(None, data_dir)
    finally:
        release.set()
        first.join(30)
    assert _sorted(_facts(data_dir)).equals(_sorted(make_frame(months=[JAN, FEB, MAR])))
    # The refused one can simply be run again.
    service.import_file(april, data_dir=data_dir)
    assert _sorted(_facts(data_dir)).equals(_sorted(make_frame(months=[JAN, FEB, MAR, APR])))


# --- a damaged or missing file in the current version ---


def _break(data_dir: Path, how: str) -> Path:
    facts = store.current_paths(data_dir)[0]
    if how == "garbage":
        facts.write_bytes(b"PAR1 this is not parquet")
    elif how == "truncated":
        facts.write_bytes(facts.read_bytes()[:200])
    elif how == "missing":
        facts.unlink()
    elif how == "aggregate":
        next(facts.parent.glob("agg_*.parquet")).write_bytes(b"\x00" * 50)
    return facts.parent


@pytest.mark.parametrize("how", ["garbage", "truncated", "missing", "aggregate"])
def test_damaged_current_version_falls_back_to_the_last_good_one(
    data_dir: Path, tmp_path: Path, how: str
) -> None:
    good = store.current_version(data_dir)
    service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    broken = store.current_version(data_dir)
    _break(data_dir, how)
    db = warehouse.open_db(data_dir)
    assert db.manifest.version == good and db.problem and broken in db.problem
    assert db.sql("SELECT count(*) AS n FROM facts")["n"][0] == make_frame(months=[JAN, FEB]).height
    assert warehouse.open_db(data_dir) is db  # remembered: a rerun does not search again
    # Import still works: it merges onto the version the app shows, and the new version is served.
    report = service.import_file(_export(tmp_path, "april.csv", make_frame(months=[APR])), data_dir=data_dir)
    assert store.current_version(data_dir) == report.version
    assert _sorted(_facts(data_dir)).equals(_sorted(make_frame(months=[JAN, FEB, APR])))
    fresh = warehouse.open_db(data_dir)
    assert fresh.problem is None and fresh.manifest.version == report.version
    # Rollback still works, and a damaged version is refused as a target.
    assert service.rollback(good, data_dir).version == good
    with pytest.raises(store.DatasetMissingError):
        service.rollback(broken, data_dir)
    assert store.current_version(data_dir) == good


def test_default_rollback_from_a_damaged_version_goes_to_the_one_shown(
    data_dir: Path, tmp_path: Path
) -> None:
    good = store.current_version(data_dir)
    service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    _break(data_dir, "missing")
    assert service.rollback(None, data_dir).version == good


def test_no_readable_version_is_a_clear_message(data_dir: Path) -> None:
    _break(data_dir, "garbage")
    with pytest.raises(store.DatasetMissingError, match="ødelagt"):
        warehouse.open_db(data_dir)


@pytest.mark.parametrize("how", ["garbage", "missing"])
def test_pages_warn_and_show_the_last_good_version(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    good = store.current_version(data_dir)
    service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    _break(data_dir, how)
    monkeypatch.setenv("JOBLOG_DATA_DIR", str(data_dir))
    for page in (None, "pages/5_om_tallene.py"):
        at = AppTest.from_file(str(config.PACKAGE_ROOT / "app.py"), default_timeout=60)
        if page:
            at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
        warnings = " ".join(w.value for w in at.warning)
        assert "kan ikke læses" in warnings and good in warnings
        assert "facts.parquet" in warnings and str(data_dir) not in warnings  # no server path to visitors


# --- the disk filling up during an import ---


def _full_disk_after(monkeypatch: pytest.MonkeyPatch, target: str) -> None:
    real = store.write_facts

    def write_facts(frame: pl.DataFrame, path: Path) -> None:
        real(frame, path)
        with path.open("r+b") as handle:  # a half-written file, as a full disk leaves it
            handle.truncate(path.stat().st_size // 2)
        raise OSError(errno.ENOSPC, "No space left on device")

    if target == "facts":
        monkeypatch.setattr(store, "write_facts", write_facts)
    else:

        def append(path: Path, line: bytes) -> None:
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(audit, "_append", append)


@pytest.mark.parametrize("target", ["facts", "audit"])
def test_full_disk_keeps_the_previous_version_current(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str
) -> None:
    before = store.current_version(data_dir)
    versions_before = [m.version for m in store.list_versions(data_dir)]
    _full_disk_after(monkeypatch, target)
    with pytest.raises(service.ImportRefused) as refused:
        service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    message = str(refused.value)
    assert ("kunne ikke skrives" in message) and ("No space" in message)
    monkeypatch.undo()
    assert store.current_version(data_dir) == before
    assert _sorted(_facts(data_dir)).equals(_sorted(make_frame(months=[JAN, FEB])))
    root = store.joblog_dir(data_dir) / "versions"
    assert not list(root.glob(".staging-*"))  # staging cleaned
    if target == "facts":
        assert [m.version for m in store.list_versions(data_dir)] == versions_before
    assert audit.read_entries(data_dir) == []
    # Once there is room again, the same import works.
    service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    assert _sorted(_facts(data_dir)).equals(_sorted(make_frame(months=[JAN, FEB, MAR])))


# --- sessions open during an import ---


def test_an_open_dataset_keeps_answering_from_its_version(data_dir: Path, tmp_path: Path) -> None:
    before = warehouse.open_db(data_dir)
    query = "SELECT count(*) AS n, sum(persons) AS p FROM facts"
    old_facts, old_cells = before.sql(query), before.sql("SELECT count(*) AS n FROM muni_month")
    service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    # The session that opened the old version sees it whole (facts and aggregates alike) ...
    assert before.sql(query).equals(old_facts)
    assert before.sql("SELECT count(*) AS n FROM muni_month").equals(old_cells)
    # ... and its next interaction opens the new one.
    after = warehouse.open_db(data_dir)
    assert after.manifest.version != before.manifest.version
    expected = make_frame(months=[JAN, FEB, MAR])
    assert after.sql(query)["n"][0] == expected.height
    assert after.sql(query)["p"][0] == expected["persons"].sum()


# --- the audit log ---


def test_cli_import_and_rollback_are_logged_with_the_os_user(data_dir: Path, tmp_path: Path) -> None:
    path = _export(tmp_path, "marts.csv", make_frame(months=[MAR]))
    before = store.current_version(data_dir)

    def cli(*args: str) -> None:
        command = [sys.executable, "-m", "joblog_dash.cli", "--data-dir", str(data_dir), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=config.PACKAGE_ROOT)
        assert done.returncode == 0, done.stderr

    cli("import", str(path), "--quiet")
    after = store.current_version(data_dir)
    cli("rollback")
    rollback, imported = audit.read_entries(data_dir)  # newest first
    user = f"{getpass.getuser()} (kommandolinje)"
    # The March file adds three municipalities' rows for one month (make_frame's default codes).
    assert (imported.action, imported.actor, imported.file) == ("import", user, "marts.csv")
    assert (imported.added, imported.changed, imported.removed) == (3, 0, 0)
    assert imported.sha256 == store.sha256_file(path)
    assert (imported.version_before, imported.version_after) == (before, after)
    assert (rollback.action, rollback.actor) == ("rollback", user)
    assert (rollback.version_before, rollback.version_after) == (after, before)
    assert (rollback.added, rollback.changed, rollback.removed) == (0, 0, 3)  # March's rows go again
    assert rollback.at >= imported.at


def test_audit_log_is_append_only_and_skips_damaged_lines(tmp_path: Path) -> None:
    with audit.acting_as("anna@ministeriet.dk"):
        audit.record("import", version_before=None, version_after="v1", file="a.csv", data_dir=tmp_path)
    path = audit.audit_path(tmp_path)
    first = path.read_bytes()
    with path.open("ab") as handle:
        handle.write(b'{"half a line\n')
    audit.record("rollback", version_before="v1", version_after="v0", data_dir=tmp_path)
    assert path.read_bytes().startswith(first)  # earlier lines are never rewritten
    newest, oldest = audit.read_entries(tmp_path)
    assert (newest.action, newest.actor.endswith("(kommandolinje)")) == ("rollback", True)
    assert (oldest.actor, oldest.file) == ("anna@ministeriet.dk", "a.csv")
    assert json.loads(first)["version_after"] == "v1"
    with pytest.raises(ValueError):
        audit.record("delete", version_before=None, version_after=None, data_dir=tmp_path)


# --- audit first: intent, switch, done ---


def test_the_intent_is_logged_before_current_switches(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, str | None]] = []
    real = store._atomic_write_text

    def write(path: Path, text: str) -> None:
        if path.name == "CURRENT":  # what the log holds at the moment of the switch
            lines = audit.audit_path(data_dir).read_text().splitlines()
            last = json.loads(lines[-1]) if lines else {}
            seen.append((last.get("phase"), last.get("version_after")))
        real(path, text)

    monkeypatch.setattr(store, "_atomic_write_text", write)
    report = service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    assert seen == [("intent", report.version)]
    service.rollback(None, data_dir)
    assert seen[-1][0] == "intent"
    lines = [json.loads(line) for line in audit.audit_path(data_dir).read_text().splitlines()]
    assert [(line["action"], line["phase"]) for line in lines] == [
        ("import", "intent"),
        ("import", "done"),
        ("rollback", "intent"),
        ("rollback", "done"),
    ]
    assert lines[0]["change"] == lines[1]["change"] != lines[2]["change"] == lines[3]["change"]
    # Read back as one entry per change, newest first.
    assert [(e.action, e.phase) for e in audit.read_entries(data_dir)] == [
        ("rollback", "done"),
        ("import", "done"),
    ]


def test_a_crash_between_intent_and_switch_leaves_a_trace_and_no_version(
    data_dir: Path, tmp_path: Path
) -> None:
    """The importing process dies the moment it would switch CURRENT (kill -9 as far as the disk knows)."""
    path = _export(tmp_path, "marts.csv", make_frame(months=[MAR]))
    before = store.current_version(data_dir)
    script = (
        "import os\n"
        "from pathlib import Path\n"
        "from joblog_dash.data import store\n"
        "from joblog_dash.importing import service\n"
        "store.commit = lambda *a, **k: os._exit(9)\n"
        f"service.import_file(Path({str(path)!r}), data_dir=Path({str(data_dir)!r}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr
    (entry,) = audit.read_entries(data_dir)
    assert (entry.action, entry.phase, entry.version_before) == ("import", "intent", before)
    assert entry.version_after in store.pending_versions(data_dir)  # written whole, never current
    assert store.current_version(data_dir) == before
    assert [m.version for m in store.list_versions(data_dir)] == [before]
    assert _sorted(_facts(data_dir)).equals(_sorted(make_frame(months=[JAN, FEB])))
    with pytest.raises(store.DatasetMissingError, match="ingen tidligere version"):
        service.rollback(None, data_dir)
    with pytest.raises(store.DatasetMissingError, match="findes ikke"):
        service.rollback(entry.version_after, data_dir)


def test_current_that_cannot_be_written_leaves_no_version_behind(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = store.current_version(data_dir)
    full_disk_for_current(monkeypatch)
    with pytest.raises(service.ImportRefused, match="ikke plads på disken"):
        service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    monkeypatch.undo()
    assert store.current_version(data_dir) == before
    assert [m.version for m in store.list_versions(data_dir)] == [before]
    assert [p.name for p in (store.joblog_dir(data_dir) / "versions").iterdir()] == [before]
    (entry,) = audit.read_entries(data_dir)
    assert (entry.action, entry.phase, entry.version_before) == ("import", "aborted", before)
    # The version shown is the one before, whole; the fallback cannot be the one never made current.
    assert _sorted(_facts(data_dir)).equals(_sorted(make_frame(months=[JAN, FEB])))
    _break(data_dir, "garbage")
    with pytest.raises(store.DatasetMissingError):
        warehouse.open_db(data_dir)


@pytest.mark.parametrize("writer", ["polars", "duckdb"])
def test_a_writer_error_is_a_clear_danish_message_and_nothing_changes(
    data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    writer: str,
) -> None:
    """A full disk as the writers report it: polars and DuckDB raise their own errors, not OSError."""

    def fail(*_args: object, **_kwargs: object) -> None:
        if writer == "polars":
            raise pl.exceptions.ComputeError("failed to write parquet: No space left on device (os error 28)")
        raise duckdb.IOException(
            'IO Error: Could not write file "agg_muni_month.parquet": No space left on device'
        )

    before = store.current_version(data_dir)
    monkeypatch.setattr(isolate, "run", isolate.inline)  # the import's child would not see the patch
    if writer == "polars":
        monkeypatch.setattr(pl.DataFrame, "write_parquet", fail)
    else:
        monkeypatch.setattr(aggregates, "write_aggregates", fail)
    path = _export(tmp_path, "marts.csv", make_frame(months=[MAR]))
    code = cli.main(["--data-dir", str(data_dir), "import", str(path), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert "Intet er importeret" in err and "den nye version kunne ikke skrives" in err
    assert "ikke plads på disken" in err
    monkeypatch.undo()
    assert store.current_version(data_dir) == before
    assert [p.name for p in (store.joblog_dir(data_dir) / "versions").iterdir()] == [before]
    assert audit.read_entries(data_dir) == []
    assert cli.main(["--data-dir", str(data_dir), "verify"]) == 0
    assert _sorted(_facts(data_dir)).equals(_sorted(make_frame(months=[JAN, FEB])))


def test_replacing_the_demo_logs_every_demo_row_as_removed_and_replaced(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    demo = make_frame(months=[JAN, FEB], codes=[101, 147, 751, 461])
    write_dataset(data_dir, demo, kind="demo")
    real = make_frame(months=[MAR], codes=[147])
    report = service.import_file(_export(tmp_path, "rigtige.csv", real), data_dir=data_dir)
    (entry,) = audit.read_entries(data_dir)
    assert (entry.added, entry.changed, entry.removed, entry.replaced) == (
        real.height,
        0,
        demo.height,
        demo.height,
    )
    assert (report.removed, report.replaced) == (demo.height, demo.height)
    # A revision then replaces the rows it changes or removes.
    revised = real.with_columns(pl.col("persons_1_5") + 1, pl.col("persons") + 1, pl.col("job_searches") + 2)
    service.import_file(_export(tmp_path, "revision.csv", revised), data_dir=data_dir)
    newest = audit.read_entries(data_dir)[0]
    assert (newest.added, newest.changed, newest.removed, newest.replaced) == (0, real.height, 0, real.height)


def test_audit_lines_from_before_phases_still_read(tmp_path: Path) -> None:
    old = {
        "at": "2026-11-01T10:00:00+00:00",
        "actor": "anna@ministeriet.dk",
        "action": "import",
        "file": "a.csv",
        "sha256": "ab",
        "added": 3,
        "changed": 0,
        "removed": 0,
        "version_before": None,
        "version_after": "v1",
    }
    path = audit.audit_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(old) + "\n" + json.dumps({**old, "version_after": "v2"}) + "\n")
    newest, oldest = audit.read_entries(tmp_path)
    assert (newest.version_after, oldest.version_after) == ("v2", "v1")
    assert (oldest.phase, oldest.replaced, oldest.change) == ("done", 0, "")


# --- joblog-dash verify ---


def test_verify_names_the_damaged_file_and_exits_non_zero(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = store.current_version(data_dir)
    service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    broken = store.current_version(data_dir)
    assert cli.main(["--data-dir", str(data_dir), "verify"]) == 0
    out = capsys.readouterr().out
    assert f"  {good}  ok" in out and f"* {broken}  ok" in out
    aggregate = store.version_dir(broken, data_dir) / "agg_national_cells.parquet"
    raw = bytearray(aggregate.read_bytes())
    raw[len(raw) // 3] ^= 0x01  # one bit, well before the footer
    aggregate.write_bytes(bytes(raw))
    assert cli.main(["--data-dir", str(data_dir), "verify"]) == 1
    captured = capsys.readouterr()
    assert f"* {broken}  BESKADIGET" in captured.out and f"  {good}  ok" in captured.out
    assert "agg_national_cells.parquet er ødelagt (kontrolsummen passer ikke" in captured.out
    assert "1 version(er) er beskadiget" in captured.err
    # A version written before checksums were kept: rows checked, and said so.
    manifest_path = store.version_dir(good, data_dir) / "manifest.json"
    manifest_path.write_text(
        json.dumps({k: v for k, v in json.loads(manifest_path.read_text()).items() if k != "checksums"})
    )
    cli.main(["--data-dir", str(data_dir), "verify"])
    assert f"  {good}  ok (ingen kontrolsum: kun rækkerne er kontrolleret)" in capsys.readouterr().out
    # Nothing to check is no success either.
    assert cli.main(["--data-dir", str(tmp_path / "empty"), "verify"]) == 1
    assert "Intet datasæt" in capsys.readouterr().err


def test_kommuner_shows_the_previous_version_when_persons_0_exceeds_persons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A version written before checksums were kept, whose stored sums say more persons without a job
    search than persons (the page raised a ValueError on it)."""
    data_dir = tmp_path / "data"
    good = write_dataset(data_dir, make_frame(months=[JAN])).version
    damaged = write_dataset(data_dir, make_frame(months=[JAN, FEB])).version
    folder = store.version_dir(damaged, data_dir)
    cells = pl.read_parquet(folder / "agg_muni_month.parquet")
    latest = pl.col("month") == cells["month"].max()
    cells.with_columns(
        pl.when(latest).then(pl.col("persons") + 7).otherwise(pl.col("persons_0")).alias("persons_0")
    ).write_parquet(folder / "agg_muni_month.parquet")
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["checksums"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("JOBLOG_DATA_DIR", str(data_dir))
    at = AppTest.from_file(str(config.PACKAGE_ROOT / "app.py"), default_timeout=60)
    at.switch_page("pages/1_kommuner.py")
    at.run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert good in warnings and "agg_muni_month.parquet har rækker, der bryder reglerne" in warnings


def test_demo_build_on_a_full_disk_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*_args: object, **_kwargs: object) -> None:
        raise duckdb.IOException("IO Error: No space left on device")

    monkeypatch.setattr(aggregates, "write_aggregates", fail)
    monkeypatch.setattr(demo, "generate", lambda **_kwargs: make_frame())  # the write is what fails
    assert cli.main(["--data-dir", str(tmp_path), "demo"]) == 2
    err = capsys.readouterr().err
    assert "Fejl: den nye version kunne ikke skrives (der er ikke plads på disken" in err
    assert store.current_version(tmp_path) is None and store.version_folders(tmp_path) == []


def test_a_done_line_that_cannot_be_written_leaves_the_change_recorded_by_its_intent(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = audit._append
    lines: list[bytes] = []

    def append(path: Path, line: bytes) -> None:
        lines.append(line)
        if len(lines) > 1:  # the intent got through, then the disk filled up
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, line)

    monkeypatch.setattr(audit, "_append", append)
    report = service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    monkeypatch.undo()
    assert store.current_version(data_dir) == report.version  # the change was made, and is logged
    (entry,) = audit.read_entries(data_dir)
    assert (entry.phase, entry.version_after, entry.added) == ("intent", report.version, 3)


def test_the_next_import_removes_an_old_version_that_never_became_current(
    data_dir: Path, tmp_path: Path
) -> None:
    left = store.stage_version(make_frame(months=[APR]), kind="real", source="crashed", data_dir=data_dir)
    recent = store.stage_version(
        make_frame(months=[APR], seed=3), kind="real", source="now", data_dir=data_dir
    )
    hours_ago = time.time() - 2 * service.STALE_STAGING_SECONDS
    os.utime(store.version_dir(left.version, data_dir), (hours_ago, hours_ago))
    service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    assert not store.version_dir(left.version, data_dir).exists()
    assert store.pending_versions(data_dir) == [recent.version]  # maybe still being written: kept


def test_a_rollback_whose_switch_fails_says_so_and_changes_nothing(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first = store.current_version(data_dir)
    service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    second = store.current_version(data_dir)
    full_disk_for_current(monkeypatch)
    assert cli.main(["--data-dir", str(data_dir), "rollback"]) == 1
    err = capsys.readouterr().err
    assert f"skiftet til version {first} mislykkedes (der er ikke plads på disken" in err
    assert "Traceback" not in err
    monkeypatch.undo()
    assert store.current_version(data_dir) == second
    assert [m.version for m in store.list_versions(data_dir)] == [first, second]  # both kept
    assert [(e.action, e.phase) for e in audit.read_entries(data_dir)] == [
        ("rollback", "aborted"),
        ("import", "done"),
    ]
