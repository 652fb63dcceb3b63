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


def test_display_table_marks_suppressed_rows_in_every_hidden_cell() -> None:
    shown = tables.suppressed_snapshot(snapshot_frame())
    spark = pl.DataFrame({"municipality_code": [101, 147, 360, 376], "trend": [[1.0]] * 4})
    table = tables.display_table(shown, spark)
    lolland = table.filter(pl.col("Kommune") == "Lolland").row(0, named=True)
    assert lolland["Andel med jobsøgning"] == "for få personer"
    assert lolland["Ingen jobsøgning (0)"] == "for få personer"
    assert lolland["Personer"] == "for få personer"  # 1–4 persons: the count itself is hidden too
    assert table["Kommune"].to_list()[:2] == ["Guldborgsund", "København"]


def test_sparklines_cover_twelve_months_with_gaps_for_small_counts() -> None:
    months = pl.date_range(date(2017, 10, 1), SEP18, "1mo", eager=True)
    panel = pl.DataFrame(
        {
            "municipality_code": [101] * 12,
            "month": months,
            "persons": [10] * 11 + [3],
            "share_joblogged": [0.5] * 12,
        }
    )
    spark = tables.sparklines(panel.filter(pl.col("month") != date(2018, 1, 1)), SEP18)
    values = spark["trend"][0].to_list()
    assert len(values) == 12
    assert values[3] is None  # no data in January
    assert values[-1] is None  # 3 persons: hidden
    assert values[0] == 50.0


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
