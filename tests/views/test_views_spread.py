"""views.spread.build (Kommuner): the ranked shares, the table and its sparklines against DuckDB SQL, and no
figure resting on 1–4 persons (Læsø, Region Nordjylland, September 2018)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from helpers import muni_counts, small

from joblog_dash.analysis import municipal
from joblog_dash.data import reference, warehouse
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.views import spread
from joblog_dash.views.selection import Selection

SEP_2018 = date(2018, 9, 1)
LAESOE = 825
AREA = "region-nordjylland"


def test_shown_shares_equal_sql_and_rest_on_no_small_count(
    demo_data_dir: Path, demo_facts_path: Path
) -> None:
    codes = reference.municipality_codes_in(reference.area_by_key(AREA))  # type: ignore[arg-type]
    for group in ("kontanthjaelp", "uddannelseshjaelp", "dagpenge"):
        view = spread.build(warehouse.open_db(demo_data_dir), Selection(SEP_2018, group, area=AREA))
        counts = muni_counts(demo_facts_path, group, codes)
        assert sorted(view.shown["municipality_code"].to_list()) == sorted(codes)
        complements = _complementary_rows({c: counts.get((c, SEP_2018), (0, 0))[0] for c in codes})
        for row in view.shown.iter_rows(named=True):
            n, none = counts.get((row["municipality_code"], SEP_2018), (0, 0))
            if small(n) or row["municipality_code"] in complements:
                assert row["share_joblogged"] is None and row["rank"] is None, (group, row["name"])
            elif row["suppressed"]:  # hidden whole beside a small one, so the area total cannot reveal it
                assert row["share_joblogged"] is None and row["rank"] is None and row["persons"] is None
            elif n and (none < 5 or n - none < 5):  # 0–4 either way: a bound from n alone, and a rank
                assert row["share_joblogged"] is None and row["rank"] is not None, (group, row["name"])
                expected = ("min", (n - 4) / n, 1.0) if none < 5 else ("max", 0.0, min(4, n - 5) / n)
                assert (row["bound"], row["bound_lower"], row["bound_upper"]) == expected, (
                    group,
                    row["name"],
                )
            if row["share_joblogged"] is not None:
                assert abs(row["share_joblogged"] - (n - none) / n) < 1e-12
            for column in ("persons", "persons_0", "persons_1_5", "persons_6plus"):
                assert row[column] is None or not 1 <= row[column] <= 4, (group, row["name"], column)
        n_area = sum(counts.get((c, SEP_2018), (0, 0))[0] for c in codes)
        none_area = sum(counts.get((c, SEP_2018), (0, 0))[1] for c in codes)
        assert abs(view.area_share - (n_area - none_area) / n_area) < 1e-12  # type: ignore[operator]


def _complementary_rows(persons: dict[int, int]) -> set[int]:
    """The area's total is shown, so a lone hidden municipality (1–4 persons) takes the next-smallest ones
    along until the hidden ones hold 5 or more persons (the rule in privacy.py's docstring, re-done here)."""
    hidden = {c for c, n in persons.items() if small(n)}
    extra: set[int] = set()
    while hidden and (len(hidden | extra) < 2 or sum(persons[c] for c in hidden | extra) < 5):
        rest = sorted((n, c) for c, n in persons.items() if n > 0 and c not in hidden | extra)
        if not rest:
            break
        extra.add(rest[0][1])
    return extra


def test_laesoe_is_hidden_in_the_ranked_chart_and_the_table(demo_data_dir: Path) -> None:
    view = spread.build(warehouse.open_db(demo_data_dir), Selection(SEP_2018, "kontanthjaelp", area=AREA))
    assert "Læsø" in view.hidden_names and "Læsø" not in view.visible["name"].to_list()
    row = view.table.filter(pl.col("municipality_code") == LAESOE).row(0, named=True)
    assert row["suppressed"] and row[t("col_share_pct")] is None and row[t("col_persons")] is None


def test_sparklines_hold_shares_or_bounds_and_no_gaps(demo_data_dir: Path, demo_facts_path: Path) -> None:
    view = spread.build(warehouse.open_db(demo_data_dir), Selection(SEP_2018, "kontanthjaelp", area=AREA))
    counts = muni_counts(demo_facts_path, "kontanthjaelp")
    months = [fmt.add_months(SEP_2018, -k) for k in range(spread.SPARK_MONTHS - 1, -1, -1)]
    for code, values in view.table.select("municipality_code", t("col_trend")).iter_rows():
        # The share in percent (one decimal), or a bound's end where 0–4 lack (or have) a job search;
        # months under 5 persons or without data are left out, never a null in the list.
        expected = []
        for month in months:
            n, none = counts.get((code, month), (0, 0))
            if n < 5:
                continue
            logged = n - 4 if none < 5 else min(4, n - 5) if n - none < 5 else n - none
            expected.append(round(100 * logged / n, 1))
        assert list(values) == expected, code


def _standardised(facts: Path, group: str) -> tuple[dict[int, tuple[float, float]], float]:
    """code -> (observed, expected) with expected = Σ over gender × age × origin cells of the national share
    with job search in the cell × the municipality's persons in it, and the national share: straight SQL on
    the parquet, independent of analysis.standardise."""
    rows = duckdb.sql(
        f"""WITH cells AS (
              SELECT municipality_code, gender, age_group, origin, sum(persons) AS n,
                     sum(persons) - sum(persons_0) AS x
              FROM read_parquet('{facts}') WHERE month = DATE '{SEP_2018}' AND benefit_group = '{group}'
              GROUP BY ALL),
            rates AS (SELECT gender, age_group, origin, sum(x) / sum(n) AS p FROM cells GROUP BY ALL)
            SELECT municipality_code, sum(x), sum(p * n) FROM cells JOIN rates USING (gender, age_group, origin)
            GROUP BY ALL"""
    ).fetchall()
    national = duckdb.sql(
        f"""SELECT (sum(persons) - sum(persons_0)) / sum(persons) FROM read_parquet('{facts}')
            WHERE month = DATE '{SEP_2018}' AND benefit_group = '{group}'"""
    ).fetchall()[0][0]
    return {int(c): (float(x), float(e)) for c, x, e in rows}, float(national)


def test_adjusted_ranking_is_observed_over_expected_times_the_national_share(
    demo_data_dir: Path, demo_facts_path: Path
) -> None:
    """Kommuner with "justeret": each dot is O/E × the national share, ranked on it; the area's dashed line
    is ΣO/ΣE × the national share; nothing hidden in the raw view shows up adjusted."""
    db = warehouse.open_db(demo_data_dir)
    by_code, national = _standardised(demo_facts_path, "kontanthjaelp")
    raw = spread.build(db, Selection(SEP_2018, "kontanthjaelp", area=AREA))
    view = spread.build(db, Selection(SEP_2018, "kontanthjaelp", area=AREA, basis="adjusted"))
    assert view.value == spread.ADJUSTED and raw.value == spread.RAW
    # Hidden whole (under 5 persons, or hidden with one that is): neither share; placed by a bound: the
    # expected share stays (the bound is scaled by it), the adjusted share does not.
    hidden_raw = set(raw.shown.filter(pl.col("suppressed"))["municipality_code"])
    bounded_raw = set(raw.shown.filter(pl.col("bound").is_not_null())["municipality_code"])
    for row in view.shown.iter_rows(named=True):
        observed, expected = by_code[row["municipality_code"]]
        if row["municipality_code"] in hidden_raw:
            assert row[spread.ADJUSTED] is None and row["expected_share"] is None, row["name"]
        elif row["municipality_code"] in bounded_raw:
            assert row[spread.ADJUSTED] is None and row["bound_adjusted_lower"] is not None, row["name"]
            assert abs(row["expected_share"] - expected / row["persons"]) < 1e-9, row["name"]
        else:
            assert abs(row[spread.ADJUSTED] - observed / expected * national) < 1e-9, row["name"]
    ordered = view.visible[municipal.PLACED].to_list()  # exact shares and bounds' ends, one scale
    assert ordered == sorted(ordered)
    ranks = dict(view.shown.select("municipality_code", "rank").iter_rows())
    best = view.visible.row(-1, named=True)["municipality_code"]
    assert ranks[best] == 1
    codes = reference.municipality_codes_in(reference.area_by_key(AREA))  # type: ignore[arg-type]
    o_area = sum(by_code[c][0] for c in codes if c in by_code)
    e_area = sum(by_code[c][1] for c in codes if c in by_code)
    assert abs(view.area_share - o_area / e_area * national) < 1e-9  # type: ignore[operator]
    table = view.table.filter(~pl.col("suppressed") & ~pl.col("bounded"))
    exact = view.shown.filter(~pl.col("suppressed") & pl.col(spread.ADJUSTED).is_not_null())
    assert table[t("col_share_adjusted") + " (pct.)"].to_list() == [
        round(v * 100, 1) for v in exact.sort("rank", "name")[spread.ADJUSTED]
    ]
