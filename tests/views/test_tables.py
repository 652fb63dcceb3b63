"""Pure helpers behind Overblik and Kommuner (views.overview, views.spread) on hand-made frames."""

from __future__ import annotations

from datetime import date

import polars as pl

from joblog_dash.views import overview
from joblog_dash.views import spread as tables

SEP17, AUG18, SEP18 = date(2017, 9, 1), date(2018, 8, 1), date(2018, 9, 1)


def trend_frame() -> pl.DataFrame:
    rows = [  # month, group, persons, persons_0
        (SEP17, "kontanthjaelp", 1000, 323),
        (AUG18, "kontanthjaelp", 1000, 300),
        (SEP18, "kontanthjaelp", 1000, 295),
        (SEP18, "dagpenge", 200, 20),
    ]
    frame = pl.DataFrame(rows, schema=["month", "benefit_group", "persons", "persons_0"], orient="row")
    return frame.with_columns(
        ((pl.col("persons") - pl.col("persons_0")) / pl.col("persons")).alias("share_joblogged")
    )


def test_kpis_and_changes_in_percentage_points() -> None:
    kontant, dagpenge = overview.kpis(trend_frame(), SEP18, ["kontanthjaelp", "dagpenge"])
    assert kontant.share == 0.705
    assert abs(kontant.change_month - 0.005) < 1e-12
    assert abs(kontant.change_year - 0.028) < 1e-12
    assert (kontant.persons, kontant.persons_none) == (1000, 295)
    assert dagpenge.share == 0.9 and dagpenge.change_month is None and dagpenge.change_year is None


def test_headline_states_share_and_yearly_change() -> None:
    kontant = overview.kpis(trend_frame(), SEP18, ["kontanthjaelp"])[0]
    assert overview.headline(kontant, SEP18, "Hele landet") == (
        "I september 2018 havde 70,5 pct. af de jobparate kontanthjælpsmodtagere registreret jobsøgning "
        "— 2,8 pct.-point mere end et år før."
    )
    assert "kontanthjælpsmodtagere i Region Sjælland registreret" in overview.headline(
        kontant, SEP18, "Region Sjælland"
    )
    dagpenge = overview.kpis(trend_frame(), SEP18, ["dagpenge"])[0]
    assert overview.headline(dagpenge, SEP18, "Hele landet").endswith("registreret jobsøgning.")


def snapshot_frame() -> pl.DataFrame:
    rows = [  # code, name, persons, persons_0, persons_1_5, persons_6plus (the parts add up to persons)
        (101, "København", 100, 30, 40, 30),
        (147, "Frederiksberg", 10, 5, 5, 0),
        (360, "Lolland", 3, 1, 1, 1),
        (376, "Guldborgsund", 20, 5, 9, 6),
    ]
    schema = ["municipality_code", "name", "persons", "persons_0", "persons_1_5", "persons_6plus"]
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    share = (pl.col("persons") - pl.col("persons_0")) / pl.col("persons")
    return frame.with_columns(
        share.alias("share_joblogged"),
        (pl.col("persons_0") / pl.col("persons")).alias("share_none"),
        (pl.col("persons_6plus") / pl.col("persons")).alias("share_6plus"),
        pl.lit(2.0).alias("searches_per_person"),
        share.alias("share_joblogged_prev_month"),
        share.alias("share_joblogged_year_ago"),
        pl.lit(1).alias("job_searches"),
        pl.lit("Region X").alias("region"),
    )


def test_suppression_hides_small_and_next_smallest_and_ranks_the_rest() -> None:
    shown = tables.suppressed_snapshot(snapshot_frame())
    hidden = dict(zip(shown["municipality_code"], shown["suppressed"], strict=True))
    # Lolland (3 persons) is hidden, and Frederiksberg (smallest shown) with it: no derivation by subtraction.
    assert hidden == {101: False, 147: True, 360: True, 376: False}
    assert shown.filter(pl.col("suppressed"))["share_joblogged"].null_count() == 2
    assert shown.filter(pl.col("suppressed"))["persons_0"].null_count() == 2
    assert dict(zip(shown["name"], shown["rank"], strict=True))["Guldborgsund"] == 1
    # The area share is the ratio of sums over all municipalities, suppressed ones included.
    assert tables.area_share(snapshot_frame()) == (133 - 41) / 133
    assert (
        tables.ranked_title(shown, "Region X")
        == "København har den laveste andel med jobsøgning i Region X (70 pct.)"
    )


