"""Faults with nothing lost: concurrent imports, a damaged current version, a full disk, open sessions
during an import, and the audit log of every change (issue 12, points 3 and 4)."""

from __future__ import annotations

import errno
import getpass
import json
import subprocess
import sys
import threading
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from importfixtures import make_frame, write_dataset
from streamlit.testing.v1 import AppTest

from joblog_dash import config
from joblog_dash.data import audit, store, warehouse
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing import service

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
    """Make the first write_version wait inside the import lock until released."""
    entered, release = threading.Event(), threading.Event()
    real = store.write_version
    calls = [0]

    def write_version(*args, **kwargs):
        calls[0] += 1
        if calls[0] == 1:
            entered.set()
            assert release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "write_version", write_version)
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


def test_pages_warn_and_show_the_last_good_version(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = store.current_version(data_dir)
    service.import_file(_export(tmp_path, "marts.csv", make_frame(months=[MAR])), data_dir=data_dir)
    _break(data_dir, "garbage")
    monkeypatch.setenv("JOBLOG_DATA_DIR", str(data_dir))
    for page in (None, "pages/5_om_tallene.py"):
        at = AppTest.from_file(str(config.PACKAGE_ROOT / "app.py"), default_timeout=60)
        if page:
            at.switch_page(page)
        at.run()
        assert not at.exception, at.exception
        warnings = " ".join(w.value for w in at.warning)
        assert "kan ikke læses" in warnings and good in warnings


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
    assert imported.sha256 == service.sha256_of(path)
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
