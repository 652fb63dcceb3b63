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
- Bounds instead of gaps: where the share joblogged would reveal 0–4 persons without (or with) a job search,
  the row keeps its persons and the share is published as a one-sided bound that depends only on the
  number of persons: "mindst (n − 4)/n" when 0–4 lack a job search, "højst 4/n" when 0–4 have one
  (columns `bound` = "min"/"max", `bound_lower`, `bound_upper`). 0 gets the bound like 1–4, so the bound
  never tells 0 from 1–4, and the count is never recoverable. A row hidden only so that another row's
  count cannot be found by subtraction (its own count is 5 or more) gets "højst (n − 5)/n": true, and
  wide enough that the other row's count stays a range that includes 0.

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


BOUND_COLUMNS = ("bound", "bound_lower", "bound_upper")
# The columns of a municipal table whose groups (areas) have their totals shown on their trends: a table of
# municipalities is published with total_groups=AREA_TOTALS so that no area's hidden rows give a count away.
AREA_TOTALS = ("region", "amk_office", "rar_area")
AT_LEAST, AT_MOST = "min", "max"


def bound_end(lower: str = "bound_lower", upper: str = "bound_upper") -> pl.Expr:
    """The finite end of a published bound (its lower end for "mindst", upper for "højst"): where a bounded
    row is placed on a scale of shares. Null where the row has no bound."""
    return (
        pl.when(pl.col("bound") == AT_LEAST)
        .then(pl.col(lower))
        .when(pl.col("bound") == AT_MOST)
        .then(pl.col(upper))
    )


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


