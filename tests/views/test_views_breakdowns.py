"""The gender and age breakdowns of a municipality or an area (views.parts.breakdowns) are sums over the
month's cells (views.parts.cells, read once for the expected figures too); checked against separate SQL on
the facts parquet for single municipalities, regions and months."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
import pytest

from joblog_dash.data import reference, warehouse
from joblog_dash.views import parts, profile
from joblog_dash.views.selection import Selection

MONTHS = (date(2018, 9, 1), date(2021, 3, 1))
COUNTS = ("persons", "persons_0", "persons_1_5", "persons_6plus", "job_searches")


def _sql(facts: Path, month: date, group: str, column: str, codes: list[int]) -> pl.DataFrame:
    sums = ", ".join(f"sum({c})::BIGINT AS {c}" for c in COUNTS)
    return duckdb.sql(
        f"SELECT {column} AS category, {sums} FROM read_parquet($path) "
        "WHERE month = $month AND benefit_group = $grp AND municipality_code IN (SELECT unnest($codes)) "
        "GROUP BY ALL ORDER BY category",
        params={"path": str(facts), "month": month, "grp": group, "codes": codes},
    ).pl()


@pytest.mark.parametrize("group", ["kontanthjaelp", "uddannelseshjaelp"])
def test_breakdowns_equal_sums_of_the_facts(demo_data_dir: Path, demo_facts_path: Path, group: str) -> None:
    db = warehouse.open_db(demo_data_dir)
    scopes = [([code], None) for code in (101, 147, 851, 860)]
    scopes += [(reference.municipality_codes_in(a), a.key) for a in reference.areas() if a.kind == "region"][
        :2
    ]
    compared = 0
    for month in MONTHS:
        cells = parts.cells(db, Selection(month, group))
        for codes, area in scopes:
            for dimension in parts.BREAKDOWNS:
                got = parts.cell_breakdown(cells, dimension, codes)
                want = _sql(demo_facts_path, month, group, dimension, codes)
                assert got.select("category", *COUNTS).rows() == want.rows(), (month, codes, dimension)
                for row in got.iter_rows(named=True):
                    n = row["persons"]
                    assert row["share_joblogged"] == ((n - row["persons_0"]) / n if n else None)
                    assert row["searches_per_person"] == (row["job_searches"] / n if n else None)
                compared += 1
            # The views publish what they sum: the page's frames are these, published.
            if area is None:
                shown = profile.breakdowns(db, Selection(month, group, municipality=codes[0]))
            else:
                shown = parts.area_breakdowns(db, Selection(month, group, area=area))
            assert set(shown) == set(parts.BREAKDOWNS)
            for dimension, frame in shown.items():
                assert (
                    frame["category"].to_list()
                    == _sql(demo_facts_path, month, group, dimension, codes)["category"].to_list()
                )
    assert compared == len(MONTHS) * len(scopes) * len(parts.BREAKDOWNS)
