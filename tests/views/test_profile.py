"""Unit tests of the pure profile and group figures (analysis.municipal, views.groups, fmt.display_table,
fair.letter_covered) on small hand-made frames with hand-worked answers."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from joblog_dash.analysis import fair, municipal
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.views import groups


def m(year: int, month: int) -> date:
    return date(year, month, 1)


def series(rows: list[tuple[date, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["month", "persons", "persons_0"], orient="row")


def panel(rows: list[tuple[date, int, str, int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema=["month", "municipality_code", "name", "persons", "persons_0"], orient="row"
    )


def test_key_figures_share_interval_and_change_since_a_year() -> None:
    s = series([(m(2017, 9), 100, 50), (m(2018, 9), 200, 40)])
    kf = municipal.key_figures(s, m(2018, 9))
    assert kf.persons == 200 and kf.persons_0 == 40
    assert kf.share == pytest.approx(0.8)
    assert kf.share_none == pytest.approx(0.2)
    assert kf.share_year_ago == pytest.approx(0.5)
    assert kf.change_year == pytest.approx(0.3)
    # Wilson 95 % for 160/200 by hand: centre (0.8 + 1.96²/400) / (1 + 1.96²/200) = 0.79435,
    # half-width 1.96·sqrt(0.8·0.2/200 + 1.96²/160000) / 1.019208 = 0.05520.
    assert kf.lower == pytest.approx(0.73915, abs=5e-5)
    assert kf.upper == pytest.approx(0.84955, abs=5e-5)


def test_key_figures_without_persons_or_year_ago() -> None:
    kf = municipal.key_figures(series([(m(2018, 9), 0, 0)]), m(2018, 9))
    assert kf.share is None and kf.lower is None and kf.change_year is None
    kf = municipal.key_figures(series([(m(2018, 9), 10, 5)]), m(2018, 9))
    assert kf.share == pytest.approx(0.5) and kf.change_year is None


def test_position_since_finds_start_of_current_run() -> None:
    months = [m(2016, k) for k in range(1, 7)]
    own = pl.DataFrame({"month": months, "share_joblogged": [0.9, 0.9, 0.9, 0.5, 0.5, 0.5]})
    ref = pl.DataFrame({"month": months, "share_joblogged": [0.7] * 6})
    pos = municipal.position_since(own, ref)
    # Trailing 3-month mean of the difference: +.2, +.2, +.2, +.067, -.067, -.2 -> under since May.
    assert pos.state == "under"
    assert pos.since == m(2016, 5)
    assert pos.months == 2


def test_position_since_whole_period_and_single_noisy_month() -> None:
    months = [m(2016, k) for k in range(1, 6)]
    own = pl.DataFrame({"month": months, "share_joblogged": [0.5, 0.5, 0.75, 0.5, 0.5]})
    ref = pl.DataFrame({"month": months, "share_joblogged": [0.6] * 5})
    pos = municipal.position_since(own, ref)
    assert pos.state == "under" and pos.since is None and pos.months == 5


def test_covers_letter_needs_every_month_of_both_windows() -> None:
    assert reference.letter_month() == m(2018, 5)  # from data/events.csv (the letter of 7 May 2018)
    full = [fmt.add_months(m(2017, 5), k) for k in range(25)]
    assert fair.letter_covered(full)
    assert fair.letter_covered([x for x in full if x != m(2018, 5)])  # the event month itself is not used
    assert not fair.letter_covered([x for x in full if x != m(2019, 5)])  # a gap inside the window
    assert not fair.letter_covered(full[1:])


def test_share_spread_percentiles_leave_out_small_municipalities() -> None:
    rows = [(m(2018, 1), code, f"K{code}", 10, 10 - k) for k, code in enumerate(range(101, 111))]
    rows.append((m(2018, 1), 999, "Lille", 4, 0))  # 4 persons: suppressed, not part of the spread
    spread = groups.share_spread(panel(rows))
    # Shares 0.0, 0.1, ..., 0.9: median 0.45, 10 % (linear) 0.09, 90 % 0.81.
    row = spread.row(0, named=True)
    assert row["municipalities"] == 10
    assert row["median"] == pytest.approx(0.45)
    assert row["low"] == pytest.approx(0.09)
    assert row["high"] == pytest.approx(0.81)


def test_movers_filter_order_and_intervals() -> None:
    a, b = m(2017, 9), m(2018, 9)
    rows = [
        (a, 1, "Op", 100, 50), (b, 1, "Op", 100, 20),  # 0.5 -> 0.8
        (a, 2, "Ned", 50, 10), (b, 2, "Ned", 50, 30),  # 0.8 -> 0.4
        (a, 3, "Lidt", 40, 20), (b, 3, "Lidt", 40, 18),  # 0.5 -> 0.55
        (a, 4, "Lille", 19, 19), (b, 4, "Lille", 100, 0),  # 19 persons at the start: left out
        (b, 5, "Ny", 100, 0),  # no start month: left out
    ]  # fmt: skip
    table = groups.movers(panel(rows), a, b)
    assert table["name"].to_list() == ["Op", "Lidt", "Ned"]
    assert table["change"].to_list() == pytest.approx([0.3, 0.05, -0.4])
    first = table.row(0, named=True)
    assert first["lower_end"] < 0.8 < first["upper_end"]
    improvers, decliners = groups.top_movers(table, n=1)
    assert improvers["name"].to_list() == ["Op"]
    assert decliners["name"].to_list() == ["Ned"]


def test_heatmap_frame_blanks_small_cells_and_orders_by_month() -> None:
    a, b = m(2018, 1), m(2018, 2)
    rows = [
        (a, 1, "A", 10, 5), (b, 1, "A", 10, 1),  # Feb share 0.9
        (a, 2, "B", 10, 0), (b, 2, "B", 10, 5),  # Feb share 0.5
        (a, 3, "C", 10, 0), (b, 3, "C", 3, 0),  # Feb: 3 persons -> blank, sorted last
    ]  # fmt: skip
    cells = groups.heatmap_frame(panel(rows), b)
    order = cells.select("name", "order").unique().sort("order")["name"].to_list()
    assert order == ["A", "B", "C"]
    c_feb = cells.filter((pl.col("name") == "C") & (pl.col("month") == b))
    assert c_feb["share"][0] is None
    assert cells.filter((pl.col("name") == "C") & (pl.col("month") == a))["share"][0] == pytest.approx(1.0)


def test_rank_table_observed_rank_per_month() -> None:
    a = m(2018, 1)
    rows = [(a, 1, "A", 100, 10), (a, 2, "B", 100, 50), (a, 3, "C", 100, 30), (a, 4, "D", 0, 0)]
    ranks = municipal.rank_table(panel(rows), n_sims=200).sort("municipality_code")
    assert ranks["rank"].to_list() == [1, 3, 2, None]
    assert ranks["ranked"].to_list() == [3, 3, 3, 3]
    lower, upper = ranks["rank_lower"].to_list(), ranks["rank_upper"].to_list()
    assert all(lo <= r <= up for lo, r, up in zip(lower[:3], [1, 3, 2], upper[:3], strict=True))


def test_peer_features_per_inhabitant_and_log_population() -> None:
    sizes = pl.DataFrame({"municipality_code": [1, 2], "kontanthjaelp": [10, 30]})
    munis = pl.DataFrame(
        {"code": [1, 2, 3], "region": ["R", "R", "S"], "population_2018": [1000, 3000, 2000]}
    )
    features = municipal.peer_features(sizes, munis).sort("code")
    assert features["kontanthjaelp"].to_list() == pytest.approx([10.0, 10.0, 0.0])
    assert features["population"][1] - features["population"][0] == pytest.approx(1.0986, abs=1e-4)


def test_display_table_is_danish_text() -> None:
    frame = pl.DataFrame({"month": [m(2018, 9)], "share": [0.6823], "change": [-0.031], "n": [12345]})
    table = fmt.display_table(
        frame,
        [
            ("month", "Måned", "month"),
            ("share", "Andel", "pct"),
            ("change", "Ændring", "pp"),
            ("n", "N", "int"),
        ],
    )
    assert table.row(0) == ("sep. 2018", "68,2 pct.", "−3,1 pct.-point", "12.345")
