"""Pre-aggregated tables stored beside each dataset version: their SQL, and the writer store calls.

store.write_version writes them; warehouse loads them at open (or builds them in memory for a version
without them). Both import this module, so neither imports the other's SQL.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

COUNTS = ("persons", "persons_0", "persons_1_5", "persons_6plus", "job_searches")
SUMS = ", ".join(f"sum({c})::BIGINT AS {c}" for c in COUNTS)

# Pre-aggregated tables for the common questions, written beside the facts when a version is written
# (store.write_version) and loaded at open; a version without them (older, or written by hand) gets them
# built in memory from the facts. They hold sums only: the municipal areas are joined at open, so a change
# to the reference data never leaves a stale copy on disk.
AGGREGATES = {
    # municipality x month x group, the breakdowns summed away: trend, snapshot, panel, group sizes, lists.
    "muni_month": "SELECT month, municipality_code, benefit_group, {sums} FROM {facts} GROUP BY ALL",
    # the whole country per month x group x breakdown cell: national breakdowns, breakdown values.
    "national_cells": "SELECT month, benefit_group, gender, age_group, origin, {sums} FROM {facts} GROUP BY ALL",
}
AGGREGATE_ORDER = {
    "muni_month": "benefit_group, month, municipality_code",
    "national_cells": "benefit_group, month",
}


def _parquet(path: Path | str) -> str:
    return "read_parquet('{}')".format(str(path).replace("'", "''"))


def aggregate_path(folder: Path, name: str) -> Path:
    return folder / f"agg_{name}.parquet"


def write_aggregates(facts_path: Path, folder: Path) -> None:
    """Write the AGGREGATES of a facts parquet into folder (called by store when a version is written)."""
    connection = duckdb.connect(config={"threads": 2})
    try:
        for name, query in AGGREGATES.items():
            target = str(aggregate_path(folder, name)).replace("'", "''")
            select = query.format(sums=SUMS, facts=_parquet(facts_path))
            connection.execute(
                f"COPY ({select} ORDER BY {AGGREGATE_ORDER[name]}) TO '{target}' "
                "(FORMAT parquet, COMPRESSION zstd)"
            )
    finally:
        connection.close()