def test_display_table_is_numeric_with_nulls_for_hidden_cells() -> None:
    shown = tables.suppressed_snapshot(snapshot_frame())
    spark = pl.DataFrame({"municipality_code": [101, 147, 360, 376], "trend": [[1.0]] * 4})
    table = tables.display_table(shown, spark)
    lolland = table.filter(pl.col("Kommune") == "Lolland").row(0, named=True)
    # 1–4 persons: every figure of the row is missing (a dash on the page), the count itself too.
    assert lolland["Andel med jobsøgning (pct.)"] is None
    assert lolland["Ingen jobsøgning (0)"] is None and lolland["Personer"] is None and lolland["Rang"] is None
    assert table["Kommune"].to_list()[:2] == ["Guldborgsund", "København"]
    # Shares in percent, changes in percentage points, counts: numbers, so the page sorts them as numbers.
    for column in (
        "Andel med jobsøgning (pct.)",
        "95 pct.-interval fra (pct.)",
        "Siden sidste år (pct.-point)",
    ):
        assert table[column].dtype == pl.Float64, column
    assert table["Personer"].dtype.is_integer() and table["Rang"].dtype.is_integer()
    assert table.filter(pl.col("Kommune") == "København")["Andel med jobsøgning (pct.)"][0] == 70.0


def test_display_table_places_a_bounded_share_at_its_bound() -> None:
    # 2 of 120 without a job search: the share would reveal the 2, so it is shown as "mindst 96,7 pct."
    frame = snapshot_frame().vstack(
        snapshot_frame()
        .head(1)
        .with_columns(
            municipality_code=pl.lit(400, pl.Int64),
            name=pl.lit("Bornholm"),
            persons=pl.lit(120, pl.Int64),
            persons_0=pl.lit(2, pl.Int64),
            persons_1_5=pl.lit(60, pl.Int64),
            persons_6plus=pl.lit(58, pl.Int64),
            share_joblogged=pl.lit(118 / 120),
        )  # fmt: skip
    )
    shown = tables.suppressed_snapshot(frame)
    table = tables.display_table(shown, pl.DataFrame({"municipality_code": [400], "trend": [[1.0]]}))
    row = table.filter(pl.col("Kommune") == "Bornholm").row(0, named=True)
    assert row["Grænse"] == "mindst"
    assert row["Andel med jobsøgning (pct.)"] == round(116 / 120 * 100, 1)
    assert (row["95 pct.-interval fra (pct.)"], row["95 pct.-interval til (pct.)"]) == (96.7, 100.0)
    assert row["Ingen jobsøgning (0)"] is None and row["Siden sidste år (pct.-point)"] is None
    assert row["Rang"] == 1 and row["Personer"] == 120


def test_sparklines_cover_twelve_months_and_leave_out_gaps() -> None:
    months = pl.date_range(date(2017, 10, 1), SEP18, "1mo", eager=True)
    panel = pl.DataFrame(
        {
            "municipality_code": [101] * 12,
            "month": months,
            "persons": [10] * 11 + [3],
            "persons_0": [5] * 11 + [1],
            "share_joblogged": [0.5] * 12,
        }
    )
    spark = tables.sparklines(panel.filter(pl.col("month") != date(2018, 1, 1)), SEP18)
    values = spark["trend"][0].to_list()
    # No data in January, 3 persons (hidden) in September: left out, so the sparkline never holds a null.
    assert values == [50.0] * 10


def test_name_search_is_literal_and_case_insensitive() -> None:
    frame = pl.DataFrame({"name": ["Lolland", "Læsø", "Ringkøbing-Skjern"]})
    assert tables.filter_by_name(frame, "LOL")["name"].to_list() == ["Lolland"]
    assert tables.filter_by_name(frame, ".*")["name"].to_list() == []
    assert tables.filter_by_name(frame, "  ")["name"].to_list() == ["Lolland", "Læsø", "Ringkøbing-Skjern"]


def test_kpi_of_an_area_with_one_to_four_persons_is_suppressed() -> None:
    frame = trend_frame().with_columns(
        pl.when(pl.col("benefit_group") == "dagpenge").then(4).otherwise(pl.col("persons")).alias("persons")
    )
    dagpenge = overview.kpis(frame, SEP18, ["dagpenge"])[0]
    assert dagpenge.suppressed and dagpenge.share is None and dagpenge.persons_none is None