def bounded_counts(persons: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Rows with persons whose share count/persons must not be shown exactly: 0–4 in the count or in its
    complement (0 included, so that a bound never tells 0 from 1–4)."""
    return (persons > 0) & ((count < MIN_PERSONS) | (persons - count < MIN_PERSONS))


def _exposed(values: np.ndarray, hidden: np.ndarray, cap: np.ndarray | None) -> bool:
    """Whether the hidden rows of a column whose total is shown give a count away: fewer than two, a sum of
    1–4, or (with `cap`, the most a reader knows a row can hold) a row whose least possible value, the sum
    less every other row's cap, is above 0."""
    hidden_sum = values[hidden].sum()
    if hidden.sum() < 2 or hidden_sum < MIN_PERSONS:
        return True
    if cap is None:
        return False
    caps = cap[hidden]
    capped = caps < MIN_PERSONS
    return bool(capped.any() and hidden_sum > caps.sum() - caps[capped].max())


def complementary_rows(persons: np.ndarray, hidden: np.ndarray, cap: np.ndarray | None = None) -> np.ndarray:
    """Across rows whose total is shown: if exactly one row is hidden (or the hidden rows sum to 1–4, or
    bounded rows could be pinned at their cap), the next-smallest visible rows are hidden as well."""
    hidden = hidden.copy()
    while hidden.any():
        if not _exposed(persons, hidden, cap):
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


def _groups(frame: pl.DataFrame, total_shown: bool, total_groups: Iterable[str]) -> list[np.ndarray]:
    """Row indices of every set of rows whose total is shown: the whole frame, and each group of the
    `total_groups` columns (an area's municipalities: its total is on its trend, even where this frame does
    not show it)."""
    groups = [np.arange(frame.height)] if total_shown else []
    for column in total_groups:
        if column in frame.columns:
            labels = frame[column].to_list()
            for label in dict.fromkeys(labels):
                if label is not None:
                    groups.append(np.flatnonzero([v == label for v in labels]))
    # Smallest first: a complement chosen inside a small area also serves the larger ones around it, where
    # one chosen for the whole country could leave the small area exposed and hide more in the end.
    return sorted(groups, key=len)


def complementary_in_groups(
    values: np.ndarray,
    hidden: np.ndarray,
    groups: list[np.ndarray],
    cap: np.ndarray | None = None,
    whole: np.ndarray | None = None,
) -> np.ndarray:
    """complementary_rows within every group whose total is shown, until no group gives a count away (a row
    hidden for one group may expose another). `whole`: the persons of rows hidden whole (0 elsewhere); a
    reader knows only their sum in a group, so that sum is their cap there."""
    hidden = hidden.copy()
    while True:
        before = hidden.copy()
        for rows in groups:
            group_cap = None if cap is None else cap[rows].copy()
            if group_cap is not None and whole is not None:
                hidden_whole = whole[rows] > 0
                group_cap[hidden_whole] = whole[rows].sum()
            hidden[rows] = complementary_rows(values[rows], hidden[rows], group_cap)
        if (hidden == before).all():
            return hidden


def publish(
    frame: pl.DataFrame,
    *,
    total_shown: bool = False,
    total_groups: Iterable[str] = (),
    keep: Iterable[str] = (),
    successes: str = "successes",
) -> pl.DataFrame:
    """The published version of a frame of counts and the figures computed from them.

    `persons` is required; PARTS, `successes` (the chosen measure's numerator) and the figure columns are
    optional. Every column not in `keep` (identifiers, labels, months, codes) is a figure of the row and is
    hidden with it. `total_shown`: the frame's rows are shown with their total (complementary rows);
    `total_groups`: columns whose groups of rows have their totals shown elsewhere (regions, AMK and RAR
    areas of a national table), complemented group by group. Adds `suppressed` (the row hidden whole), or
    keeps an existing one OR-ed in, and the bound columns where the frame has persons_0 and share_joblogged.
    """
    keep = set(keep) | {"suppressed"}
    persons = _counts(frame, "persons")
    groups = _groups(frame, total_shown, total_groups)
    row_hidden = complementary_in_groups(persons, is_small(persons), groups)
    if "suppressed" in frame.columns:
        row_hidden = row_hidden | frame["suppressed"].fill_null(False).to_numpy()
    hidden_cells = _Hidden(frame)
    hidden_cells.add([c for c in frame.columns if c not in keep], row_hidden)
    present = [p for p in PARTS if p in frame.columns]
    bounds: pl.DataFrame | None = None
    if present:
        parts = np.column_stack([_counts(frame, p) for p in present])
        small = is_small(parts)
        if "persons_0" in present:  # the share joblogged of these rows is published as a bound
            none_at = present.index("persons_0")
            small[:, none_at] |= bounded_counts(persons, parts[:, none_at]) & ~row_hidden
        hidden = _complement_in_rows(parts, small)
        if groups:
            for j in range(parts.shape[1]):
                if present[j] != "persons_0":
                    hidden[:, j] = complementary_in_groups(parts[:, j], hidden[:, j], groups)
            if "persons_0" in present:
                # A row hidden whole hides its persons_0 too: it takes part in the sums.
                hidden[:, none_at] = _complementary_bounds(
                    persons, parts[:, none_at], hidden[:, none_at] | row_hidden, groups, persons * row_hidden
                )
        for j, part in enumerate(present):
            hidden_cells.add((part, *_PART_FIGURES[part]), hidden[:, j])
        if "persons_0" in present and "share_joblogged" in frame.columns:
            bounds = share_bounds(persons, parts[:, none_at], hidden[:, none_at] & ~row_hidden)
    for share, (n_col, none_col) in OTHER_MONTHS.items():
        if share in frame.columns and n_col in frame.columns and none_col in frame.columns:
            n, none = _counts(frame, n_col), _counts(frame, none_col)
            hidden_cells.add((share, n_col, none_col), is_small(n) | bounded_counts(n, none))
    if successes in frame.columns:
        # 0 is hidden like 1–4 (as a bound would be), so an exact share never tells 0 from a bound's 1–4.
        x = _counts(frame, successes)
        hidden_cells.add((successes, *MEASURE_FIGURES), bounded_counts(persons, x))
    out = hidden_cells.apply(frame).with_columns(pl.Series("suppressed", row_hidden))
    return out if bounds is None else out.drop(BOUND_COLUMNS, strict=False).hstack(bounds)


def _complementary_bounds(
    persons: np.ndarray, none: np.ndarray, hidden: np.ndarray, groups: list[np.ndarray], whole: np.ndarray
) -> np.ndarray:
    """The rows whose persons_0 is hidden where the column's total is shown: the bounded rows, and more until
    neither the count without nor the count with a job search of any row can be found from the totals. A
    row bounded for 0–4 in a count is capped at 4 in that count; any other hidden row can hold up to its
    persons."""
    joblogged = persons - none
    cap_none = np.where(none < MIN_PERSONS, np.minimum(MIN_PERSONS - 1, persons), persons)
    # What share_bounds publishes as the upper end of the count with a job search: min(4, n − 5) with 0–4
    # joblogged, n − 5 for any other row with 5 or more without (a reader knows that much).
    cap_logged = np.where(
        none >= MIN_PERSONS,
        np.where(
            joblogged < MIN_PERSONS, np.minimum(MIN_PERSONS - 1, persons - MIN_PERSONS), persons - MIN_PERSONS
        ),
        persons,
    )
    while True:
        before = hidden.copy()
        hidden = complementary_in_groups(none, hidden, groups, cap_none, whole)
        hidden = complementary_in_groups(joblogged, hidden, groups, cap_logged, whole)
        if (hidden == before).all():
            return hidden


def share_bounds(persons: np.ndarray, none: np.ndarray, bounded: np.ndarray) -> pl.DataFrame:
    """The published bound of the share joblogged of each `bounded` row, from its persons only (never from
    the hidden count): at least (n − 4)/n with 0–4 without a job search, at most min(4, n − 5)/n with 0–4
    with one, at most (n − 5)/n for a row hidden to protect another (5 or more in both counts)."""
    n = np.where(persons > 0, persons, 1.0)
    at_least = bounded & (none < MIN_PERSONS)
    logged_small = bounded & ~at_least & (persons - none < MIN_PERSONS)
    upper_count = np.where(
        logged_small, np.minimum(MIN_PERSONS - 1, persons - MIN_PERSONS), persons - MIN_PERSONS
    )
    return pl.DataFrame(
        {
            "bound": [
                AT_LEAST if a else AT_MOST if b else None for a, b in zip(at_least, bounded, strict=True)
            ],
            "bound_lower": np.where(
                at_least, (persons - (MIN_PERSONS - 1)) / n, np.where(bounded, 0.0, np.nan)
            ),
            "bound_upper": np.where(at_least, 1.0, np.where(bounded, upper_count / n, np.nan)),
        },
        schema={"bound": pl.String, "bound_lower": pl.Float64, "bound_upper": pl.Float64},
        nan_to_null=True,
    )


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
