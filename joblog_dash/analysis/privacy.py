"""Statistical disclosure control: the one rule for every figure that leaves the server.

The rule (as in Jobindsats and Danmarks Statistik's publications): no count of 1–4 persons is shown, and no
figure is shown that rests on fewer than MIN_PERSONS persons or that would let a hidden count be recovered.

- A row whose `persons` is 1–4 is hidden whole: the count itself and every figure computed from it.
- A count of 1–4 inside a row (persons without job search, with 1–5, with 6+, the measure's `successes`)
  is hidden, and so is every figure resting on it. A share x/n with n shown also reveals n − x, so a share
  rests on both x and n − x.
- Complementary suppression: the parts of a row add up to `persons`, so when one part is hidden the
  next-smallest part is hidden too (and more, until the hidden parts sum to MIN_PERSONS or more). When a
  total over the rows is shown (a table of municipalities with the area's total), the same holds across rows
  for each count column.
- Sums over several municipalities are published like any count: 0 or 5 and more.

Statistics are computed from the unsuppressed counts (hiding Læsø must not move the national target);
`publish` is applied to what a view hands on, so every surface — page, brief, deck, downloads, CLI — shows
only published figures. Views call it once per frame they return; nothing else decides what is hidden.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import polars as pl

MIN_PERSONS = 5
SUPPRESSED_TEXT = "for få personer"

PARTS = ("persons_0", "persons_1_5", "persons_6plus")
# Figures computed from one measure's numerator (`successes`) and `persons`: shares, intervals, funnel
# z-scores and verdicts, ranks, control limits of a p-chart point.
MEASURE_FIGURES = (
    "share", "lower", "upper", "z", "verdict", "outside_998", "rank", "rank_lower", "rank_upper",
    "signal", "share_smoothed",
)  # fmt: skip
# Figures of the standard counts, and the counts each rests on (a share rests on its complement too).
# Shares of another month carried on a row (a snapshot's month before and year before): their own counts.
OTHER_MONTHS = {
    "share_joblogged_prev_month": ("persons_prev_month", "persons_0_prev_month"),
    "share_joblogged_year_ago": ("persons_year_ago", "persons_0_year_ago"),
}
_PART_FIGURES = {
    # share_adjusted: the standardised share (observed / expected × the national share) rests on persons_0.
    "persons_0": ("share_none", "share_joblogged", "persons_joblogged", "share_adjusted"),
    "persons_1_5": ("share_1_5",),
    "persons_6plus": ("share_6plus",),
}


def is_small(values: np.ndarray) -> np.ndarray:
    """True for counts of 1–4 (nulls count as 0: nothing to hide)."""
    return (values >= 1) & (values < MIN_PERSONS)


def _counts(frame: pl.DataFrame, column: str) -> np.ndarray:
    return frame[column].fill_null(0).cast(pl.Float64).to_numpy()


def _complement_in_rows(parts: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Per row, hide more parts until no hidden part can be recovered by subtraction from the total."""
    hidden = hidden.copy()
    for i in np.flatnonzero(hidden.any(axis=1)):
        row, mask = parts[i], hidden[i]
        while True:
            hidden_sum = row[mask].sum()
            if mask.sum() >= 2 and hidden_sum >= MIN_PERSONS:
                break
            candidates = np.flatnonzero(~mask & (row > 0))
            if candidates.size == 0:
                break
            mask[candidates[np.argmin(row[candidates])]] = True
    return hidden


def complementary_rows(persons: np.ndarray, hidden: np.ndarray) -> np.ndarray:
    """Across rows whose total is shown: if exactly one row is hidden (or the hidden rows sum to 1–4), the
    next-smallest visible rows are hidden as well."""
    hidden = hidden.copy()
    while hidden.any():
        hidden_sum = persons[hidden].sum()
        if hidden.sum() >= 2 and hidden_sum >= MIN_PERSONS:
            break
        candidates = np.flatnonzero(~hidden & (persons > 0))
        if candidates.size == 0:
            break
        hidden[candidates[np.argmin(persons[candidates])]] = True
    return hidden


