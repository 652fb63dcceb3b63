"""The stored-data checks in SQL count what schema.invariant_violations counts on the same table."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl
from importfixtures import make_frame

from joblog_dash.data import schema


def _broken() -> pl.DataFrame:
    """One row per invariant broken, beside valid rows (make_frame's rows keep every rule)."""
    frame = make_frame(codes=[101, 147, 751, 461, 330, 851])
    row = pl.int_range(pl.len())
    return frame.with_columns(
        persons_0=pl.when(row == 0).then(pl.col("persons") + 7).otherwise(pl.col("persons_0")),
        persons_6plus=pl.when(row == 1).then(-1).otherwise(pl.col("persons_6plus")),
        job_searches=pl.when(row == 2).then(0).when(row == 3).then(10**6).otherwise(pl.col("job_searches")),
        gender=pl.when(row == 4).then(None).otherwise(pl.col("gender")),
        persons=pl.when(row == 5).then(2**31 - 1).otherwise(pl.col("persons")),
    )


def test_sql_counts_match_the_frame_rules(tmp_path: Path) -> None:
    frame = _broken()
    path = tmp_path / "broken.parquet"
    frame.write_parquet(path)
    source = f"read_parquet('{path}')"
    with duckdb.connect() as connection:
        (counts,) = connection.sql(schema.invariant_sql(source)).fetchall()
        ((breaches,),) = connection.sql(schema.breach_sql(source)).fetchall()
        ((duplicates,),) = connection.sql(schema.duplicate_key_sql(source)).fetchall()
    by_sql = {name: n for name, n in zip([*schema.INVARIANT_SQL, "null value"], counts, strict=True) if n}
    expected = schema.invariant_violations(frame)
    assert by_sql == expected and duplicates == 0
    assert expected["persons != persons_0 + persons_1_5 + persons_6plus"] >= 3  # the rows changed above
    # Rows, not rule hits: the null gender is no count rule, so breach_sql leaves it to invariant_sql.
    counted = frame.filter(pl.int_range(pl.len()).is_in([0, 1, 2, 3, 5])).height
    assert breaches == counted
    doubled = tmp_path / "doubled.parquet"
    pl.concat([make_frame(), make_frame().head(2)]).write_parquet(doubled)
    with duckdb.connect() as connection:
        ((duplicates,),) = connection.sql(schema.duplicate_key_sql(f"read_parquet('{doubled}')")).fetchall()
    assert duplicates == 2
