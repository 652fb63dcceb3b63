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
