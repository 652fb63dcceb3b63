"""The canonical fact table: its columns, types and invariants."""

from __future__ import annotations

import polars as pl

KEY_COLUMNS = ("month", "municipality_code", "benefit_group", "gender", "age_group", "origin")
COUNT_COLUMNS = ("persons", "persons_0", "persons_1_5", "persons_6plus", "job_searches")
SCHEMA: dict[str, pl.DataType] = {
    "month": pl.Date(),
    "municipality_code": pl.Int32(),
    "benefit_group": pl.String(),
    "gender": pl.String(),
    "age_group": pl.String(),
    "origin": pl.String(),
    "persons": pl.Int32(),
    "persons_0": pl.Int32(),
    "persons_1_5": pl.Int32(),
    "persons_6plus": pl.Int32(),
    "job_searches": pl.Int32(),
}
COLUMNS = tuple(SCHEMA)
# Upper bound of job searches one person in the 6+ category can register in a month. STAR's categories
# stop at "6 or more"; 60 (about three a working day) bounds plausible registrations.
MAX_SEARCHES_PER_PERSON = 60


def conform(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns in canonical order and type, rows sorted by key (so equal data gives equal bytes)."""
    return frame.select([pl.col(c).cast(t) for c, t in SCHEMA.items()]).sort(KEY_COLUMNS)


def invariant_violations(frame: pl.DataFrame) -> dict[str, int]:
    """Number of rows breaking each invariant; an empty dict means the table is valid."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        return {f"missing column {c}": frame.height for c in missing}
    checks = {
        "persons != persons_0 + persons_1_5 + persons_6plus": pl.col("persons")
        != pl.col("persons_0") + pl.col("persons_1_5") + pl.col("persons_6plus"),
        "negative count": pl.any_horizontal([pl.col(c) < 0 for c in COUNT_COLUMNS]),
        "job_searches below persons_1_5 + 6*persons_6plus": pl.col("job_searches")
        < pl.col("persons_1_5") + 6 * pl.col("persons_6plus"),
        "job_searches above 5*persons_1_5 + 60*persons_6plus": pl.col("job_searches")
        > 5 * pl.col("persons_1_5") + MAX_SEARCHES_PER_PERSON * pl.col("persons_6plus"),
        "null value": pl.any_horizontal([pl.col(c).is_null() for c in COLUMNS]),
    }
    counts = frame.select([expr.sum().alias(name) for name, expr in checks.items()]).row(0, named=True)
    result = {name: int(n) for name, n in counts.items() if n}
    duplicates = frame.height - frame.select(KEY_COLUMNS).unique().height
    if duplicates:
        result["duplicate key"] = duplicates
    return result


# The count invariants above as SQL, by the same names, for checking a stored parquet without loading it
# (a byte that changes on disk after the write must not reach a page). They are linear, so they also hold
# for the stored sums (the aggregates). tests/data/test_schema.py holds both versions to the same counts.
INVARIANT_SQL: dict[str, str] = {
    "persons != persons_0 + persons_1_5 + persons_6plus": (
        "persons <> persons_0 + persons_1_5 + persons_6plus"
    ),
    "negative count": " OR ".join(f"{c} < 0" for c in COUNT_COLUMNS),
    "job_searches below persons_1_5 + 6*persons_6plus": "job_searches < persons_1_5 + 6 * persons_6plus",
    "job_searches above 5*persons_1_5 + 60*persons_6plus": (
        f"job_searches > 5 * persons_1_5 + {MAX_SEARCHES_PER_PERSON} * persons_6plus"
    ),
}


def _wide(source: str, columns: tuple[str, ...]) -> str:
    # Counts as BIGINT: a damaged value near the int32 limit must be counted, not overflow the arithmetic.
    wide = ", ".join(f"{c}::BIGINT AS {c}" if c in COUNT_COLUMNS else c for c in columns)
    return f"(SELECT {wide} FROM {source})"


def breach_sql(source: str) -> str:
    """How many rows of `source` break any count invariant or hold a null count (0 for a valid table): one
    pass over the five count columns only, about the cost of reading them."""
    any_breach = " OR ".join(
        [*(f"({sql})" for sql in INVARIANT_SQL.values()), *(f"{c} IS NULL" for c in COUNT_COLUMNS)]
    )
    return f"SELECT count(*) AS n FROM {_wide(source, COUNT_COLUMNS)} WHERE {any_breach}"


def invariant_sql(source: str, columns: tuple[str, ...] = COLUMNS) -> str:
    """One query over `source` (e.g. read_parquet(...)) counting the rows that break each invariant, plus
    nulls in `columns`, by invariant_violations' names; every count is 0 for a valid table."""
    checks = {**INVARIANT_SQL, "null value": " OR ".join(f"{c} IS NULL" for c in columns)}
    counts = ", ".join(f'count(*) FILTER (WHERE {sql}) AS "{name}"' for name, sql in checks.items())
    return f"SELECT {counts} FROM {_wide(source, columns)}"


def duplicate_key_sql(source: str) -> str:
    """Rows of `source` beyond the first with the same key (the 'duplicate key' count of
    invariant_violations); a full grouping, so only the thorough check (`joblog-dash verify`) runs it."""
    return f"SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM {source} GROUP BY {', '.join(KEY_COLUMNS)})"
