"""All or nothing, demo never mixed with real figures, revisions, versions/rollback, kill mid-import."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from importfixtures import make_big_frame, make_frame, tree_checksum, write_dataset

from joblog_dash import config
from joblog_dash.data import reference, store
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing import service

JAN, FEB, MAR = date(2018, 1, 1), date(2018, 2, 1), date(2018, 3, 1)


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "joblog_dash.cli", "--data-dir", str(data_dir), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=config.PACKAGE_ROOT)


def _current_facts(data_dir: Path) -> pl.DataFrame:
    return pl.read_parquet(store.current_paths(data_dir)[0])


def test_first_real_import_replaces_demo_entirely(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    write_dataset(data_dir, make_frame(codes=[101, 147, 751, 461]), kind="demo")
    real = make_frame(codes=[147], months=[MAR])
    path = tmp_path / "rigtige tal.csv"
    path.write_bytes(ji.to_jobindsats_csv(real))
    done = _cli(data_dir, "import", str(path), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "Demodata er erstattet helt" in done.stdout
    assert _current_facts(data_dir).equals(real)
    manifest = store.current_manifest(data_dir)
    assert manifest.kind == "real" and not manifest.is_demo and manifest.source == "rigtige tal.csv"
    assert manifest.files[-1]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert manifest.files[-1]["first_month"] == "2018-03" and manifest.files[-1]["rows"] == "1"
    assert manifest.details["replaced_demo"] is True


def test_revision_replaces_overlapping_months_and_reports_changes(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    old = pl.concat(
        [
            make_frame(months=[JAN, FEB], codes=[101, 751]),
            make_frame(months=[JAN, FEB], codes=[147], genders=("Kvinder", "Mænd")),
        ]
    )
    write_dataset(data_dir, old)
    new = (
        make_frame(months=[FEB, MAR], codes=[101, 147, 751])
        .with_columns(
            (
                pl.col("persons_0")
                + pl.when((pl.col("month") == FEB) & (pl.col("municipality_code") == 101))
                .then(50)
                .otherwise(0)
            ).alias("persons_0")
        )
        .with_columns(
            (pl.col("persons_0") + pl.col("persons_1_5") + pl.col("persons_6plus")).alias("persons")
        )
    )
    path = tmp_path / "revision.csv"
    path.write_bytes(ji.to_jobindsats_csv(new))
    report = service.import_file(path, data_dir=data_dir)
    assert (report.added, report.changed, report.removed) == (4, 1, 2)
    top = report.largest_changes[0]
    assert (top["kommune"], top["måned"], top["uden jobsøgning nu"] - top["uden jobsøgning før"]) == (
        "København",
        "2018-02",
        50,
    )
    facts = _current_facts(data_dir)
    assert facts.filter(pl.col("month") == JAN).equals(
        old.filter(pl.col("month") == JAN).sort(facts.columns[:6])
    )
    assert facts.filter(pl.col("month") != JAN).equals(new.filter(pl.col("month") != JAN))
    assert len(store.current_manifest(data_dir).files) == 1  # the first version came from write_dataset


def test_dry_run_and_unchanged_reimport_write_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    path = tmp_path / "fil.csv"
    path.write_bytes(ji.to_jobindsats_csv(make_frame()))
    service.import_file(path, data_dir=data_dir)
    before = tree_checksum(data_dir)
    dry = _cli(data_dir, "import", str(path), "--dry-run", "--quiet")
    assert dry.returncode == 0 and "intet er skrevet" in dry.stdout
    again = service.import_file(path, data_dir=data_dir)
    assert again.version is None and again.unchanged
    assert tree_checksum(data_dir) == before


def test_versions_and_rollback(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = write_dataset(data_dir, kind="demo")
    path = tmp_path / "a.csv"
    path.write_bytes(ji.to_jobindsats_csv(make_frame(codes=[461])))
    second = service.import_file(path, data_dir=data_dir).version
    listing = _cli(data_dir, "versions")
    assert listing.returncode == 0
    assert (
        f"* {second}" in listing.stdout
        and f"  {first.version}" in listing.stdout
        and "demo" in listing.stdout
    )
    back = _cli(data_dir, "rollback")
    assert back.returncode == 0 and first.version in back.stdout
    assert store.current_version(data_dir) == first.version and store.current_manifest(data_dir).is_demo
    with pytest.raises(store.DatasetMissingError, match="findes ikke"):
        service.rollback("../../etc", data_dir)
    assert service.rollback(second, data_dir).version == second
    assert store.current_version(data_dir) == second


def test_one_import_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "LOCK_WAIT_SECONDS", 0.2)  # the second one waits this long, then is refused
    data_dir = tmp_path / "data"
    write_dataset(data_dir)
    path = tmp_path / "fil.csv"
    path.write_bytes(ji.to_jobindsats_csv(make_frame(codes=[461])))
    with service.import_lock(data_dir), pytest.raises(service.ImportRefused, match="anden import"):
        service.import_file(path, data_dir=data_dir)


def _version_checksum(folder: Path) -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.iterdir()))).hexdigest()


@pytest.fixture(scope="module")
def big_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "stor.csv"
    path.write_bytes(ji.to_jobindsats_csv(make_big_frame(12)))  # 176,400 rows, about 20 MB
    return path


def _wait_for(condition, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.002)
    return False


@pytest.mark.parametrize("kill_point", ["after-1.0s", "staging-appears", "version-appears"])
def test_kill_during_import_leaves_previous_dataset_readable(
    tmp_path: Path, big_export: Path, kill_point: str
) -> None:
    data_dir = tmp_path / "data"
    previous = write_dataset(data_dir, make_frame())
    old_folder = store.version_dir(previous.version, data_dir)
    old_sum = _version_checksum(old_folder)
    versions_root = store.joblog_dir(data_dir) / "versions"
    env = {**os.environ, "PYTHONPATH": str(config.PACKAGE_ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "joblog_dash.cli",
            "--data-dir",
            str(data_dir),
            "import",
            str(big_export),
            "--quiet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        if kill_point.startswith("after-"):
            time.sleep(float(kill_point[6:-1]))
        elif kill_point == "staging-appears":
            assert _wait_for(lambda: any(versions_root.glob(".staging-*")), 60)
        else:
            assert _wait_for(
                lambda: len([p for p in versions_root.iterdir() if not p.name.startswith(".")]) > 1, 60
            )
        assert process.poll() is None, "the import finished before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    current = store.current_manifest(data_dir)
    facts = _current_facts(data_dir)  # readable, whichever version CURRENT names
    assert _version_checksum(old_folder) == old_sum
    if kill_point != "version-appears":
        assert current.version == previous.version and facts.equals(make_frame())
    assert [m.version for m in store.list_versions(data_dir)][0] == previous.version
    # The next import works despite anything the killed one left behind.
    small = tmp_path / "lille.csv"
    small.write_bytes(ji.to_jobindsats_csv(make_frame(codes=[461])))
    assert service.import_file(small, data_dir=data_dir).version is not None


def test_reference_municipality_names_resolve_to_themselves() -> None:
    # The writer uses reference names; the round trip depends on each one resolving back to its code.
    for code, name in reference.municipalities().select("code", "name").iter_rows():
        assert reference.resolve_municipality(name) == code
