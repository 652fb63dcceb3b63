"""Versioned datasets on disk, switched atomically.

Layout under the data directory::

    joblog/CURRENT                      name of the active version (replaced atomically)
    joblog/versions/<version>/facts.parquet
    joblog/versions/<version>/manifest.json
    joblog/versions/<version>/agg_*.parquet   derived aggregates (optional; rebuilt in memory if absent)
    joblog/versions/<version>/PENDING         present until the version has been made current

A new version is written completely in its own folder before CURRENT points to it, so a crash at any
moment leaves the previous dataset readable. The manifest holds the sha256 of every data file; a version
is opened only when they match and its rows keep the schema's invariants (verify_folder), so a damaged
version is never served. A version that never became current (PENDING, not CURRENT) is no version: not
listed, not a rollback target, not a fallback.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from joblog_dash import config
from joblog_dash.data import aggregates, schema
from joblog_dash.text.safety import printable

FACTS_FILE = "facts.parquet"
MANIFEST_FILE = "manifest.json"
PENDING_FILE = "PENDING"
# What the parquet and aggregate writers raise besides OSError when they cannot write (a full disk
# inside DuckDB is a duckdb.IOException, inside polars a ComputeError).
WRITE_ERRORS = (OSError, pl.exceptions.PolarsError, duckdb.Error, pa.ArrowException)


class DatasetMissingError(RuntimeError):
    """No readable dataset in the data directory; the message says what is wrong without naming a server
    path where it can (it is shown to every visitor); `detail` adds paths and errors for administrators."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail or message

    def __reduce__(self) -> tuple[type, tuple[str, str]]:  # whole across an import's child process
        return DatasetMissingError, (str(self), self.detail)


class WriteError(RuntimeError):
    """A new version could not be written (a full disk, a writer's error); the current data is unchanged.
    The message is Danish and complete."""


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
    # sha256 of every data file of the version ({file name: hex}); empty in versions written before
    # checksums were kept, which are checked by their rows' invariants only.
    checksums: dict[str, str] = field(default_factory=dict)

    @property
    def is_demo(self) -> bool:
        return self.kind == "demo"


_MANIFEST_FIELDS = {f.name for f in fields(Manifest)}


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


# What every visitor reads when there is no dataset (no server path); missing_message is the operator's.
NO_DATASET = (
    "Der er intet datasæt endnu. Demodata bygges med `joblog-dash demo` (eller `make run`), og en eksport "
    "importeres med `joblog-dash import FIL`."
)


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
        raise DatasetMissingError(NO_DATASET, missing_message(data_dir)) from None
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
        raise DatasetMissingError(NO_DATASET, missing_message(data_dir))
    folder = version_dir(version, data_dir)
    facts, manifest = folder / FACTS_FILE, folder / MANIFEST_FILE
    if not facts.is_file() or not manifest.is_file():
        raise DatasetMissingError(
            f"Version {printable(version, limit=80)} mangler {FACTS_FILE} eller {MANIFEST_FILE}.",
            f"Datasættet {folder} mangler {FACTS_FILE} eller {MANIFEST_FILE}. " + missing_message(data_dir),
        )
    return facts, manifest


def read_manifest(path: Path) -> Manifest:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        # Keys a later version of this code may add are left out, so a downgrade can still read the data.
        return Manifest(**{k: v for k, v in raw.items() if k in _MANIFEST_FIELDS})
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise DatasetMissingError(
            f"Version {printable(path.parent.name, limit=80)}: {MANIFEST_FILE} kan ikke læses.",
            f"Kan ikke læse {path}: {exc}",
        ) from exc


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
    staged = stage_version(frame, kind=kind, source=source, files=files, details=details, data_dir=data_dir)
    return _commit_or_discard(staged, data_dir)


def stage_version(
    frame: pl.DataFrame,
    *,
    kind: str,
    source: str,
    files: list[dict[str, str]] | None = None,
    details: dict[str, object] | None = None,
    data_dir: Path | None = None,
) -> Manifest:
    """Write a complete new version beside the old ones without making it current (see commit).

    Raises ValueError for a table that breaks the schema's invariants, WriteError when it cannot be
    written; either way nothing is left behind."""
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

    return _stage(write, version, kind, source, files, details, data_dir)


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

    staged = _stage(write, version, kind, source, files, details, data_dir)
    return _commit_or_discard(staged, data_dir)


