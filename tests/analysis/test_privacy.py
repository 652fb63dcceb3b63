"""Disclosure control: no figure from fewer than 5 persons, and none derivable by subtraction."""

import polars as pl

from joblog_dash.analysis import privacy


def test_primary_suppression_hides_1_to_4_persons_only() -> None:
    frame = pl.DataFrame({"persons": [0, 1, 4, 5, 30, 2], "share": [None, 1.0, 0.5, 0.4, 0.3, 0.5]})
    out = privacy.suppress(frame, ["share"])
    assert out["suppressed"].to_list() == [False, True, True, False, False, True]
    assert out["share"].to_list() == [None, None, None, 0.4, 0.3, None]


def test_a_single_hidden_row_takes_the_next_smallest_with_it() -> None:
    # With the total shown, 3 persons could be found as total - (10 + 7 + 20): hide 7 as well.
    frame = pl.DataFrame({"persons": [3, 10, 7, 20], "share": [0.1, 0.2, 0.3, 0.5]})
    out = privacy.suppress(frame, ["share"])
    assert out["suppressed"].to_list() == [True, False, True, False]
    # Without a shown total there is nothing to subtract from.
    alone = privacy.suppress(frame, ["share"], total_shown=False)
    assert alone["suppressed"].to_list() == [True, False, False, False]


def test_nothing_hidden_when_all_rows_are_large_enough() -> None:
    frame = pl.DataFrame({"persons": [5, 6, 100], "share": [0.2, 0.3, 0.4]})
    assert not privacy.suppress(frame, ["share"])["suppressed"].any()


def _snapshot(rows: list[tuple[int, int]]) -> pl.DataFrame:
    """(persons, persons_0) per municipality; the rest of the persons split between 1–5 and 6+."""
    persons = [n for n, _ in rows]
    none = [z for _, z in rows]
    return pl.DataFrame(
        {
            "persons": persons,
            "persons_0": none,
            "persons_1_5": [(n - z) // 2 for n, z in rows],
            "persons_6plus": [n - z - (n - z) // 2 for n, z in rows],
            "share_joblogged": [(n - z) / n for n, z in rows],
        }
    )


def test_a_share_resting_on_0_to_4_is_published_as_a_bound_from_the_persons_alone() -> None:
    # 0, 2 and 4 without a job search among 157: the same published row, "at least 153/157", so the bound
    # tells neither the count nor 0 from 1–4; 0–4 with a job search among 60: "at most 4/60".
    for none in (0, 2, 4):
        out = privacy.publish(_snapshot([(157, none)]))
        row = out.row(0, named=True)
        assert row["share_joblogged"] is None and row["persons_0"] is None and row["persons"] == 157
        assert (row["bound"], row["bound_lower"], row["bound_upper"]) == ("min", 153 / 157, 1.0)
    for logged in (0, 3):
        row = privacy.publish(_snapshot([(60, 60 - logged)])).row(0, named=True)
        assert (row["bound"], row["bound_lower"], row["bound_upper"]) == ("max", 0.0, 4 / 60)
        assert row["persons_0"] is None  # persons − persons_0 would give the count with a job search
    exact = privacy.publish(_snapshot([(157, 5)])).row(0, named=True)
    assert exact["share_joblogged"] == 152 / 157 and exact["bound"] is None


def test_a_lone_bounded_row_under_a_shown_total_takes_a_wider_bound_on_the_next_smallest() -> None:
    # The total of persons_0 is shown: 3 = total − 30 − 40 would be found. The row with fewest without a job
    # search (30 of 300) is bounded too, "at most 295/300": true, and it leaves the 3 a range from 0.
    out = privacy.publish(_snapshot([(157, 3), (300, 30), (200, 40)]), total_shown=True)
    assert out["bound"].to_list() == ["min", "max", None]
    assert out["bound_upper"][1] == 295 / 300 and out["share_joblogged"][2] == 160 / 200
    alone = privacy.publish(_snapshot([(157, 3), (300, 30), (200, 40)]))
    assert alone["bound"].to_list() == ["min", None, None]


def test_bounded_rows_at_their_cap_are_complemented() -> None:
    # Two rows bounded at "0–4 without" whose hidden counts sum to 8 could only be 4 and 4: a third is hidden.
    out = privacy.publish(_snapshot([(100, 4), (120, 4), (300, 30), (200, 40)]), total_shown=True)
    assert out["bound"].to_list() == ["min", "min", "max", None]
    # Summing to 5, each would be 1–4 (the other at most 4): not 0, so a third is hidden as well.
    five = privacy.publish(_snapshot([(100, 1), (120, 4), (300, 30), (200, 40)]), total_shown=True)
    assert five["bound"].to_list() == ["min", "min", "max", None]
    # Three summing to 8: any of them may be 0 (the others 4 and 4): enough.
    ok = privacy.publish(_snapshot([(100, 1), (120, 4), (130, 3), (300, 30), (200, 40)]), total_shown=True)
    assert ok["bound"].to_list() == ["min", "min", "min", None, None]


def test_area_totals_shown_elsewhere_are_complemented_group_by_group() -> None:
    frame = _snapshot([(157, 3), (300, 30), (200, 40), (150, 20)]).with_columns(
        region=pl.Series(["A", "A", "B", "B"])
    )
    out = privacy.publish(frame, total_shown=True, total_groups=("region",))
    # Region A's total less its shown row would give the 3: its other row is bounded as well.
    assert out["bound"].to_list()[:2] == ["min", "max"]
    assert out["bound"].to_list()[2:] == [None, None]
