"""The follow-up list and the letter's effect on hand-made panels with known answers."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from joblog_dash.analysis import fair, followup, stats
from joblog_dash.text import fmt

MONTHS = [fmt.add_months(date(2017, 1, 1), i) for i in range(36)]  # jan. 2017 – dec. 2019
NAMES = {101: "A", 147: "B", 151: "C", 153: "D", 155: "E", 157: "F"}


def panel(shares: dict[int, list[float]], persons: dict[int, int]) -> pl.DataFrame:
    """A queries.panel-like frame: joblogged = round(share × persons); 6+ = half of the joblogged."""
    rows = []
    for code, series in shares.items():
        for month, share in zip(MONTHS, series, strict=True):
            n = persons[code]
            logged = round(share * n)
            rows.append(
                {"month": month, "municipality_code": code, "name": NAMES[code], "region": "Region X",
                 "persons": n, "persons_0": n - logged, "persons_6plus": logged // 2}
            )  # fmt: skip
    return pl.DataFrame(rows).with_columns(pl.col("municipality_code").cast(pl.Int32))


def flat(value: float) -> list[float]:
    return [value] * len(MONTHS)


def drop_last(value: float, to: float, months: int = 6) -> list[float]:
    return [value] * (len(MONTHS) - months) + [to] * months


@pytest.fixture
def example() -> pl.DataFrame:
    # B falls from 80 % to 70 % in the last 6 months, E rises to 90 %: the pooled target stays 80 %.
    # D and F are too small to show (two of them, so no secondary suppression of a big one).
    return panel(
        {101: flat(0.8), 147: drop_last(0.8, 0.7), 151: flat(0.8), 153: flat(0.8), 155: drop_last(0.8, 0.9),
         157: flat(0.5)},
        {101: 1000, 147: 1000, 151: 1000, 153: 3, 155: 1000, 157: 2},
    )  # fmt: skip


def test_only_the_municipality_that_fell_is_listed_with_its_reasons(example: pl.DataFrame) -> None:
    result = followup.build(example, MONTHS[-1], "joblogged", overdispersion=False)
    assert result.table["code"].to_list() == [147]
    row = result.table.row(0, named=True)
    assert row["verdict"] == stats.VERDICT_UNDER
    assert "Under forventet niveau i forhold til landet" in row["why"]
    assert "uden for 99,8 pct.-grænsen" in row["why"]
    assert "6 måneder i træk under eget niveau" in row["why"]
    assert row["severity"] == followup.POINTS["funnel_998"] + followup.POINTS["rule_998"]
    assert row["level"] == "Høj"
    assert row["share"] == pytest.approx(0.7)
    assert row["lower"] < 0.7 < row["upper"]
    # D and F have 3 and 2 persons: never assessed, named as skipped; E rose (good side): not listed.
    assert result.skipped == ("D", "F")
    assert result.checked == 4


def test_direction_follows_the_measure(example: pl.DataFrame) -> None:
    # Share without job search: B's rose (bad side "above"), E's fell (good): again only B.
    result = followup.build(example, MONTHS[-1], "none", overdispersion=False)
    assert result.table["code"].to_list() == [147]
    assert result.table["verdict"][0] == stats.VERDICT_OVER
    assert "over eget niveau" in result.table["why"][0]


def test_before_the_change_nobody_is_listed(example: pl.DataFrame) -> None:
    result = followup.build(example, MONTHS[-7], "joblogged", overdispersion=False)
    assert result.table.is_empty()
    assert result.checked == 4


def test_area_restricts_the_list_and_area_target(example: pl.DataFrame) -> None:
    assert followup.build(example, MONTHS[-1], area_codes=[101, 151], overdispersion=False).table.is_empty()
    # Compared only with B itself, B is at its own target: only the p-chart signal remains.
    alone = followup.build(example, MONTHS[-1], area_codes=[147], target_kind="area", overdispersion=False)
    assert alone.table["verdict"][0] == stats.VERDICT_WITHIN
    assert alone.table["severity"][0] == followup.POINTS["rule_998"]


def test_sorted_by_severity_then_distance(example: pl.DataFrame) -> None:
    # C falls a little in the last 6 months: a run below its own level, but inside the funnel.
    shares = {c: s for c, s in [(101, flat(0.8)), (147, drop_last(0.8, 0.7)), (151, drop_last(0.8, 0.78))]}
    frame = panel(shares, {101: 1000, 147: 1000, 151: 1000})
    table = followup.build(frame, MONTHS[-1], overdispersion=False).table
    assert table["code"].to_list() == [147, 151]
    assert table["severity"].to_list() == sorted(table["severity"].to_list(), reverse=True)


def test_letter_effect_classes_and_sign_by_measure() -> None:
    # A rises from 60 % to 80 % after May 2018, B stays at 60 %: A moved more than the country, B less.
    jump = [0.6 if m <= date(2018, 5, 1) else 0.8 for m in MONTHS]
    frame = panel({101: jump, 147: flat(0.6), 151: jump}, {101: 800, 147: 800, 151: 200})
    effect = fair.letter_effect(frame, "joblogged")
    moved = dict(zip(effect["code"].to_list(), effect["moved"].to_list(), strict=True))
    assert moved[147] == fair.MOVED_LESS
    assert moved[101] == fair.MOVED_MORE
    b = effect.filter(pl.col("code") == 147).row(0, named=True)
    assert b["change"] == pytest.approx(0.0)
    assert b["national_change"] == pytest.approx((0.8 - 0.6) * 1000 / 1800)
    # For the share without job search the same facts read the same way: B did not move, A did.
    none = fair.letter_effect(frame, "none")
    moved_none = dict(zip(none["code"].to_list(), none["moved"].to_list(), strict=True))
    assert moved_none[147] == fair.MOVED_LESS and moved_none[101] == fair.MOVED_MORE
    assert none.filter(pl.col("code") == 101)["change"][0] == pytest.approx(-0.2)


def test_letter_is_context_for_a_listed_municipality() -> None:
    # B did not move after the letter AND falls at the end: listed, with the letter as an extra reason.
    jump = [0.6 if m <= date(2018, 5, 1) else 0.8 for m in MONTHS]
    b = [0.6] * 30 + [0.45] * 6
    frame = panel({101: jump, 147: b, 151: jump}, {101: 800, 147: 800, 151: 800})
    table = followup.build(frame, MONTHS[-1], overdispersion=False).table
    row = table.filter(pl.col("code") == 147).row(0, named=True)
    assert "Flyttede sig mindre end landet efter brevet" in row["why"]
    assert row["letter"] == fair.MOVED_LESS
    # A and C moved more and are level: not listed on the letter alone.
    assert table["code"].to_list() == [147]


def test_letter_coverage() -> None:
    assert fair.letter_covered(MONTHS)
    assert not fair.letter_covered(MONTHS[6:])  # starts jul. 2017: no full year before May 2018
    assert not fair.letter_covered([])


def test_list_table_and_markdown(example: pl.DataFrame) -> None:
    table = followup.build(example, MONTHS[-1], overdispersion=False).table
    shown = followup.list_table(table)
    assert shown["Kommune"].to_list() == ["B"]
    assert shown["Andel med jobsøgning"][0] == "70,0 pct."
    assert followup.why_markdown(table).startswith("- **B** (høj prioritet): Under forventet niveau")


def test_suspended_months_are_left_out_of_the_p_chart() -> None:
    months = [fmt.add_months(date(2019, 7, 1), i) for i in range(24)]  # jul. 2019 – jun. 2021
    shares = [0.1 if date(2020, 3, 1) <= m <= date(2020, 5, 1) else 0.8 for m in months]
    rows = [
        {"month": m, "municipality_code": 101, "name": "A", "region": "R", "persons": 500,
         "persons_0": 500 - round(500 * s), "persons_6plus": 0}
        for m, s in zip(months, shares, strict=True)
    ]  # fmt: skip
    frame = pl.DataFrame(rows).with_columns(pl.col("municipality_code").cast(pl.Int32))
    assert followup.suspended_months() == {date(2020, 3, 1), date(2020, 4, 1), date(2020, 5, 1)}
    table = followup.municipality_signals(frame, 101, months[-1], "joblogged")
    assert table["excluded"].sum() == 3
    assert table.filter(pl.col("excluded"))["share"].null_count() == 3
    assert table["persons"].to_list() == [500.0] * 24  # true persons kept for the table
    assert table["centre"][0] == pytest.approx(0.8)  # the collapse does not drag the centre line down
    assert not stats.latest_signals(table).active
    # Without the exclusion the same series would put every later month above its own level.
    raw = followup.municipality_signals(frame, 101, months[-1], "joblogged", exclude=frozenset())
    assert stats.latest_signals(raw).active


def _one_by_one(frame: pl.DataFrame, month: date, measure: str) -> dict[int, stats.LatestSignals]:
    codes = frame["municipality_code"].unique().to_list()
    return {c: stats.latest_signals(followup.municipality_signals(frame, c, month, measure)) for c in codes}


def test_latest_signals_of_every_municipality_at_once_equal_the_p_chart_frames(example: pl.DataFrame) -> None:
    """The list's one-pass numpy path says for every municipality exactly what its p-chart frame says
    (stats.signals + latest_signals, the path the p-chart page draws): rules, direction and text. Covers
    the hand-made falls and rises, tiny units, short windows (no baseline) and a month with no persons."""
    holes = example.with_columns(
        pl.when((pl.col("municipality_code") == 151) & (pl.col("month") == MONTHS[-2]))
        .then(0)
        .otherwise(pl.col("persons"))
        .alias("persons")
    ).with_columns(pl.min_horizontal(c, "persons").alias(c) for c in ("persons_0", "persons_6plus"))
    fired = 0
    for frame in (example, holes):
        for month in (MONTHS[5], MONTHS[12], MONTHS[-4], MONTHS[-1]):
            for measure in ("joblogged", "none", "6plus"):
                at_once = followup.latest_signals_by_municipality(frame, month, measure)
                assert at_once == _one_by_one(frame, month, measure), (month, measure)
                fired += sum(s.active for s in at_once.values())
    assert fired > 0  # the comparison covers months where rules fire, not only quiet ones


def test_latest_signals_at_once_keep_suspended_months_out() -> None:
    months = [fmt.add_months(date(2019, 7, 1), i) for i in range(24)]  # jul. 2019 – jun. 2021
    rows = [
        {"month": m, "municipality_code": code, "name": "A", "region": "R", "persons": 500,
         "persons_0": 500 - round(500 * (0.1 if date(2020, 3, 1) <= m <= date(2020, 5, 1) else 0.8)) + code % 2,
         "persons_6plus": 0}
        for m in months for code in (101, 147)
    ]  # fmt: skip
    frame = pl.DataFrame(rows).with_columns(pl.col("municipality_code").cast(pl.Int32))
    for exclude in (None, frozenset()):
        at_once = followup.latest_signals_by_municipality(frame, months[-1], "joblogged", exclude=exclude)
        one = {
            c: stats.latest_signals(followup.municipality_signals(frame, c, months[-1], "joblogged", exclude))
            for c in (101, 147)
        }
        assert at_once == one
    assert not followup.latest_signals_by_municipality(frame, months[-1], "joblogged")[101].active
    assert followup.latest_signals_by_municipality(frame, months[-1], "joblogged", frozenset())[101].active