def write_problem(exc: BaseException, what: str = "den nye version kunne ikke skrives") -> str:
    """A Danish sentence for a failed write (what the user reads; the error's own words in brackets)."""
    if isinstance(exc, OSError) and exc.strerror:
        reason = exc.strerror
    else:
        reason = f"{type(exc).__name__}: {printable(exc, limit=300)}"
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "No space left" in reason:
        reason = f"der er ikke plads på disken: {reason}"
    return f"{what} ({reason}); de nuværende data er uændrede"


def _stage(
    write: Callable[[Path], tuple[int, str, str, list[str]]],
    version: str,
    kind: str,
    source: str,
    files: list[dict[str, str]] | None,
    details: dict[str, object] | None,
    data_dir: Path | None,
) -> Manifest:
    """Write a version into a staging folder with `write`, checksum its files and move it in place, still
    marked PENDING: it becomes a version only when commit makes it current."""
    versions_root = joblog_dir(data_dir) / "versions"
    try:
        versions_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=versions_root, prefix=f".staging-{version}-"))
    except OSError as exc:
        raise WriteError(write_problem(exc)) from exc
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
            checksums={path.name: sha256_file(path) for path in data_files(staging)},
        )
        _atomic_write_text(staging / PENDING_FILE, "")
        _atomic_write_text(
            staging / MANIFEST_FILE, json.dumps(asdict(manifest), ensure_ascii=False, indent=2)
        )
        os.replace(staging, versions_root / version)
    except WRITE_ERRORS as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError(write_problem(exc)) from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def commit(version: str, data_dir: Path | None = None) -> None:
    """Make a staged version current (CURRENT replaced in one rename), then mark it committed. Raises
    OSError when CURRENT cannot be written; the version is then still PENDING (see discard)."""
    previous = current_version(data_dir)
    if previous and previous != version:  # was current, so committed, even if a crash kept its mark
        _mark_committed(previous, data_dir)
    _atomic_write_text(_current_file(data_dir), version + "\n")
    _mark_committed(version, data_dir)


def discard(version: str, data_dir: Path | None = None) -> None:
    """Remove a staged version that never became current (after a failed commit or audit line)."""
    folder = version_dir(version, data_dir)
    if is_pending(folder) and current_version(data_dir) != version:
        shutil.rmtree(folder, ignore_errors=True)


def _commit_or_discard(staged: Manifest, data_dir: Path | None) -> Manifest:
    try:
        commit(staged.version, data_dir)
    except OSError as exc:
        discard(staged.version, data_dir)
        raise WriteError(write_problem(exc)) from exc
    return staged


def _mark_committed(version: str, data_dir: Path | None) -> None:
    # If it cannot be removed the version stays PENDING on disk; being current makes it a version anyway.
    with contextlib.suppress(OSError):
        (version_dir(version, data_dir) / PENDING_FILE).unlink(missing_ok=True)


def is_pending(folder: Path) -> bool:
    """Written but never made current (a version only once CURRENT has pointed at it)."""
    return (folder / PENDING_FILE).exists()


def version_folders(data_dir: Path | None = None) -> list[Path]:
    """Every version folder, oldest first, whether it ever became current or not."""
    root = joblog_dir(data_dir) / "versions"
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))


def pending_versions(data_dir: Path | None = None) -> list[str]:
    """Folders with complete files that never became current (an import stopped before its switch)."""
    current = current_version(data_dir)
    return [p.name for p in version_folders(data_dir) if is_pending(p) and p.name != current]


def list_versions(data_dir: Path | None = None) -> list[Manifest]:
    """All complete versions that have been current at some time, oldest first."""
    current = current_version(data_dir)
    found = []
    for folder in version_folders(data_dir):
        if is_pending(folder) and folder.name != current:
            continue
        if (folder / FACTS_FILE).is_file() and (folder / MANIFEST_FILE).is_file():
            try:
                found.append(read_manifest(folder / MANIFEST_FILE))
            except DatasetMissingError:
                continue
    return found


