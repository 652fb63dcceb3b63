"""Latency of every query function, and of a hand-written DuckDB aggregate over the same parquet (the floor).

The floor answers the same question straight from the facts parquet on a plain connection, fetching the
result as Arrow: what the engine costs without our layer, pre-aggregation or polars. query / floor below 1
means the pre-aggregated tables answer faster than reading the facts can.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from bench.common import summary
from joblog_dash.data import aggregates, queries, reference, warehouse

GROUP = "kontanthjaelp"
AREA = "region-sjaelland"
SUMS = ", ".join(f"sum({c})" for c in aggregates.COUNTS)


def _cases(db: warehouse.JoblogDB) -> dict[str, tuple[Callable[[], object], str]]:
    """name -> (the query function call, the floor SQL over `facts` = read_parquet of the same file)."""
    month = queries.months(db)[-1]
    area = reference.area_by_key(AREA)
    assert area is not None and area.column is not None
    codes = reference.municipality_codes_in(area)
    code_list = ", ".join(map(str, codes))
    few = [101, 147, 360]
    m, m1, m12 = (f"DATE '{d.isoformat()}'" for d in (month, _add(month, -1), _add(month, -12)))
    return {
        "months": (lambda: queries.months(db), "SELECT DISTINCT month FROM facts ORDER BY 1"),
        "benefit_groups": (lambda: queries.benefit_groups(db), "SELECT DISTINCT benefit_group FROM facts"),
        "breakdown_values": (
            lambda: queries.breakdown_values(db),
            "SELECT DISTINCT gender, age_group, origin FROM facts",
        ),
        "trend[national]": (
            lambda: queries.trend(db),
            f"SELECT month, benefit_group, {SUMS} FROM facts GROUP BY ALL ORDER BY 2, 1",
        ),
        "trend[region]": (
            lambda: queries.trend(db, area=AREA),
            f"SELECT month, benefit_group, {SUMS} FROM facts WHERE municipality_code IN ({code_list}) "
            "GROUP BY ALL ORDER BY 2, 1",
        ),
        "trend[codes,group]": (
            lambda: queries.trend(db, codes=few, groups=[GROUP]),
            f"SELECT month, {SUMS} FROM facts WHERE municipality_code IN (101, 147, 360) "
            f"AND benefit_group = '{GROUP}' GROUP BY ALL ORDER BY 1",
        ),
        "snapshot": (
            lambda: queries.snapshot(db, month, GROUP),
            f"SELECT month, municipality_code, {SUMS} FROM facts WHERE month IN ({m}, {m1}, {m12}) "
            f"AND benefit_group = '{GROUP}' GROUP BY ALL",
        ),
        "panel": (
            lambda: queries.panel(db, GROUP),
            f"SELECT municipality_code, month, {SUMS} FROM facts WHERE benefit_group = '{GROUP}' "
            "GROUP BY ALL ORDER BY 1, 2",
        ),
        "group_sizes": (
            lambda: queries.group_sizes(db, month),
            f"SELECT municipality_code, benefit_group, sum(persons) FROM facts WHERE month = {m} GROUP BY ALL",
        ),
        "breakdown[national]": (
            lambda: queries.breakdown(db, month, GROUP, "age_group"),
            f"SELECT age_group, {SUMS} FROM facts WHERE month = {m} AND benefit_group = '{GROUP}' GROUP BY ALL",
        ),
        "breakdown[region]": (
            lambda: queries.breakdown(db, month, GROUP, "age_group", area=AREA),
            f"SELECT age_group, {SUMS} FROM facts WHERE month = {m} AND benefit_group = '{GROUP}' "
            f"AND municipality_code IN ({code_list}) GROUP BY ALL",
        ),
        "standardise_cells": (
            lambda: queries.standardise_cells(db, month, GROUP),
            f"SELECT municipality_code, gender, age_group, origin, {SUMS} FROM facts WHERE month = {m} "
            f"AND benefit_group = '{GROUP}' GROUP BY ALL",
        ),
    }


def _add(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def _time(call: Callable[[], object], repeats: int, warmup: int = 2) -> list[float]:
    for _ in range(warmup):
        call()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def run(data: Path, repeats: int = 30) -> dict[str, object]:
    """Open time and per-query latency with floors for the current dataset of `data`."""
    warehouse._open.cache_clear()
    start = time.perf_counter()
    db = warehouse.open_db(data)
    open_s = time.perf_counter() - start
    floor_con = duckdb.connect(config={"threads": 2})
    path = str(db.facts_path).replace("'", "''")
    floor_con.execute(f"CREATE VIEW facts AS SELECT * FROM read_parquet('{path}')")
    results: dict[str, object] = {}
    for name, (call, floor_sql) in _cases(db).items():
        measured = summary(_time(call, repeats))
        floor = summary(_time(lambda sql=floor_sql: floor_con.sql(sql).arrow(), repeats))
        results[name] = {
            **measured,
            "floor_median_ms": floor["median_ms"],
            "floor_p95_ms": floor["p95_ms"],
            "ratio_to_floor": round(measured["median_ms"] / max(floor["median_ms"], 1e-3), 2),
        }
    floor_con.close()
    return {"open_s": round(open_s, 3), "rows": db.manifest.rows, "queries": results}
