"""Issue 14 on Kommuner and Opfølgning: the funnel, the map and the follow-up list follow "justeret".

Expected values are independent of views.parts: the verdicts come from analysis.standardise run directly on
the cells from separate DuckDB SQL on the parquet.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import polars as pl
from helpers import figures, run_page, section

from joblog_dash.analysis import fair, standardise, stats
from joblog_dash.data import warehouse
from joblog_dash.text.strings import t
from joblog_dash.views import followup, parts, spread
from joblog_dash.views.selection import Selection

SEP_2018 = date(2018, 9, 1)


def _cells(facts: Path) -> pl.DataFrame:
    return duckdb.sql(
        f"SELECT municipality_code, gender, age_group, origin, sum(persons) AS persons, "
        f"sum(persons_0) AS persons_0, sum(persons_1_5) AS persons_1_5, sum(persons_6plus) AS persons_6plus "
        f"FROM read_parquet('{facts}') WHERE month = DATE '{SEP_2018}' AND benefit_group = 'kontanthjaelp' "
        "GROUP BY ALL"
    ).pl()


def test_adjusted_funnel_carries_the_standardised_verdicts(
    demo_data_dir: Path, demo_facts_path: Path
) -> None:
    db = warehouse.open_db(demo_data_dir)
    sel = Selection(month=SEP_2018, group="kontanthjaelp", basis="adjusted")
    adjusted = parts.funnel(db, sel).table
    raw = parts.funnel(db, Selection(month=SEP_2018, group="kontanthjaelp")).table
    cells = _cells(demo_facts_path).join(
        pl.DataFrame({"municipality_code": adjusted["code"], "name": adjusted["name"], "region": adjusted["region"]}),
        on="municipality_code", how="left",
    )  # fmt: skip
    expected = standardise.standardise(cells, "joblogged").table.filter(pl.col("persons") > 0)
    verdicts = dict(zip(expected["code"].to_list(), expected["verdict"].to_list(), strict=True))
    for row in adjusted.filter(~pl.col("suppressed")).iter_rows(named=True):
        assert row["verdict"] == verdicts[row["code"]], row["name"]
        # The standardised share sits inside its own limits exactly when the verdict is "inden for".
        inside = row["lower_95"] <= row["share"] <= row["upper_95"]
        assert inside == (row["verdict"] == stats.VERDICT_WITHIN) or abs(row["z"]) > 1.9
    changed = adjusted.join(raw.select("code", pl.col("verdict").alias("raw")), on="code").filter(
        ~pl.col("suppressed") & (pl.col("verdict") != pl.col("raw"))
    )
    # The demo's municipalities differ in composition, so adjusting moves verdicts: the views move exactly
    # those the independent computation moves (raw verdicts from stats.funnel on the summed cells).
    totals = cells.group_by("municipality_code").agg(pl.col("persons").sum(), pl.col("persons_0").sum())
    totals = totals.filter(pl.col("persons") > 0).sort("municipality_code")
    raw_alone = stats.funnel(
        totals["persons"].to_numpy(),
        (totals["persons"] - totals["persons_0"]).to_numpy(),
        units=totals["municipality_code"].to_numpy(),
    ).table
    raw_verdicts = dict(zip(raw_alone["unit"].to_list(), raw_alone["verdict"].to_list(), strict=True))
    moved = {
        code for code, verdict in verdicts.items() if verdict is not None and verdict != raw_verdicts[code]
    }
    assert set(changed["code"].to_list()) == moved
    assert len(moved) >= 5


def test_follow_up_list_judges_by_the_adjusted_funnel(demo_data_dir: Path) -> None:
    db = warehouse.open_db(demo_data_dir)
    sel = Selection(month=SEP_2018, group="kontanthjaelp", basis="adjusted")
    view = followup.build(db, sel)
    adverse = {
        r["code"]
        for r in parts.funnel(db, sel).table.iter_rows(named=True)
        if fair.verdict_is_adverse(r["verdict"], "joblogged")
    }
    funnel_listed = view.listed.filter(pl.col("why").str.contains("forventet niveau"))["code"].to_list()
    assert set(funnel_listed) <= adverse


def test_pages_follow_the_choice(demo_data_dir: Path) -> None:
    params = {"maaned": "2018-09", "gruppe": "kontanthjaelp", "grundlag": "justeret"}
    for page in ("pages/1_kommuner.py", "pages/4_opfoelgning.py"):
        at = run_page(page, params)
        assert t("std_basis_used_adjusted") in [c.value for c in at.caption]
    at = run_page("pages/1_kommuner.py", {**params, "grundlag": "noget"})
    assert any("grundlag" in i.value for i in at.info)  # a bad value falls back with a notice


def test_kommuner_funnel_table_follows_the_choice(demo_data_dir: Path, demo_facts_path: Path) -> None:
    """The table behind Kommuner's funnel carries the standardised verdicts under "justeret" (the figure
    cache once dropped the choice from its key, so the page drew the raw funnel under an adjusted caption)."""
    names = {r["name"]: r["code"] for r in parts.snapshot(
        warehouse.open_db(demo_data_dir), Selection(month=SEP_2018, group="kontanthjaelp")
    ).select("name", pl.col("municipality_code").alias("code")).iter_rows(named=True)}  # fmt: skip
    cells = _cells(demo_facts_path).with_columns(pl.lit("").alias("name"), pl.lit("").alias("region"))
    independent = standardise.standardise(cells, "joblogged").table.filter(pl.col("persons") > 0)
    verdicts = dict(zip(independent["code"].to_list(), independent["verdict"].to_list(), strict=True))

    def funnel_verdicts(basis: str) -> dict[int, str]:
        at = run_page(
            "pages/1_kommuner.py",
            {"maaned": "2018-09", "gruppe": "kontanthjaelp", "grundlag": basis, **section("fair")},
        )
        table = next(d.value for d in at.dataframe if "z" in d.value.columns)
        verdict = t("col_verdict")
        return {
            names[n]: v.removesuffix(" forventet niveau")
            for n, v in zip(table[t("col_municipality")], table[verdict], strict=True)
            if v
        }

    adjusted = funnel_verdicts("justeret")
    assert adjusted and {c: verdicts[c] for c in adjusted} == adjusted
    assert funnel_verdicts("faktisk") != adjusted


def test_charts_say_they_are_adjusted(demo_data_dir: Path) -> None:
    """The funnel's and the map's subtitles carry the basis, so a downloaded image keeps it."""
    params = {"maaned": "2018-09", "gruppe": "kontanthjaelp"}
    note = t("chart_basis_adjusted").strip(". ").lower()

    def subtitles(basis: str) -> str:
        runs = [run_page("pages/1_kommuner.py", {**params, "grundlag": basis, **section(key)})
                for key in ("ranking", "fair", "regions")]  # fmt: skip
        return " ".join(str(f.get("layout", {}).get("title", {})) for at in runs for f in figures(at)).lower()

    # The ranked chart's title, the funnel's, the map's and the regions' subtitles.
    assert subtitles("justeret").count(note) == 4
    assert note not in subtitles("faktisk")


def test_the_adjusted_share_is_never_shown_above_100_pct(demo_data_dir: Path, demo_facts_path: Path) -> None:
    # In the demo's latest month a municipality beats its expected share so far that observed/expected × the
    # national share, computed here from separate SQL, exceeds 1: the views show 100 pct., judged unclipped.
    latest = date(2026, 8, 1)
    facts = duckdb.sql(
        f"SELECT municipality_code, gender, age_group, origin, sum(persons) AS persons, "
        f"sum(persons_0) AS persons_0, sum(persons_1_5) AS persons_1_5, sum(persons_6plus) AS persons_6plus "
        f"FROM read_parquet('{demo_facts_path}') WHERE month = DATE '{latest}' "
        "AND benefit_group = 'kontanthjaelp' GROUP BY ALL"
    ).pl()
    db = warehouse.open_db(demo_data_dir)
    sel = Selection(month=latest, group="kontanthjaelp", basis="adjusted")
    adjusted = parts.funnel(db, sel).table
    names = adjusted.select(pl.col("code").alias("municipality_code"), "name", "region")
    expected = standardise.standardise(facts.join(names, on="municipality_code", how="left"), "joblogged")
    rows = expected.table.filter(pl.col("persons") > 0)
    above = rows.filter(pl.col("ratio") * expected.national_share > 1)
    assert above.height >= 1
    for column in ("share", "lower", "upper"):
        assert adjusted[column].max() <= 1.0, column
    view = spread.build(db, sel)
    column = t("col_share_adjusted") + " (pct.)"
    assert view.table[column].max() <= 100.0
    for name, verdict in above.select("name", "verdict").iter_rows():
        row = adjusted.filter(pl.col("name") == name).row(0, named=True)
        assert (row["share"], row["verdict"]) == (1.0, verdict), name  # shown as 100 pct., judged unclipped
        published = view.shown.filter(pl.col("name") == name)[spread.ADJUSTED][0]  # None: shown as a bound
        shown = view.table.filter(pl.col(t("col_municipality")) == name)[column][0]
        assert shown == 100.0 if published is not None else shown < 100.0, name
