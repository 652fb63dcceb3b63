"""The open dataset: one DuckDB connection per process and dataset version, with the aggregates loaded.

Each query takes its own cursor (JoblogDB.sql), so Streamlit's session threads never share one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
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

    def sql(self, query: str, **params: object) -> pl.DataFrame:
        cursor = self.connection.cursor()
        try:
            return cursor.sql(query, params=params or None).pl()
        finally:
            cursor.close()


_open_lock = threading.Lock()


@lru_cache(maxsize=4)
def _open(facts_path: str, manifest_path: str) -> JoblogDB:
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
    """The current dataset of the data directory (cached per version); DatasetMissingError if none."""
    facts, manifest = store.current_paths(data_dir)
    with _open_lock:
        try:
            return _open(str(facts), str(manifest))
        except duckdb.Error as exc:
            raise store.DatasetMissingError(
                f"Kan ikke læse {facts}: {exc}. " + store.missing_message(data_dir)
            ) from exc
