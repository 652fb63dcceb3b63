"""Versioned datasets on disk, switched atomically.

Layout under the data directory::

    joblog/CURRENT                      name of the active version (replaced atomically)
    joblog/versions/<version>/facts.parquet
    joblog/versions/<version>/manifest.json
    joblog/versions/<version>/agg_*.parquet   derived aggregates (optional; rebuilt in memory if absent)

A new version is written completely in its own folder before CURRENT points to it, so a crash at any
moment leaves the previous dataset readable.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from joblog_dash import config
from joblog_dash.data import aggregates, schema

FACTS_FILE = "facts.parquet"
MANIFEST_FILE = "manifest.json"


class DatasetMissingError(RuntimeError):
    """No readable dataset in the data directory; the message says where and how to build one."""


@dataclass
class Manifest:
    version: str
    kind: str  # "demo" or "real"
    source: str  # human description, e.g. "Demodata (syntetisk), seed 2018" or the imported file name
    created_at: str
    rows: int
    first_month: str
    last_month: str
    benefit_groups: list[str]
    files: list[dict[str, str]] = field(default_factory=list)  # [{"name": ..., "sha256": ...}]
    details: dict[str, object] = field(default_factory=dict)

    @property
    def is_demo(self) -> bool:
        return self.kind == "demo"


def joblog_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or config.data_dir()) / "joblog"


def _current_file(data_dir: Path | None) -> Path:
    return joblog_dir(data_dir) / "CURRENT"


def current_version(data_dir: Path | None = None) -> str | None:
    try:
        name = _current_file(data_dir).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name or None


def version_dir(version: str, data_dir: Path | None = None) -> Path:
    return joblog_dir(data_dir) / "versions" / version


def missing_message(data_dir: Path | None = None) -> str:
    where = joblog_dir(data_dir)
    return (
        f"Intet datasæt i {where}. Byg demodata med `joblog-dash demo --data-dir {where.parent}` "
        "(eller `make run`), eller importér en eksport med `joblog-dash import FIL`."
    )


_resolved: dict[Path, tuple[tuple[int, int, int], tuple[Path, Path]]] = {}


def current_paths(data_dir: Path | None = None) -> tuple[Path, Path]:
    """(facts parquet, manifest) of the active version; raises DatasetMissingError with a clear message.

    Every page rerun asks this several times; while the CURRENT file is the same file (CURRENT is only ever
    replaced by a rename, which gives it a new inode) the answer is remembered, so a rerun costs one stat."""
    pointer = _current_file(data_dir)
    try:
        info = pointer.stat()
    except FileNotFoundError:
        raise DatasetMissingError(missing_message(data_dir)) from None
    key = (info.st_ino, info.st_mtime_ns, info.st_size)
    known = _resolved.get(pointer)
    if known is not None and known[0] == key:
        return known[1]
    paths = _resolve_current(data_dir)
    _resolved[pointer] = (key, paths)
    return paths


def _resolve_current(data_dir: Path | None) -> tuple[Path, Path]:
    version = current_version(data_dir)
    if version is None:
        raise DatasetMissingError(missing_message(data_dir))
    folder = version_dir(version, data_dir)
    facts, manifest = folder / FACTS_FILE, folder / MANIFEST_FILE
    if not facts.is_file() or not manifest.is_file():
        raise DatasetMissingError(
            f"Datasættet {folder} mangler {FACTS_FILE} eller {MANIFEST_FILE}. " + missing_message(data_dir)
        )
    return facts, manifest


def read_manifest(path: Path) -> Manifest:
    try:
        return Manifest(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError) as exc:
        raise DatasetMissingError(f"Kan ikke læse {path}: {exc}") from exc


def current_manifest(data_dir: Path | None = None) -> Manifest:
    return read_manifest(current_paths(data_dir)[1])


def _new_version_name(kind: str) -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{stamp}-{kind}"


def _atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the dataset must be readable by the app's user
        os.replace(tmp, path)
    except BaseException:  # e.g. a full disk: leave the old file and no temporary behind
        Path(tmp).unlink(missing_ok=True)
        raise


def write_facts(frame: pl.DataFrame, path: Path) -> None:
    """Write the canonical table with fixed settings, so equal data gives byte-identical parquet."""
    schema.conform(frame).write_parquet(
        path, compression="zstd", compression_level=3, statistics=True, row_group_size=256_000
    )


def _write_derived(folder: Path) -> None:
    """Pre-aggregated tables beside the facts, so opening a version does not scan all its rows."""

    aggregates.write_aggregates(folder / FACTS_FILE, folder)


def write_version(
    frame: pl.DataFrame,
    *,
    kind: str,
    source: str,
    files: list[dict[str, str]] | None = None,
    details: dict[str, object] | None = None,
    data_dir: Path | None = None,
) -> Manifest:
    """Write a complete new version beside the old ones and make it current in one atomic step."""
    frame = schema.conform(frame)
    problems = schema.invariant_violations(frame)
    if problems:
        raise ValueError(f"Refusing to write an invalid dataset: {problems}")
    months = frame["month"]
    version = _new_version_name(kind)
    summary = (frame.height, str(months.min()), str(months.max()), frame["benefit_group"].unique().to_list())

    def write(folder: Path) -> tuple[int, str, str, list[str]]:
        write_facts(frame, folder / FACTS_FILE)
        return summary

    return _publish(write, version, kind, source, files, details, data_dir)


def write_version_parts(
    parts: Iterable[pl.DataFrame],
    *,
    kind: str,
    source: str,
    files: list[dict[str, str]] | None = None,
    details: dict[str, object] | None = None,
    data_dir: Path | None = None,
) -> Manifest:
    """Like write_version for a table too large for memory, given as parts with disjoint benefit groups.

    Each part is conformed, checked and appended to one facts.parquet as its own row groups, so memory
    holds one part at a time. Rows end up sorted by key within each part (not across parts)."""
    version = _new_version_name(kind)

    def write(folder: Path) -> tuple[int, str, str, list[str]]:
        rows, first, last, groups = 0, "9999-12-31", "0000-01-01", []
        writer: pq.ParquetWriter | None = None
        try:
            for part in parts:
                part = schema.conform(part)
                problems = schema.invariant_violations(part)
                part_groups = part["benefit_group"].unique().to_list()
                if problems or set(part_groups) & set(groups):
                    raise ValueError(f"Refusing to write an invalid part: {problems or part_groups}")
                table = part.to_arrow()
                if writer is None:
                    writer = pq.ParquetWriter(
                        folder / FACTS_FILE, table.schema, compression="zstd", compression_level=3
                    )
                writer.write_table(table, row_group_size=256_000)
                rows, groups = rows + part.height, groups + part_groups
                first, last = min(first, str(part["month"].min())), max(last, str(part["month"].max()))
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise ValueError("Refusing to write an empty dataset")
        return rows, first, last, groups

    return _publish(write, version, kind, source, files, details, data_dir)


def _publish(
    write: Callable[[Path], tuple[int, str, str, list[str]]],
    version: str,
    kind: str,
    source: str,
    files: list[dict[str, str]] | None,
    details: dict[str, object] | None,
    data_dir: Path | None,
) -> Manifest:
    """Write a version into a staging folder with `write`, then make it current in one atomic step."""
    versions_root = joblog_dir(data_dir) / "versions"
    versions_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=versions_root, prefix=f".staging-{version}-"))
    try:
        staging.chmod(0o755)
        rows, first, last, groups = write(staging)
        _write_derived(staging)
        manifest = Manifest(
            version=version,
            kind=kind,
            source=source,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            rows=rows,
            first_month=first,
            last_month=last,
            benefit_groups=sorted(groups),
            files=files or [],
            details=details or {},
        )
        _atomic_write_text(
            staging / MANIFEST_FILE, json.dumps(asdict(manifest), ensure_ascii=False, indent=2)
        )
        os.replace(staging, versions_root / version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _atomic_write_text(_current_file(data_dir), version + "\n")
    return manifest


def list_versions(data_dir: Path | None = None) -> list[Manifest]:
    """All complete versions, oldest first."""
    root = joblog_dir(data_dir) / "versions"
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        if (folder / FACTS_FILE).is_file() and (folder / MANIFEST_FILE).is_file():
            try:
                found.append(read_manifest(folder / MANIFEST_FILE))
            except DatasetMissingError:
                continue
    return found


def activate(version: str, data_dir: Path | None = None) -> Manifest:
    """Point CURRENT at an existing, readable version (used by rollback)."""
    manifest = check_version(version, data_dir)
    _atomic_write_text(_current_file(data_dir), version + "\n")
    return manifest


def check_version(version: str, data_dir: Path | None = None) -> Manifest:
    """The manifest of `version` if its files are there and readable; DatasetMissingError saying what is
    wrong otherwise. Reads only the manifest and the parquet footers (a few KB), so it is cheap."""
    return check_folder(version_dir(version, data_dir))


def check_folder(folder: Path) -> Manifest:
    """check_version for a version folder."""
    version = folder.name
    manifest = read_manifest(folder / MANIFEST_FILE)
    paths = [folder / FACTS_FILE, *sorted(folder.glob("agg_*.parquet"))]
    try:
        rows = pq.read_metadata(paths[0]).num_rows
        for path in paths[1:]:
            pq.read_metadata(path)
    except FileNotFoundError:
        raise DatasetMissingError(f"Version {version} mangler filen {FACTS_FILE}.") from None
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
        raise DatasetMissingError(f"Version {version} har en ødelagt fil: {exc}") from exc
    if rows != manifest.rows:
        raise DatasetMissingError(
            f"Version {version}: {FACTS_FILE} har {rows} rækker, men manifestet siger {manifest.rows}."
        )
    return manifest


def fallback_version(data_dir: Path | None = None) -> Manifest | None:
    """The version to serve when the current one cannot be read: the newest readable version older than
    the current one, else the oldest readable newer one (one that a rollback left); None if none is."""
    current = current_version(data_dir) or ""
    names = [m.version for m in list_versions(data_dir) if m.version != current]
    older = [v for v in names if not current or v < current][::-1]  # no CURRENT: newest first
    for version in older + [v for v in names if v > current]:
        try:
            return check_version(version, data_dir)
        except DatasetMissingError:
            continue
    return None


@dataclass(frozen=True)
class Serving:
    """The version the app shows: the current one, or a fallback with the reason the current one failed."""

    manifest: Manifest
    facts: Path
    manifest_path: Path
    problem: str | None = None  # set when this is a fallback


def serving_version(data_dir: Path | None = None) -> Serving:
    """The current version if it is readable, else the fallback (with the problem); DatasetMissingError
    when no version is readable."""
    try:
        facts, manifest_path = current_paths(data_dir)
        manifest = check_folder(facts.parent)
        return Serving(manifest, facts, manifest_path)
    except DatasetMissingError as exc:
        fallback = fallback_version(data_dir)
        if fallback is None:
            raise
        folder = version_dir(fallback.version, data_dir)
        return Serving(fallback, folder / FACTS_FILE, folder / MANIFEST_FILE, problem=str(exc))