def activate(version: str, data_dir: Path | None = None) -> Manifest:
    """Point CURRENT at an existing, intact version that has been current before (used by rollback)."""
    folder = version_dir(version, data_dir)
    if is_pending(folder) and current_version(data_dir) != version:
        raise DatasetMissingError(f"Version {printable(version, limit=80)} er aldrig blevet gjort aktiv.")
    manifest = check_version(version, data_dir)
    commit(version, data_dir)
    return manifest


def check_version(version: str, data_dir: Path | None = None) -> Manifest:
    """The manifest of `version` if it is intact (verify_folder); DatasetMissingError saying what is wrong
    otherwise."""
    return check_folder(version_dir(version, data_dir))


def check_folder(folder: Path) -> Manifest:
    """check_version for a version folder: the first problem found is the error's message."""
    result = verify_folder(folder)
    if result.problems:
        first = result.problems[0]
        raise DatasetMissingError(
            f"Version {printable(result.version, limit=80)}: {first.file} {first.reason}.",
            f"Version {result.version} i {folder}: "
            + "; ".join(f"{p.file} {p.detail}" for p in result.problems),
        )
    assert result.manifest is not None
    return result.manifest


# --- checking a version: checksums, parquet footers, row invariants ---


@dataclass(frozen=True)
class FileProblem:
    file: str  # the file's name in the version folder
    reason: str  # Danish, names no server path
    detail: str = ""  # the underlying error, for administrators and `verify`


@dataclass(frozen=True)
class VersionCheck:
    version: str
    manifest: Manifest | None
    problems: list[FileProblem]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def checksummed(self) -> bool:
        return bool(self.manifest and self.manifest.checksums)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def data_files(folder: Path) -> list[Path]:
    """The files a version's figures are read from: the facts and the stored aggregates."""
    return [folder / FACTS_FILE, *sorted(folder.glob("agg_*.parquet"))]


# Results by folder and the identity of its files (inode, size, mtime), so each process reads and hashes
# a version once; a replaced or rewritten file changes the key and is checked again.
_checked: dict[tuple[object, ...], VersionCheck] = {}


def _stat_key(folder: Path) -> tuple[object, ...]:
    key: list[object] = [str(folder)]
    for path in (folder / MANIFEST_FILE, *data_files(folder)):
        try:
            info = path.stat()
            key.append((path.name, info.st_ino, info.st_size, info.st_mtime_ns))
        except OSError:
            key.append((path.name, None))
    return tuple(key)


def verify_folder(folder: Path, *, thorough: bool = False) -> VersionCheck:
    """Check a version: the facts present; every data file there matching the manifest's checksum and
    none outside them (a missing aggregate is no damage: the warehouse builds it from the facts); the
    parquet footers readable and the facts holding the manifest's rows; every row of the facts and the
    aggregates keeping the schema's count invariants (one SQL pass each). `thorough` adds the unique-key
    check (a full grouping; `joblog-dash verify`) and skips the per-process memory."""
    key = _stat_key(folder)
    if not thorough and key in _checked:
        return _checked[key]
    result = _verify(folder, thorough)
    if not thorough:
        if len(_checked) > 64:
            _checked.clear()
        _checked[key] = result
    return result


def _verify(folder: Path, thorough: bool) -> VersionCheck:
    version = folder.name
    try:
        manifest = read_manifest(folder / MANIFEST_FILE)
    except DatasetMissingError as exc:
        return VersionCheck(version, None, [FileProblem(MANIFEST_FILE, "kan ikke læses", exc.detail)])
    problems = _checksum_problems(folder, manifest)
    if not problems:
        problems = _footer_problems(folder, manifest)
    if not problems:
        problems = _invariant_problems(folder, thorough)
    return VersionCheck(version, manifest, problems)


