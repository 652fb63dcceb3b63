"""The open dataset: one DuckDB connection per process and dataset version, with the aggregates loaded.

Each query takes its own cursor (JoblogDB.sql), so Streamlit's session threads never share one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import duckdb
import polars as pl

from joblog_dash.data import reference, store
from joblog_dash.data.aggregates import AGGREGATES, COUNTS, SUMS, _parquet, aggregate_path


@dataclass
class JoblogDB:
    """An open dataset: the DuckDB connection, the files behind it and its manifest."""

    connection: duckdb.DuckDBPyConnection
    facts_path: Path
    manifest: store.Manifest
    problem: str | None = None  # why the current version is not the one open (a fallback), else None
    problem_detail: str | None = None  # the same with server paths and errors: for administrators only

    @property
    def version(self) -> str:
        """Names this dataset version everywhere (cache keys): the facts file's full path is unique per
        version and per data directory."""
        return str(self.facts_path)

    def sql(self, query: str, **params: object) -> pl.DataFrame:
        cursor = self.connection.cursor()
        try:
            return cursor.sql(query, params=params or None).pl()
        finally:
            cursor.close()


_open_lock = threading.Lock()


@lru_cache(maxsize=4)
def _open(facts_path: str, manifest_path: str) -> JoblogDB:
    # A missing, damaged or rule-breaking file fails here, not in a page (checksums and row invariants).
    store.check_folder(Path(facts_path).parent)
    connection = duckdb.connect(config={"threads": 2})
    connection.execute("SET enable_progress_bar = false")  # a long scan would draw one into the server log
    # A bound on DuckDB's buffers per process (default: 80 % of the machine's memory). The common questions
    # read the small in-memory aggregates; larger scans spill or stream within this.
    connection.execute("SET memory_limit = '512MB'")
    munis = reference.municipalities()
    connection.register("municipalities_df", munis)
    connection.execute("CREATE TABLE municipalities AS SELECT * FROM municipalities_df")
    connection.unregister("municipalities_df")
    connection.execute(f"CREATE VIEW facts AS SELECT * FROM {_parquet(facts_path)}")
    folder = Path(facts_path).parent
    sources = {}
    for name, query in AGGREGATES.items():
        stored = aggregate_path(folder, name)
        sources[name] = (
            _parquet(stored) if stored.is_file() else f"({query.format(sums=SUMS, facts='facts')})"
        )
    connection.execute(
        f"""
        CREATE TABLE muni_month AS
        SELECT a.month, a.municipality_code, a.benefit_group, m.region, m.amk_office, m.rar_area, m.rbr_area,
               {", ".join("a." + c for c in COUNTS)}
        FROM {sources["muni_month"]} a JOIN municipalities m ON m.code = a.municipality_code
        ORDER BY a.benefit_group, a.month, a.municipality_code
        """
    )
    connection.execute(
        f"CREATE TABLE national_cells AS SELECT * FROM {sources['national_cells']} ORDER BY benefit_group, month"
    )
    return JoblogDB(connection, Path(facts_path), store.read_manifest(Path(manifest_path)))


def open_db(data_dir: Path | None = None) -> JoblogDB:
    """The current dataset of the data directory (cached per version).

    When the current version cannot be read, the newest readable earlier version is opened instead and
    `problem` says what is wrong; DatasetMissingError only when no version is readable."""
    if _fallbacks:  # degraded: answer from the remembered fallback while the broken files are unchanged
        known = _fallbacks.get(_broken_key(data_dir))
        if known is not None:
            return known
    try:
        facts, manifest = store.current_paths(data_dir)
        db = _open_version(facts, manifest, data_dir)
    except store.DatasetMissingError as exc:
        return _fallback(data_dir, exc)
    _fallbacks.clear()  # repaired, imported or rolled back: no more detours
    return db


def _open_version(facts: Path, manifest: Path, data_dir: Path | None) -> JoblogDB:
    with _open_lock:
        try:
            return _open(str(facts), str(manifest))
        except duckdb.Error as exc:
            raise store.DatasetMissingError(
                f"Version {facts.parent.name} kan ikke læses.",
                f"Kan ikke læse {facts}: {exc}. " + store.missing_message(data_dir),
            ) from exc


# Fallbacks by the state of the broken current version, so a page rerun does not search the versions
# again for every query; a repaired file, an import or a rollback changes the key.
_fallbacks: dict[tuple[object, ...], JoblogDB] = {}


def _broken_key(data_dir: Path | None) -> tuple[object, ...]:
    version = store.current_version(data_dir) or ""
    folder = store.version_dir(version, data_dir) if version else store.joblog_dir(data_dir)
    state: list[object] = [str(store.joblog_dir(data_dir)), version]
    for path in (folder / store.FACTS_FILE, folder / store.MANIFEST_FILE):
        try:
            info = path.stat()
            state.append((info.st_ino, info.st_mtime_ns, info.st_size))
        except OSError:
            state.append(None)
    return tuple(state)


def _fallback(data_dir: Path | None, problem: store.DatasetMissingError) -> JoblogDB:
    key = _broken_key(data_dir)
    fallback = store.fallback_version(data_dir)
    if fallback is None:
        raise problem
    folder = store.version_dir(fallback.version, data_dir)
    db = _open_version(folder / store.FACTS_FILE, folder / store.MANIFEST_FILE, data_dir)
    db = replace(db, problem=str(problem), problem_detail=problem.detail)
    if len(_fallbacks) > 8:
        _fallbacks.clear()
    _fallbacks[key] = db
    return db
