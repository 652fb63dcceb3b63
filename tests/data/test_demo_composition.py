"""The demo's municipalities differ in who their recipients are, and it matters for the adjusted comparison.

Figures come from plain DuckDB SQL on the parquet (the expected shares by indirect standardisation written
out in SQL); the verdicts from the analysis functions run on those cells, not from the views.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import polars as pl
import pytest

from joblog_dash.analysis import standardise, stats
from joblog_dash.data import reference

SEP_2018 = "DATE '2018-09-01'"
UNIVERSITY_TOWNS = {"København": 101, "Aarhus": 751, "Odense": 461, "Aalborg": 851}
IMMIGRANT_SUBURBS = {"Ishøj": 183, "Brøndby": 153, "Albertslund": 165, "Høje-Taastrup": 169}


@pytest.fixture(scope="module")
def con(demo_facts_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    path = str(demo_facts_path).replace("'", "''")
    connection.execute(f"CREATE VIEW facts AS SELECT * FROM read_parquet('{path}')")
    connection.register("munis_df", reference.municipalities())
    connection.execute("CREATE TABLE munis AS SELECT * FROM munis_df")
    connection.execute(
        f"CREATE VIEW sep AS SELECT * FROM facts WHERE benefit_group = 'kontanthjaelp' AND month = {SEP_2018}"
    )
    yield connection
    connection.close()


def _share_of(con: duckdb.DuckDBPyConnection, condition: str) -> dict[int, float]:
    """Per municipality, the share of its kontanthjælp recipients in September 2018 meeting `condition`."""
    rows = con.execute(
        f"SELECT municipality_code, sum(persons) FILTER ({condition}) / sum(persons) FROM sep GROUP BY ALL"
    ).fetchall()
    return {code: share for code, share in rows}


def test_expected_shares_differ_by_at_least_two_points(con):
    # Indirect standardisation in SQL: national rate per (gender, age, origin) cell, applied to each
    # municipality's own persons in those cells.
    spread = con.execute(
        """
        WITH rate AS (SELECT gender, age_group, origin, 1 - sum(persons_0) / sum(persons) AS r
                      FROM sep GROUP BY ALL HAVING sum(persons) > 0),
             m AS (SELECT municipality_code, sum(persons * r) / sum(persons) AS expected
                   FROM sep JOIN rate USING (gender, age_group, origin)
                   GROUP BY ALL HAVING sum(persons) > 0)
        SELECT stddev_samp(expected) FROM m
        """
    ).fetchone()[0]
    assert spread >= 0.02


def test_at_least_five_funnel_verdicts_change_when_adjusted(con):
    cells = (
        con.cursor()
        .sql(
            """
        SELECT municipality_code, gender, age_group, origin, sum(persons) AS persons,
               sum(persons_0) AS persons_0, sum(persons_1_5) AS persons_1_5, sum(persons_6plus) AS persons_6plus
        FROM sep GROUP BY ALL
        """
        )
        .pl()
    )
    per_muni = cells.group_by("municipality_code").agg(pl.col("persons").sum(), pl.col("persons_0").sum())
    per_muni = per_muni.filter(pl.col("persons") > 0).sort("municipality_code")
    raw = stats.funnel(
        per_muni["persons"].to_numpy(),
        (per_muni["persons"] - per_muni["persons_0"]).to_numpy(),
        units=per_muni["municipality_code"].to_numpy(),
    ).table
    raw_verdict = dict(zip(raw["unit"].to_list(), raw["verdict"].to_list(), strict=True))
    adjusted = standardise.standardise(cells, "joblogged").table.filter(pl.col("verdict").is_not_null())
    changed = [
        code
        for code, verdict in adjusted.select("code", "verdict").iter_rows()
        if raw_verdict[code] != verdict
    ]
    assert len(changed) >= 5, changed


def test_university_towns_have_more_young_recipients(con):
    young = _share_of(con, "age_group IN ('16-24', '25-29')")
    national = con.execute(
        "SELECT sum(persons) FILTER (age_group IN ('16-24', '25-29')) / sum(persons) FROM sep"
    ).fetchone()[0]
    for name, code in UNIVERSITY_TOWNS.items():
        assert reference.municipality_name(code) == name
        assert young[code] > national + 0.05, name


def test_named_suburbs_have_more_immigrants_and_descendants(con):
    foreign = _share_of(con, "origin <> 'Personer med dansk oprindelse'")
    median = float(np.median(list(foreign.values())))
    for name, code in {**IMMIGRANT_SUBURBS, "København": 101}.items():
        assert reference.municipality_name(code) == name
        assert foreign[code] > median + 0.1, name


def test_rural_municipalities_are_older(con):
    # The 20 smallest municipalities (population 2018) against the four big cities: more recipients of 50+.
    old = _share_of(con, "age_group = '50+'")
    smallest = reference.municipalities().sort("population_2018")["code"].to_list()[:20]
    rural = float(np.mean([old[c] for c in smallest]))
    cities = float(np.mean([old[c] for c in UNIVERSITY_TOWNS.values()]))
    assert rural > cities + 0.08


def test_composition_drives_the_share_joblogged(con):
    # Behaviour follows composition as in the national figures: the young log much less, so across
    # municipalities the share under 25 and the share with no job search go together.
    young = _share_of(con, "age_group = '16-24'")
    none = dict(
        con.execute(
            "SELECT municipality_code, sum(persons_0) / sum(persons) FROM sep GROUP BY ALL"
        ).fetchall()
    )
    codes = sorted(young)
    assert np.corrcoef([young[c] for c in codes], [none[c] for c in codes])[0, 1] > 0.2