def _checksum_problems(folder: Path, manifest: Manifest) -> list[FileProblem]:
    present = {path.name for path in data_files(folder) if path.is_file()}
    if FACTS_FILE not in present:
        return [FileProblem(FACTS_FILE, "mangler", f"{folder / FACTS_FILE} findes ikke")]
    if not manifest.checksums:  # an older version: its rows are checked below, its bytes cannot be
        return []
    problems = []
    if FACTS_FILE not in manifest.checksums:
        problems.append(FileProblem(MANIFEST_FILE, "har ingen kontrolsum for facts.parquet"))
    for name, expected in sorted(manifest.checksums.items()):
        if name not in present:  # an aggregate is optional: the warehouse builds it from the facts
            continue
        try:
            actual = sha256_file(folder / name)
        except OSError as exc:
            problems.append(FileProblem(name, "kan ikke læses", str(exc)))
            continue
        if actual != expected:
            problems.append(
                FileProblem(
                    name,
                    "er ødelagt (kontrolsummen passer ikke: filen er ændret efter den blev skrevet)",
                    f"sha256 {actual}, manifestet siger {expected}",
                )
            )
    for name in sorted(present - set(manifest.checksums)):
        problems.append(FileProblem(name, "står ikke i manifestet (en fremmed fil)"))
    return problems


def _footer_problems(folder: Path, manifest: Manifest) -> list[FileProblem]:
    problems = []
    for path in data_files(folder):
        try:
            rows = pq.read_metadata(path).num_rows
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            problems.append(FileProblem(path.name, "er ødelagt (ikke en læsbar parquet-fil)", str(exc)))
            continue
        if path.name == FACTS_FILE and rows != manifest.rows:
            problems.append(
                FileProblem(path.name, f"har {rows} rækker, men manifestet siger {manifest.rows}")
            )
    return problems


def _invariant_problems(folder: Path, thorough: bool) -> list[FileProblem]:
    """Rows breaking the schema's invariants in the facts and the aggregates: one pass over the count
    columns each; the counts per rule (and nulls in every column, duplicate keys) only when something broke
    or when `thorough`."""
    connection = duckdb.connect(config={"threads": 2})
    problems = []
    try:
        connection.execute("SET enable_progress_bar = false")
        for path in data_files(folder):
            source = aggregates._parquet(path)
            is_facts = path.name == FACTS_FILE
            try:
                ((breaches,),) = connection.sql(schema.breach_sql(source)).fetchall()
                if not (breaches or thorough):
                    continue
                columns = schema.COLUMNS if is_facts else aggregates.COUNTS
                (counts,) = connection.sql(schema.invariant_sql(source, columns)).fetchall()
                names = [*schema.INVARIANT_SQL, "null value"]
                broken = {name: int(n) for name, n in zip(names, counts, strict=True) if n}
                if thorough and is_facts:
                    ((duplicates,),) = connection.sql(schema.duplicate_key_sql(source)).fetchall()
                    if duplicates:
                        broken["duplicate key"] = int(duplicates)
            except duckdb.Error as exc:
                problems.append(FileProblem(path.name, "er ødelagt (kan ikke læses)", str(exc)))
                continue
            if broken:
                rows = ", ".join(f"{name}: {n}" for name, n in broken.items())
                problems.append(FileProblem(path.name, f"har rækker, der bryder reglerne ({rows})"))
    finally:
        connection.close()
    return problems


def fallback_version(data_dir: Path | None = None) -> Manifest | None:
    """The version to serve when the current one cannot be read: the newest intact version older than the
    current one, else the oldest intact newer one (one that a rollback left); None if none is."""
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
    problem: str | None = None  # set when this is a fallback; names no server path
    problem_detail: str | None = None  # the same with paths and errors, for administrators


def serving_version(data_dir: Path | None = None) -> Serving:
    """The current version if it is intact, else the fallback (with the problem); DatasetMissingError
    when no version is intact."""
    try:
        facts, manifest_path = current_paths(data_dir)
        manifest = check_folder(facts.parent)
        return Serving(manifest, facts, manifest_path)
    except DatasetMissingError as exc:
        fallback = fallback_version(data_dir)
        if fallback is None:
            raise
        folder = version_dir(fallback.version, data_dir)
        return Serving(
            fallback, folder / FACTS_FILE, folder / MANIFEST_FILE, problem=str(exc), problem_detail=exc.detail
        )
