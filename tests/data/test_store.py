"""Versioned datasets: atomic switch of CURRENT, kept versions, rollback, refusal of invalid data."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
from helpers import full_disk_for_current
from importfixtures import make_big_frame, make_frame, write_dataset

from joblog_dash.data import aggregates, schema, store, warehouse
from joblog_dash.data.reference import TOTAL


def facts(
    persons_0: int = 1, months: tuple[date, ...] = (date(2019, 1, 1), date(2019, 2, 1))
) -> pl.DataFrame:
    """A tiny valid table: one municipality, kontanthjælp, no breakdowns, one row a month."""
    n = len(months)
    return pl.DataFrame(
        {
            "month": list(months),
            "municipality_code": [101] * n,
            "benefit_group": ["kontanthjaelp"] * n,
            "gender": [TOTAL] * n,
            "age_group": [TOTAL] * n,
            "origin": [TOTAL] * n,
            "persons": [10] * n,
            "persons_0": [persons_0] * n,
            "persons_1_5": [4] * n,
            "persons_6plus": [6 - persons_0] * n,
            "job_searches": [4 * 2 + (6 - persons_0) * 10] * n,
        }
    )


def test_write_version_makes_it_current(tmp_path: Path):
    manifest = store.write_version(facts(), kind="demo", source="test", data_dir=tmp_path)
    assert store.current_version(tmp_path) == manifest.version
    assert (tmp_path / "joblog" / "CURRENT").read_text().strip() == manifest.version
    facts_path, manifest_path = store.current_paths(tmp_path)
    assert facts_path == tmp_path / "joblog" / "versions" / manifest.version / "facts.parquet"
    assert pl.read_parquet(facts_path).equals(schema.conform(facts()))
    assert store.read_manifest(manifest_path) == manifest
    assert (manifest.rows, manifest.first_month, manifest.last_month) == (2, "2019-01-01", "2019-02-01")
    assert manifest.benefit_groups == ["kontanthjaelp"] and manifest.is_demo
    assert store.current_manifest(tmp_path) == manifest


def test_dataset_files_are_readable_by_others(tmp_path: Path):
    # The app may run as another user than the importer; mkstemp alone would leave 0600 files.
    manifest = store.write_version(facts(), kind="real", source="test", data_dir=tmp_path)
    folder = store.version_dir(manifest.version, tmp_path)
    for path in (folder, folder / "facts.parquet", folder / "manifest.json", tmp_path / "joblog" / "CURRENT"):
        assert os.stat(path).st_mode & stat.S_IROTH, path


def test_new_version_keeps_previous_and_rollback_works(tmp_path: Path):
    first = store.write_version(facts(persons_0=1), kind="demo", source="first", data_dir=tmp_path)
    second = store.write_version(facts(persons_0=2), kind="real", source="second", data_dir=tmp_path)
    assert first.version != second.version
    assert store.current_version(tmp_path) == second.version
    assert store.version_dir(first.version, tmp_path).is_dir()  # previous version kept
    assert [m.version for m in store.list_versions(tmp_path)] == [first.version, second.version]

    assert store.activate(first.version, tmp_path) == first
    assert store.current_version(tmp_path) == first.version
    assert pl.read_parquet(store.current_paths(tmp_path)[0])["persons_0"].to_list() == [1, 1]
    assert store.activate(second.version, tmp_path).source == "second"


def test_activate_unknown_version_refused(tmp_path: Path):
    first = store.write_version(facts(), kind="demo", source="test", data_dir=tmp_path)
    with pytest.raises(store.DatasetMissingError):
        store.activate("no-such-version", tmp_path)
    assert store.current_version(tmp_path) == first.version


def test_invalid_frame_refused_and_current_unchanged(tmp_path: Path):
    good = store.write_version(facts(), kind="demo", source="good", data_dir=tmp_path)
    bad = facts().with_columns(persons=pl.lit(99))  # persons no longer equals the three categories
    with pytest.raises(ValueError, match="persons != persons_0"):
        store.write_version(bad, kind="real", source="bad", data_dir=tmp_path)
    assert store.current_version(tmp_path) == good.version
    assert [m.version for m in store.list_versions(tmp_path)] == [good.version]
    # Nothing half-written is left behind.
    assert [p.name for p in (tmp_path / "joblog" / "versions").iterdir()] == [good.version]


def test_leftover_staging_and_incomplete_dirs_are_ignored(tmp_path: Path):
    good = store.write_version(facts(), kind="demo", source="good", data_dir=tmp_path)
    versions = tmp_path / "joblog" / "versions"
    # A crash mid-write leaves a staging folder (complete files, but never renamed) ...
    staging = versions / ".staging-20990101T000000000000-real-abc"
    staging.mkdir()
    store.write_facts(facts(), staging / "facts.parquet")
    (staging / "manifest.json").write_text(
        (store.version_dir(good.version, tmp_path) / "manifest.json").read_text()
    )
    # ... and a folder without a manifest is not a version either.
    (versions / "20990101T000000000000-real").mkdir()
    assert [m.version for m in store.list_versions(tmp_path)] == [good.version]
    assert store.current_version(tmp_path) == good.version
    assert store.current_paths(tmp_path)[0].parent.name == good.version


def test_missing_dataset_message_names_path_and_command(tmp_path: Path):
    with pytest.raises(store.DatasetMissingError) as info:
        store.current_paths(tmp_path)
    # Every visitor reads the message: the commands, no server path; the operator's detail says where.
    assert "joblog-dash demo" in str(info.value) and str(tmp_path) not in str(info.value)
    detail = info.value.detail
    assert str(tmp_path / "joblog") in detail
    assert f"joblog-dash demo --data-dir {tmp_path}" in detail
    assert store.list_versions(tmp_path) == []
    assert store.current_version(tmp_path) is None


def test_current_pointing_at_deleted_version(tmp_path: Path):
    (tmp_path / "joblog").mkdir()
    (tmp_path / "joblog" / "CURRENT").write_text("gone\n")
    with pytest.raises(store.DatasetMissingError, match="gone"):
        store.current_paths(tmp_path)


def test_write_facts_is_deterministic_whatever_the_row_order(tmp_path: Path):
    frame = facts()
    store.write_facts(frame, tmp_path / "a.parquet")
    store.write_facts(frame.reverse(), tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_default_data_dir_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("JOBLOG_DATA_DIR", str(tmp_path))
    manifest = store.write_version(facts(), kind="demo", source="env", data_dir=None)
    assert store.current_version(tmp_path) == manifest.version


# --- checksums, row invariants and versions that never became current ---


def _fresh_process() -> None:
    """Forget what this process has checked and opened, as a newly started worker would."""
    store._checked.clear()
    warehouse._fallbacks.clear()
    warehouse._open.cache_clear()


def _data_page_offsets(path: Path) -> list[tuple[str, int]]:
    """(column, byte offset) in the middle of each column chunk's data pages: past any dictionary page,
    well before the footer."""
    metadata = pq.read_metadata(path)
    offsets = []
    for group in range(metadata.num_row_groups):
        for column in range(metadata.num_columns):
            chunk = metadata.row_group(group).column(column)
            start = chunk.dictionary_page_offset or chunk.data_page_offset
            end = start + chunk.total_compressed_size
            offsets.append((chunk.path_in_schema, (chunk.data_page_offset + end) // 2))
    return offsets


def test_manifest_holds_the_sha256_of_every_data_file(tmp_path: Path):
    manifest = store.write_version(facts(), kind="real", source="test", data_dir=tmp_path)
    folder = store.version_dir(manifest.version, tmp_path)
    files = sorted(p.name for p in folder.iterdir() if p.suffix == ".parquet")
    assert files == ["agg_muni_month.parquet", "agg_national_cells.parquet", "facts.parquet"]
    expected = {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in files}
    assert manifest.checksums == expected
    assert store.read_manifest(folder / "manifest.json").checksums == expected


@pytest.mark.parametrize("name", ["facts.parquet", "agg_muni_month.parquet", "agg_national_cells.parquet"])
def test_a_flipped_byte_in_any_data_page_is_caught_and_the_previous_version_served(tmp_path: Path, name: str):
    previous = write_dataset(tmp_path, make_big_frame(1))
    damaged = write_dataset(tmp_path, make_big_frame(2))
    path = store.version_dir(damaged.version, tmp_path) / name
    original = path.read_bytes()
    footer_start = len(original) - 8 - int.from_bytes(original[-8:-4], "little")
    offsets = _data_page_offsets(path)
    assert len(offsets) >= 5
    for column, offset in offsets:
        assert offset < footer_start  # the footer (and so every parquet reader's first look) stays intact
        flipped = bytearray(original)
        flipped[offset] ^= 0xFF
        path.write_bytes(bytes(flipped))
        _fresh_process()
        with pytest.raises(store.DatasetMissingError, match=f"{name} er ødelagt") as caught:
            store.check_version(damaged.version, tmp_path)
        assert damaged.version in str(caught.value), column
        db = warehouse.open_db(tmp_path)
        assert db.manifest.version == previous.version, column
        assert db.problem and name in db.problem and str(tmp_path) not in db.problem
        assert str(tmp_path) in (db.problem_detail or "")  # the detail, for administrators, says where
        assert db.sql("SELECT count(*) AS n FROM facts")["n"][0] == previous.rows
    path.write_bytes(original)
    _fresh_process()
    assert warehouse.open_db(tmp_path).manifest.version == damaged.version


def _rewrite(path: Path, change: pl.Expr, column: str) -> None:
    """Rewrite one parquet with `column` changed in its first row, as a damaged or buggy write would."""
    frame = pl.read_parquet(path)
    first = pl.int_range(pl.len()) == 0
    frame.with_columns(pl.when(first).then(change).otherwise(pl.col(column)).alias(column)).write_parquet(
        path
    )


@pytest.mark.parametrize("name", ["facts.parquet", "agg_muni_month.parquet"])
@pytest.mark.parametrize("checksums", ["none (an older version)", "rewritten to match"])
def test_persons_0_above_persons_is_caught_even_where_the_checksum_matches(
    tmp_path: Path, name: str, checksums: str
):
    previous = write_dataset(tmp_path, make_frame(months=[date(2018, 1, 1)]))
    damaged = write_dataset(tmp_path, make_frame(months=[date(2018, 1, 1), date(2018, 2, 1)]))
    folder = store.version_dir(damaged.version, tmp_path)
    _rewrite(folder / name, pl.col("persons") + 7, "persons_0")
    manifest_path = folder / "manifest.json"
    raw = json.loads(manifest_path.read_text())
    if checksums.startswith("none"):
        del raw["checksums"]
    else:
        raw["checksums"][name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(raw))
    # The rule is broken, independently of the code under test: persons_0 exceeds persons in one row.
    assert pl.read_parquet(folder / name).filter(pl.col("persons_0") > pl.col("persons")).height == 1
    _fresh_process()
    with pytest.raises(store.DatasetMissingError, match=f"{name} har rækker, der bryder reglerne"):
        store.check_version(damaged.version, tmp_path)
    db = warehouse.open_db(tmp_path)
    assert db.manifest.version == previous.version and db.problem and name in db.problem


def test_a_version_without_checksums_is_read_and_checked_by_its_rows(tmp_path: Path):
    old = write_dataset(tmp_path, make_frame())
    manifest_path = store.version_dir(old.version, tmp_path) / "manifest.json"
    raw = json.loads(manifest_path.read_text())
    del raw["checksums"]  # as written before checksums were kept
    manifest_path.write_text(json.dumps(raw))
    _fresh_process()
    result = store.verify_folder(manifest_path.parent, thorough=True)
    assert result.ok and not result.checksummed
    assert warehouse.open_db(tmp_path).problem is None


def test_a_stranger_file_in_a_version_is_damage(tmp_path: Path):
    manifest = write_dataset(tmp_path, make_frame())
    folder = store.version_dir(manifest.version, tmp_path)
    (folder / "agg_extra.parquet").write_bytes((folder / "agg_muni_month.parquet").read_bytes())
    with pytest.raises(store.DatasetMissingError, match="agg_extra.parquet står ikke i manifestet"):
        store.check_version(manifest.version, tmp_path)


def test_a_version_that_never_became_current_is_no_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    good = write_dataset(tmp_path, make_frame())
    full_disk_for_current(monkeypatch)
    with pytest.raises(store.WriteError, match="ikke plads på disken"):
        store.write_version(make_frame(months=[date(2018, 3, 1)]), kind="real", source="x", data_dir=tmp_path)
    monkeypatch.undo()
    assert store.current_version(tmp_path) == good.version
    assert [p.name for p in (tmp_path / "joblog" / "versions").iterdir()] == [good.version]  # removed
    # One left by a crash between writing and switching is never listed, activated or a fallback.
    staged = store.stage_version(make_frame(seed=1), kind="real", source="staged", data_dir=tmp_path)
    assert store.pending_versions(tmp_path) == [staged.version]
    assert [m.version for m in store.list_versions(tmp_path)] == [good.version]
    with pytest.raises(store.DatasetMissingError, match="aldrig blevet gjort aktiv"):
        store.activate(staged.version, tmp_path)
    (store.version_dir(good.version, tmp_path) / "facts.parquet").write_bytes(b"PAR1 broken")
    assert store.fallback_version(tmp_path) is None
    with pytest.raises(store.DatasetMissingError):
        warehouse.open_db(tmp_path)
    # Once made current it is a version like any other, and stays one after the next switch.
    store.commit(staged.version, tmp_path)
    assert store.pending_versions(tmp_path) == [] and store.list_versions(tmp_path)[-1] == staged
    assert not (store.version_dir(staged.version, tmp_path) / store.PENDING_FILE).exists()


@pytest.mark.parametrize(
    "error",
    [
        pl.exceptions.ComputeError("failed to write parquet: No space left on device (os error 28)"),
        duckdb.IOException('IO Error: Could not write file "agg.parquet": No space left on device'),
    ],
)
def test_a_writer_error_that_is_not_an_oserror_is_a_clear_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
):
    good = write_dataset(tmp_path, make_frame())

    def failing(*_args: object, **_kwargs: object) -> None:
        raise error

    target = (
        (pl.DataFrame, "write_parquet")
        if isinstance(error, pl.exceptions.PolarsError)
        else (aggregates, "write_aggregates")
    )
    monkeypatch.setattr(*target, failing)
    with pytest.raises(store.WriteError, match="den nye version kunne ikke skrives .*ikke plads på disken"):
        store.write_version(make_frame(seed=2), kind="real", source="x", data_dir=tmp_path)
    monkeypatch.undo()
    assert store.current_version(tmp_path) == good.version
    assert [p.name for p in (tmp_path / "joblog" / "versions").iterdir()] == [good.version]
    assert store.verify_folder(store.version_dir(good.version, tmp_path), thorough=True).ok
