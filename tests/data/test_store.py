"""Versioned datasets: atomic switch of CURRENT, kept versions, rollback, refusal of invalid data."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from joblog_dash.data import schema, store
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
    message = str(info.value)
    assert str(tmp_path / "joblog") in message
    assert f"joblog-dash demo --data-dir {tmp_path}" in message
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
