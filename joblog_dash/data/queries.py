"""Every question the views ask, as SQL over the open dataset (warehouse.JoblogDB).

Values are bound as named parameters; identifiers (area
columns, breakdown dimensions) only come from fixed allow-lists. Every share is a ratio of sums.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from joblog_dash.data import reference
from joblog_dash.data.aggregates import COUNTS, SUMS
from joblog_dash.data.reference import NATIONAL, Area
from joblog_dash.data.warehouse import JoblogDB

SHARES = """
    (persons - persons_0) / NULLIF(persons, 0) AS share_joblogged,
    persons_0 / NULLIF(persons, 0) AS share_none,
    persons_6plus / NULLIF(persons, 0) AS share_6plus,
    job_searches / NULLIF(persons, 0) AS searches_per_person"""
MEASURES = {"joblogged": "share_joblogged", "none": "share_none", "6plus": "share_6plus"}
BREAKDOWN_DIMENSIONS = {"gender": "gender", "age_group": "age_group", "origin": "origin"}
MUNICIPALITY_COLUMNS = "code, name, region, amk_office, rar_area, population_2018"
# The columns of snapshot / panel / trend frames that name a row rather than count persons: the disclosure
# rule (analysis.privacy.publish) keeps them and treats every other column as a figure of the row.
ROW_IDS = (
    "municipality_code", "name", "region", "amk_office", "rar_area", "population_2018", "month", "benefit_group",
)  # fmt: skip


class UnknownAreaError(ValueError):
    """An area key that is not one of the known areas."""


def _area(area: str | Area) -> Area:
    found = area if isinstance(area, Area) else reference.area_by_key(area)
    if found is None:
        raise UnknownAreaError(f"Ukendt område: {area!r}")
    return found


def _area_filter(area: str | Area, alias: str = "") -> tuple[str, dict[str, object]]:
    """SQL condition restricting to the area; the column name comes from reference's allow-list."""
    found = _area(area)
    if found.column is None:
        return "TRUE", {}
    return f"{alias}{found.column} = $area_name", {"area_name": found.name}


# --- Lists ----------------------------------------------------------------------------------------------


def months(db: JoblogDB) -> list[date]:
    return db.sql("SELECT DISTINCT month FROM muni_month ORDER BY month")["month"].to_list()


def benefit_groups(db: JoblogDB) -> list[str]:
    found = db.sql("SELECT DISTINCT benefit_group FROM muni_month")["benefit_group"].to_list()
    return sorted(found, key=lambda g: (reference.group_order(g), g))


def breakdown_values(db: JoblogDB) -> dict[str, list[str]]:
    """For each breakdown dimension, the categories the data has (without 'I alt'); empty if absent."""
    result = {}
    for dimension, column in BREAKDOWN_DIMENSIONS.items():
        frame = db.sql(
            f"SELECT DISTINCT {column} AS value FROM national_cells WHERE {column} <> $total",
            total=reference.TOTAL,
        )
        result[dimension] = sorted(frame["value"].to_list())
    return result


# --- Trends -----------------------------------------------------------------------------------------------


def trend(
    db: JoblogDB,
    *,
    area: str | Area = NATIONAL,
    codes: list[int] | None = None,
    groups: list[str] | None = None,
) -> pl.DataFrame:
    """Monthly totals and shares per benefit group for an area, or for a set of municipalities."""
    if codes is not None:
        condition, params = "municipality_code IN (SELECT unnest($codes))", {"codes": [int(c) for c in codes]}
    else:
        condition, params = _area_filter(area)
    if groups is not None:
        condition += " AND benefit_group IN (SELECT unnest($groups))"
        params["groups"] = list(groups)
    return db.sql(
        f"""
        SELECT *, {SHARES} FROM (
            SELECT month, benefit_group, {SUMS} FROM muni_month WHERE {condition} GROUP BY ALL
        ) ORDER BY benefit_group, month
        """,
        **params,
    )


# --- Municipalities ------------------------------------------------------------------------------------------


def snapshot(db: JoblogDB, month: date, group: str, area: str | Area = NATIONAL) -> pl.DataFrame:
    """All municipalities of the area for one month and group, with the share a month and a year before.

    Municipalities without data that month are kept (persons 0, shares null) so none silently disappears.
    """
    condition, params = _area_filter(area, "m.")
    return db.sql(
        f"""
        WITH cur AS (SELECT * FROM muni_month WHERE month = $month AND benefit_group = $grp),
        prev AS (SELECT municipality_code, persons, persons_0, (persons - persons_0) / NULLIF(persons, 0) AS share
                 FROM muni_month WHERE month = $month - INTERVAL 1 MONTH AND benefit_group = $grp),
        year_ago AS (SELECT municipality_code, persons, persons_0,
                            (persons - persons_0) / NULLIF(persons, 0) AS share
                     FROM muni_month WHERE month = $month - INTERVAL 12 MONTH AND benefit_group = $grp)
        SELECT m.code AS municipality_code, m.name, m.region, m.amk_office, m.rar_area, m.population_2018,
               coalesce(cur.persons, 0) AS persons, coalesce(cur.persons_0, 0) AS persons_0,
               coalesce(cur.persons_1_5, 0) AS persons_1_5, coalesce(cur.persons_6plus, 0) AS persons_6plus,
               coalesce(cur.job_searches, 0) AS job_searches,
               (cur.persons - cur.persons_0) / NULLIF(cur.persons, 0) AS share_joblogged,
               cur.persons_0 / NULLIF(cur.persons, 0) AS share_none,
               cur.persons_6plus / NULLIF(cur.persons, 0) AS share_6plus,
               cur.job_searches / NULLIF(cur.persons, 0) AS searches_per_person,
               prev.share AS share_joblogged_prev_month, year_ago.share AS share_joblogged_year_ago,
               prev.persons AS persons_prev_month, prev.persons_0 AS persons_0_prev_month,
               year_ago.persons AS persons_year_ago, year_ago.persons_0 AS persons_0_year_ago
        FROM municipalities m
        LEFT JOIN cur ON cur.municipality_code = m.code
        LEFT JOIN prev ON prev.municipality_code = m.code
        LEFT JOIN year_ago ON year_ago.municipality_code = m.code
        WHERE {condition}
        ORDER BY m.code
        """,
        month=month,
        grp=group,
        **params,
    )


