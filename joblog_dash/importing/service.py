"""Validate an export, merge it into the current real dataset and write a new version atomically.

All or nothing: the file is read and validated completely before anything is written; the new dataset is
written beside the old one by `store.write_version` and CURRENT switches in one rename. One import at a time
(a lock file), so two uploads cannot interleave.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from joblog_dash.data import audit, reference, schema, store
from joblog_dash.importing.mapping import Mapping, apply_mapping, guess_mapping
from joblog_dash.importing.readers import RawTable, ReadError, read_table
from joblog_dash.importing.validate import Problem, Validation, validate_table
from joblog_dash.text.safety import printable, safe_filename

Progress = Callable[[float, str], None]
PARTITION = ["month", "municipality_code", "benefit_group"]
LARGEST_CHANGES = 5
STALE_STAGING_SECONDS = 3600
UNREADABLE = "unreadable"  # key in Validation.stats: the file itself could not be read


class ImportRefused(Exception):
    """The file was not imported; `problems` say why (file, row, column)."""

    def __init__(self, problems: list[Problem], unreadable: bool = False) -> None:
        self.problems = problems
        self.unreadable = unreadable  # the file could not be read at all (the CLI exits 2, not 1)
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self) -> tuple[type, tuple[list[Problem], bool]]:  # pickled from an import's child process
        return ImportRefused, (self.problems, self.unreadable)


@dataclass
class ImportReport:
    file: str
    sha256: str
    rows_in_file: int
    months: list[str]
    benefit_groups: list[str]
    added: int
    changed: int
    removed: int
    replaced: int  # rows of the current version the import replaces (changed or removed)
    largest_changes: list[dict[str, object]]
    replaced_demo: bool
    dataset_rows: int
    version: str | None  # None for a dry run or when nothing changed
    dry_run: bool = False
    affected_months: list[str] = field(default_factory=list)  # months with a row added, changed or removed
    warnings: list[Problem] = field(default_factory=list)
    stats: dict[str, object] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return not (self.added or self.changed or self.removed or self.replaced_demo)


def _noop(_fraction: float, _text: str) -> None:
    return None


def read_file(path: Path | str) -> RawTable:
    """The parsed table as the mapping step shows it; raises ReadError with a user-facing message."""
    try:
        return read_table(Path(path))
    except MemoryError as exc:
        raise ReadError("filen er for stor til hukommelsen; del den op") from exc


# --- The steps as run in a child process (isolate.run): small answers, never the whole table -----------

SAMPLE_ROWS = 5_000  # rows of a parsed file kept for the mapping step (what it guesses and offers)


def read_sample(path: Path | str) -> tuple[RawTable, int, Mapping | None]:
    """(the first SAMPLE_ROWS rows as parsed, the number of rows, the best-guess mapping from all rows;
    None for a canonical file, which needs none)."""
    raw = read_file(path)
    guess = None if raw.format in ("csv-canonical", "parquet") else guess_mapping(raw.frame)
    rows = raw.frame.height
    raw.frame = raw.frame.head(SAMPLE_ROWS)
    return raw, rows, guess


def guess_file_mapping(path: Path | str) -> Mapping:
    return guess_mapping(read_file(path).frame)


def _light(validation: Validation) -> Validation:
    """The validation without its rows (ok stays as it was: an empty frame is not None)."""
    if validation.frame is not None:
        validation.frame = validation.frame.clear()
    return validation


def check_file(
    path: Path | str,
    data_dir: Path | None = None,
    mapping: Mapping | None = None,
    display_name: str | None = None,
    progress: Progress | None = None,
) -> tuple[Validation, ImportReport | None, list[Problem]]:
    """Validate and, when the file is valid, preview the import (a dry run): (validation without its rows,
    the preview or None, the problems that refused the preview)."""
    validation = validate_file(path, progress, mapping, display_name)
    if not validation.ok:
        return _light(validation), None, []
    try:
        preview = import_file(
            path, data_dir, dry_run=True, display_name=display_name, mapping=mapping, validation=validation
        )
    except ImportRefused as refused:
        return _light(validation), None, refused.problems
    return _light(validation), preview, []


def validate_light(
    path: Path | str,
    progress: Progress | None = None,
    mapping: Mapping | None = None,
    display_name: str | None = None,
) -> Validation:
    return _light(validate_file(path, progress, mapping, display_name))


def validate_file(
    path: Path | str,
    progress: Progress | None = None,
    mapping: Mapping | None = None,
    display_name: str | None = None,
) -> Validation:
    """Read and check a file without writing anything; every problem names file, row and column.

    With a `mapping` the parsed table first goes through the mapping step (mapping.apply_mapping).
    """
    progress = progress or _noop
    path = Path(path)
    name = printable(display_name or path.name)
    progress(0.02, f"Læser {name}")
    try:
        raw = read_file(path)
    except ReadError as exc:
        return Validation(name, None, [Problem(name, None, None, str(exc))], {UNREADABLE: True})
    mapping_problems: list[Problem] = []
    mapping_stats: dict[str, object] = {}
    if mapping is not None and raw.format not in ("csv-canonical", "parquet"):
        mapped = apply_mapping(raw, mapping, name)
        mapping_problems, mapping_stats = mapped.problems, mapped.stats
        if mapped.raw is None:
            return Validation(name, None, mapping_problems, {"format": raw.format, **mapping_stats})
        mapped.raw.encoding = raw.encoding
        mapped.raw.format = f"{raw.format}+kortlagt"
        raw = mapped.raw
    progress(0.35, f"Kontrollerer {raw.frame.height:,} rækker".replace(",", "."))
    validation = validate_table(raw, name, progress)
    validation.problems[:0] = mapping_problems
    validation.stats.update(mapping_stats)
    progress(0.7, "Kontrol færdig")
    return validation


LOCK_WAIT_SECONDS = 10.0  # a second import waits this long for the first, then is refused
BUSY_MESSAGE = "en anden import eller tilbagerulning er i gang i samme datamappe; prøv igen om lidt"


@contextlib.contextmanager
def import_lock(data_dir: Path | None) -> Iterator[None]:
    """One change (import or rollback) at a time per data directory, across processes: an flock on a lock
    file in the data directory. A second change waits up to LOCK_WAIT_SECONDS, then is refused."""
    folder = store.joblog_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".import.lock").open("a") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError as exc:
                if time.monotonic() >= deadline:
                    raise ImportRefused([Problem("", None, None, BUSY_MESSAGE)]) from exc
                time.sleep(0.05)  # polling interval of a bounded wait
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _switch(
    action: str,
    before: str | None,
    after: str,
    data_dir: Path | None,
    counts: tuple[int, int, int, int],
    file: str = "",
    sha256: str = "",
) -> None:
    """Make `after` current, logged first (audit.switched): when the intent line or CURRENT cannot be
    written nothing has changed, and a new version that never became current is removed."""

    def switch() -> None:
        try:
            store.commit(after, data_dir)
        except OSError as exc:
            raise store.WriteError(
                store.write_problem(exc, f"skiftet til version {after} mislykkedes")
            ) from exc

    try:
        audit.switched(
            action,
            switch,
            version_before=before,
            version_after=after,
            file=file,
            sha256=sha256,
            counts=counts,
            data_dir=data_dir,
        )
    except store.WriteError as exc:
        if action == "import":
            store.discard(after, data_dir)
        raise ImportRefused([Problem(file, None, None, str(exc))]) from exc
    except OSError as exc:
        if action == "import":
            store.discard(after, data_dir)
        problem = store.write_problem(exc, "revisionsloggen kunne ikke skrives")
        raise ImportRefused([Problem(file, None, None, problem)]) from exc


def _remove_stale_staging(data_dir: Path | None) -> None:
    """Folders left by a killed import (never visible as versions: staging folders, and versions that
    never became current) are removed once they are old."""
    root = store.joblog_dir(data_dir) / "versions"
    if not root.is_dir():
        return
    for folder in root.glob(".staging-*"):
        with contextlib.suppress(OSError):
            if time.time() - folder.stat().st_mtime > STALE_STAGING_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
    for version in store.pending_versions(data_dir):
        with contextlib.suppress(OSError):
            if time.time() - store.version_dir(version, data_dir).stat().st_mtime > STALE_STAGING_SECONDS:
                store.discard(version, data_dir)


def _current(data_dir: Path | None) -> tuple[store.Manifest | None, pl.DataFrame | None]:
    """The dataset the app shows (the current version, or the fallback when the current one is damaged)."""
    try:
        serving = store.serving_version(data_dir)
    except store.DatasetMissingError:
        return None, None
    try:
        return serving.manifest, pl.read_parquet(serving.facts)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ImportRefused(
            [Problem("", None, None, f"det nuværende datasæt kan ikke læses ({exc}); intet er ændret")]
        ) from exc


def affected_months(old: pl.DataFrame, new: pl.DataFrame) -> list[str]:
    """Months ('2018-01') in which a row is added, changed or removed."""
    keys, measures = list(schema.KEY_COLUMNS), list(schema.COUNT_COLUMNS)
    joined = old.join(new, on=keys, how="full", coalesce=True, suffix="_new")
    differs = pl.any_horizontal(pl.col(m).ne_missing(pl.col(f"{m}_new")) for m in measures)
    months = joined.filter(differs)["month"].unique().sort()
    return [m.strftime("%Y-%m") for m in months.to_list()]


def diff(old: pl.DataFrame, new: pl.DataFrame) -> tuple[int, int, int, list[dict[str, object]]]:
    """(added, changed, removed, largest changes) between two canonical tables."""
    keys = list(schema.KEY_COLUMNS)
    measures = list(schema.COUNT_COLUMNS)
    joined = old.join(new, on=keys, how="full", coalesce=True, suffix="_new")
    added = joined.filter(pl.col("persons").is_null()).height
    removed = joined.filter(pl.col("persons_new").is_null()).height
    both = joined.filter(pl.col("persons").is_not_null() & pl.col("persons_new").is_not_null())
    changed_mask = pl.any_horizontal(pl.col(m) != pl.col(f"{m}_new") for m in measures)
    changed = both.filter(changed_mask)
    size = (pl.col("persons_new") - pl.col("persons")).abs() + (
        pl.col("persons_0_new") - pl.col("persons_0")
    ).abs()
    top = changed.with_columns(size.alias("_size")).sort("_size", descending=True).head(LARGEST_CHANGES)
    largest = [
        {
            "kommune": reference.municipality_name(row["municipality_code"]),
            "måned": row["month"].strftime("%Y-%m"),
            "ydelsesgruppe": reference.group_label(row["benefit_group"], short=True),
            "opdeling": ", ".join(row[c] for c in reference.BREAKDOWN_COLUMNS if row[c] != reference.TOTAL)
            or "i alt",
            "personer før": row["persons"],
            "personer nu": row["persons_new"],
            "uden jobsøgning før": row["persons_0"],
            "uden jobsøgning nu": row["persons_0_new"],
        }
        for row in top.iter_rows(named=True)
    ]
    return added, changed.height, removed, largest


def import_file(
    path: Path | str,
    data_dir: Path | None = None,
    progress: Progress | None = None,
    dry_run: bool = False,
    display_name: str | None = None,
    mapping: Mapping | None = None,
    profile: str | None = None,
    actor: str | None = None,
    validation: Validation | None = None,
) -> ImportReport:
    """Import one export into the dataset (all or nothing); raises ImportRefused with the problems.

    `dry_run=True` is the preview: the same report (rows added/changed/removed, largest changes, months
    affected), nothing written. `mapping` sends the file through the mapping step; `profile` (its name) and
    `actor` (who imports, from the sign-in) are recorded with the import in the manifest. `validation`: the
    result of `validate_file` for this very file and mapping, when the caller has it already.
    """
    progress = progress or _noop
    path = Path(path)
    # A preview may pass the validation it just made (a large file takes seconds to check).
    validation = validation or validate_file(path, progress, mapping, display_name)
    if not validation.ok:
        raise ImportRefused(validation.problems, bool(validation.stats.get(UNREADABLE)))
    assert validation.frame is not None
    # The name is shown on every page's data notice (Markdown): keep only harmless characters.
    name = safe_filename(display_name or path.name)
    new = validation.frame
    digest = store.sha256_file(path)
    with import_lock(data_dir):
        _remove_stale_staging(data_dir)
        progress(0.75, "Sammenligner med de nuværende tal")
        manifest, current = _current(data_dir)
        replaced_demo = manifest is not None and manifest.is_demo
        base = current if (current is not None and not replaced_demo) else new.clear()
        # A revision replaces whole municipality/month/group cells present in the file, so a reloaded month
        # can also lose breakdown rows; other municipalities, months and groups are kept.
        touched = new.select(PARTITION).unique()
        old_part = base.join(touched, on=PARTITION, how="semi")
        kept = base.join(touched, on=PARTITION, how="anti")
        added, changed, removed, largest = diff(old_part, new)
        if replaced_demo and current is not None:  # every demo row goes, whatever the file holds
            removed = current.height
        merged = schema.conform(pl.concat([kept, new]))
        report = ImportReport(
            file=name,
            sha256=digest,
            # The rows in the file, not after the mapping step (a wide sheet is reshaped: one row per month).
            rows_in_file=validation.stats.get("source_rows", validation.stats.get("rows_read", 0)),  # type: ignore[arg-type]
            months=sorted({m.strftime("%Y-%m") for m in new["month"].unique().to_list()}),
            benefit_groups=sorted(new["benefit_group"].unique().to_list()),
            added=added,
            changed=changed,
            removed=removed,
            replaced=changed + removed,
            largest_changes=largest,
            replaced_demo=replaced_demo,
            dataset_rows=merged.height,
            version=None,
            dry_run=dry_run,
            affected_months=affected_months(old_part, new) if not replaced_demo else [],
            warnings=validation.warnings,
            stats=validation.stats,
        )
        if replaced_demo or manifest is None:
            report.affected_months = report.months
        if dry_run or (report.unchanged and manifest is not None):
            progress(1.0, "Intet skrevet" if dry_run else "Ingen ændringer")
            return report
        progress(0.85, "Skriver ny version")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        entry = {
            "name": name,
            "sha256": digest,
            "imported_at": now,
            "rows": str(new.height),
            "first_month": report.months[0],
            "last_month": report.months[-1],
            "format": str(validation.stats.get("format", "")),
        }
        if profile:
            entry["profile"] = printable(profile, limit=60)
        if actor:
            entry["actor"] = printable(actor, limit=200)
        previous_files = [] if (manifest is None or replaced_demo) else list(manifest.files)
        previous_details = {} if (manifest is None or replaced_demo) else dict(manifest.details)
        imports = list(previous_details.get("imports", []))  # type: ignore[arg-type]
        imports.append(
            {
                **entry,
                "added": added,
                "changed": changed,
                "removed": removed,
                "job_searches_estimated_rows": validation.stats.get("job_searches_estimated", 0),
                "rows_left_out_suppressed": validation.stats.get("rows_left_out_suppressed", 0),
            }
        )
        estimated = sum(int(i.get("job_searches_estimated_rows", 0)) for i in imports)
        details: dict[str, object] = {
            "imports": imports,
            "job_searches_estimated_rows": estimated,
            "job_searches_note": (
                "Antal registrerede jobsøgninger manglede for nogle rækker og er sat til den nedre grænse "
                "1 × (1-5 jobsøgninger) + 6 × (6+ jobsøgninger)."
                if estimated
                else ""
            ),
            "replaced_demo": replaced_demo,
        }
        before = store.current_version(data_dir)
        try:
            written = store.stage_version(
                merged,
                kind="real",
                source=name,
                files=[*previous_files, entry],
                details=details,
                data_dir=data_dir,
            )
        except store.WriteError as exc:  # e.g. the disk is full: nothing is left behind, CURRENT unchanged
            raise ImportRefused([Problem(name, None, None, str(exc))]) from exc
        progress(0.95, "Skifter til den nye version")
        counts = (added, changed, removed, report.replaced)
        _switch("import", before, written.version, data_dir, counts, file=name, sha256=digest)
        report.version = written.version
    progress(1.0, "Færdig")
    return report


def rollback(version: str | None = None, data_dir: Path | None = None) -> store.Manifest:
    """Make `version` (default: the version before the current one) current again, and log it."""
    with import_lock(data_dir):
        versions = [m.version for m in store.list_versions(data_dir)]
        current = store.current_version(data_dir)
        if version is None:
            version = _previous_version(versions, current, data_dir)
        if version not in versions:
            raise store.DatasetMissingError(
                f"Versionen '{printable(version)}' findes ikke. Se `joblog-dash versions`."
            )
        # A damaged target is refused before anything changes.
        manifest = store.check_version(version, data_dir)
        added, changed, removed = _rollback_diff(current, version, data_dir)
        _switch("rollback", current, version, data_dir, (added, changed, removed, changed + removed))
        return manifest


def _previous_version(versions: list[str], current: str | None, data_dir: Path | None) -> str:
    if current in versions and versions.index(current) > 0:
        return versions[versions.index(current) - 1]
    fallback = store.fallback_version(data_dir) if current not in versions else None
    if fallback is None:  # a damaged current version goes back to the one the app shows instead
        raise store.DatasetMissingError("Der er ingen tidligere version at gå tilbage til.")
    return fallback.version


def _rollback_diff(current: str | None, target: str, data_dir: Path | None) -> tuple[int, int, int]:
    """Rows added/changed/removed by going from `current` to `target` (all of target's rows are 'added'
    when the current version cannot be read)."""
    new = pl.read_parquet(store.version_dir(target, data_dir) / store.FACTS_FILE)
    try:
        old = pl.read_parquet(store.version_dir(current or "", data_dir) / store.FACTS_FILE)
    except (OSError, pl.exceptions.PolarsError):
        old = new.clear()
    added, changed, removed, _largest = diff(old, new)
    return added, changed, removed
