"""Statistical disclosure control: no figure from fewer than MIN_PERSONS persons is shown."""

from __future__ import annotations

import polars as pl

MIN_PERSONS = 5
SUPPRESSED_TEXT = "for få personer"


def suppression_mask(persons: pl.Series, total_shown: bool = True) -> pl.Series:
    """True where a row must be hidden.

    Primary: fewer than MIN_PERSONS persons (but more than 0). Secondary: if exactly one row is hidden
    and the total of the rows is shown, that row could be found by subtraction, so the next-smallest
    row is hidden as well.
    """
    primary = (persons > 0) & (persons < MIN_PERSONS)
    if not total_shown or int(primary.sum()) != 1:
        return primary
    visible = persons.filter(~primary & (persons > 0))
    if visible.is_empty():
        return primary
    smallest = visible.min()
    second_index = next(
        i for i, (p, hidden) in enumerate(zip(persons, primary, strict=True)) if p == smallest and not hidden
    )
    return primary | (pl.int_range(0, persons.len(), eager=True) == second_index)


def suppress(frame: pl.DataFrame, columns: list[str], total_shown: bool = True) -> pl.DataFrame:
    """Null out `columns` on suppressed rows and add a boolean `suppressed` column."""
    mask = suppression_mask(frame["persons"], total_shown)
    return frame.with_columns(
        [pl.when(mask).then(None).otherwise(pl.col(c)).alias(c) for c in columns] + [mask.alias("suppressed")]
    )