def panel(
    db: JoblogDB,
    group: str,
    area: str | Area = NATIONAL,
    start: date | None = None,
    end: date | None = None,
) -> pl.DataFrame:
    """Municipality x month totals and shares for one group (heat maps, sparklines, signals, before/after)."""
    condition, params = _area_filter(area, "mm.")
    return db.sql(
        f"""
        SELECT mm.month, mm.municipality_code, m.name, mm.region, mm.amk_office, mm.rar_area,
               {", ".join("mm." + c for c in COUNTS)}, {SHARES}
        FROM muni_month mm JOIN municipalities m ON m.code = mm.municipality_code
        WHERE mm.benefit_group = $grp AND {condition}
          AND month >= coalesce($start, DATE '1900-01-01') AND month <= coalesce($end, DATE '9999-12-01')
        ORDER BY municipality_code, month
        """,
        grp=group,
        start=start,
        end=end,
        **params,
    )


def month_counts(db: JoblogDB, month: date) -> pl.DataFrame:
    """Every municipality's counts in one month, every benefit group (only municipalities with data)."""
    return db.sql(
        f"""
        SELECT municipality_code, benefit_group, region, {", ".join(COUNTS)}
        FROM muni_month WHERE month = $month ORDER BY benefit_group, municipality_code
        """,
        month=month,
    )


def group_sizes(db: JoblogDB, month: date) -> pl.DataFrame:
    """Persons per municipality and group in a month, one column per group (peer indicators)."""
    long = db.sql(
        "SELECT municipality_code, benefit_group, persons FROM muni_month WHERE month = $month", month=month
    )
    if long.is_empty():
        return pl.DataFrame({"municipality_code": []}, schema={"municipality_code": pl.Int32})
    return long.pivot(on="benefit_group", index="municipality_code", values="persons").sort(
        "municipality_code"
    )


def breakdown(
    db: JoblogDB,
    month: date,
    group: str,
    dimension: str,
    *,
    area: str | Area = NATIONAL,
    codes: list[int] | None = None,
) -> pl.DataFrame:
    """Totals and shares by gender, age group or origin for one month and group."""
    column = BREAKDOWN_DIMENSIONS.get(dimension)
    if column is None:
        raise ValueError(f"Unknown breakdown dimension: {dimension!r}")
    if codes is None and _area(area).column is None:
        # The whole country, the common case: read the small national aggregate, not the facts.
        return db.sql(
            f"""
            SELECT *, {SHARES} FROM (
                SELECT {column} AS category, {SUMS} FROM national_cells
                WHERE month = $month AND benefit_group = $grp GROUP BY ALL
            ) ORDER BY category
            """,
            month=month,
            grp=group,
        )
    if codes is not None:
        condition, params = (
            "f.municipality_code IN (SELECT unnest($codes))",
            {"codes": [int(c) for c in codes]},
        )
    else:
        condition, params = _area_filter(area, "m.")
    return db.sql(
        f"""
        SELECT *, {SHARES} FROM (
            SELECT f.{column} AS category, {SUMS}
            FROM facts f JOIN municipalities m ON m.code = f.municipality_code
            WHERE f.month = $month AND f.benefit_group = $grp AND {condition}
            GROUP BY ALL
        ) ORDER BY category
        """,
        month=month,
        grp=group,
        **params,
    )


# --- Expected versus actual (issue 14) ---------------------------------------------------------------------


def standardise_cells(db: JoblogDB, month: date, group: str) -> pl.DataFrame:
    """Persons and counts per municipality x gender x age group x origin for one month and group.

    The input of analysis.standardise. A dimension the dataset does not break down is 'I alt' (TOTAL) in
    every row. Read from the facts (already at this grain; summed anyway so the answer never depends on it).
    """
    return db.sql(
        f"""
        SELECT municipality_code, gender, age_group, origin, {SUMS}
        FROM facts WHERE month = $month AND benefit_group = $grp
        GROUP BY ALL ORDER BY municipality_code, gender, age_group, origin
        """,
        month=month,
        grp=group,
    )