def suppression_mask(persons: pl.Series, total_shown: bool = True) -> pl.Series:
    """True where a row must be hidden whole: 1–4 persons, plus the complementary rows when a total of the
    rows is shown."""
    values = persons.fill_null(0).cast(pl.Float64).to_numpy()
    hidden = is_small(values)
    if total_shown:
        hidden = complementary_rows(values, hidden)
    return pl.Series("suppressed", hidden)


class _Hidden:
    """Which cells of a frame's columns to null: the rules' masks OR-ed per column, applied in one pass.
    Every rule reads the original counts, so one pass nulls exactly what applying them one by one did."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.columns = set(frame.columns)
        self.masks: dict[str, np.ndarray] = {}

    def add(self, columns: Iterable[str], mask: np.ndarray) -> None:
        if not mask.any():
            return
        for c in columns:
            if c in self.columns:
                self.masks[c] = self.masks[c] | mask if c in self.masks else mask

    def apply(self, frame: pl.DataFrame) -> pl.DataFrame:
        return frame.with_columns(
            pl.when(pl.lit(pl.Series(mask))).then(None).otherwise(pl.col(c)).alias(c)
            for c, mask in self.masks.items()
        )


def publish(
    frame: pl.DataFrame,
    *,
    total_shown: bool = False,
    keep: Iterable[str] = (),
    successes: str = "successes",
) -> pl.DataFrame:
    """The published version of a frame of counts and the figures computed from them.

    `persons` is required; PARTS, `successes` (the chosen measure's numerator) and the figure columns are
    optional. Every column not in `keep` (identifiers, labels, months, codes) is a figure of the row and is
    hidden with it. `total_shown`: the frame's rows are shown with their total (complementary rows). Adds
    `suppressed` (the row hidden whole), or keeps an existing one OR-ed in.
    """
    keep = set(keep) | {"suppressed"}
    persons = _counts(frame, "persons")
    row_hidden = suppression_mask(frame["persons"], total_shown).to_numpy()
    if "suppressed" in frame.columns:
        row_hidden = row_hidden | frame["suppressed"].fill_null(False).to_numpy()
    hidden_cells = _Hidden(frame)
    hidden_cells.add([c for c in frame.columns if c not in keep], row_hidden)
    present = [p for p in PARTS if p in frame.columns]
    if present:
        parts = np.column_stack([_counts(frame, p) for p in present])
        hidden = _complement_in_rows(parts, is_small(parts))
        if total_shown:
            for j in range(parts.shape[1]):
                hidden[:, j] = complementary_rows(parts[:, j], hidden[:, j])
        for j, part in enumerate(present):
            hidden_cells.add((part, *_PART_FIGURES[part]), hidden[:, j])
        if "persons_0" in present:  # the joblogged count is the complement of persons_0
            joblogged_small = is_small(persons - parts[:, present.index("persons_0")])
            hidden_cells.add(_PART_FIGURES["persons_0"], joblogged_small)
    for share, (n_col, none_col) in OTHER_MONTHS.items():
        if share in frame.columns and n_col in frame.columns and none_col in frame.columns:
            n, none = _counts(frame, n_col), _counts(frame, none_col)
            hidden_cells.add((share, n_col, none_col), is_small(n) | is_small(none) | is_small(n - none))
    if successes in frame.columns:
        x = _counts(frame, successes)
        measure_hidden = is_small(x) | is_small(persons - x)
        hidden_cells.add((successes, *MEASURE_FIGURES), measure_hidden)
    return hidden_cells.apply(frame).with_columns(pl.Series("suppressed", row_hidden))


def suppress(frame: pl.DataFrame, columns: list[str], total_shown: bool = True) -> pl.DataFrame:
    """Null out `columns` on rows hidden whole (1–4 persons and the complementary rows) and add
    `suppressed`. For frames whose every figure is listed; `publish` covers the counts inside a row too."""
    mask = suppression_mask(frame["persons"], total_shown)
    return frame.with_columns(
        [pl.when(mask).then(None).otherwise(pl.col(c)).alias(c) for c in columns] + [mask.alias("suppressed")]
    )


def hidden(value: float | int | None, persons: float | int | None) -> bool:
    """For a single figure outside a frame: whether a figure on `persons` persons must not be shown."""
    return value is None or persons is None or 0 < persons < MIN_PERSONS
