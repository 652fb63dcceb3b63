"""Opfølgning: the follow-up list of the month, one municipality's p-chart and the letter's effect.

The list is analysis.followup.build over THE funnel, THE signal rule and THE letter effect (views.parts),
the same pieces Kommuneprofil, the brief and the deck read; every frame here is published.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from joblog_dash.analysis import followup, privacy
from joblog_dash.data import reference
from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.text.strings import t
from joblog_dash.views import parts
from joblog_dash.views.cache import cached
from joblog_dash.views.selection import Selection


@dataclass(frozen=True)
class LetterView:
    """THE letter effect for the area's municipalities, published: it does not depend on the month, so its
    chart is keyed (and drawn) once per group, measure and area."""

    selection: Selection  # group, measure and area only
    letter: pl.DataFrame


@dataclass(frozen=True)
class FollowupView:
    selection: Selection
    listed: pl.DataFrame  # analysis.followup.Followup.table, municipalities whose figures may be shown
    checked: int
    skipped: tuple[str, ...]  # left out: too few persons to show their figures
    letter: pl.DataFrame | None  # THE letter effect for the area's municipalities (None: not covered)
    shown: int = 0  # the municipality whose p-chart is shown (chosen(selection.municipality))
    signals: pl.DataFrame | None = None  # its p-chart table (THE signal rule), published

    @property
    def letter_view(self) -> LetterView | None:
        if self.letter is None:
            return None
        return LetterView(self.selection.only("group", "measure", "area"), self.letter)

    @property
    def codes(self) -> list[int]:
        """The municipalities of the area, by name (the p-chart's picker)."""
        codes = self.selection.area_codes or reference.municipalities()["code"].to_list()
        return sorted(codes, key=reference.municipality_name)

    def chosen(self, code: int) -> int:
        """The municipality whose p-chart is shown: the chosen one if in the area, else the first listed,
        else the area's first by name."""
        if code in self.codes:
            return code
        return int(self.listed["code"][0]) if not self.listed.is_empty() else self.codes[0]


def target_label(sel: Selection) -> str:
    return t("target_national_lower") if sel.target_kind == "national" else sel.area_label


@cached("month", "group", "area", "measure", "overdispersion", "target", "basis", "municipality")
def build(db: JoblogDB, sel: Selection) -> FollowupView:
    """The list of the month and the chosen municipality's p-chart (the list is computed once for every
    municipality a user picks)."""
    listing = _listing(db, sel)
    shown = listing.chosen(sel.municipality)
    return replace(listing, selection=sel, shown=shown, signals=municipality_signals(db, sel, shown))


@cached("month", "group", "area", "measure", "overdispersion", "target", "basis", stored=True)
def _listing(db: JoblogDB, sel: Selection) -> FollowupView:
    # THE funnel (raw or adjusted, as chosen) judges the list: the same table Kommuner draws, computed once.
    # THE letter effect too: computed once per group, measure and area, not again for every month.
    table = parts.funnel(db, sel).table
    letter = parts.letter(db, sel)
    result = followup.build(
        parts.panel(db, sel), sel.month, sel.measure, sel.area_codes, sel.overdispersion, sel.target_kind,
        target_label(sel), funnel=table, letter=letter,
    )  # fmt: skip
    # A listed share x/n could reveal a count of 1–4 without (or with) job search: such a municipality is
    # left out like one with too few persons.
    funnel = privacy.publish(table, keep=("code", "name", "region"))
    hidden = funnel.filter(
        pl.col("persons").is_not_null() & pl.col("share").is_null() & (pl.col("successes").is_null())
    )
    hidden_codes = set(hidden["code"].to_list())
    listed = result.table.filter(~pl.col("code").is_in(list(hidden_codes)))
    newly = hidden.filter(pl.col("code").is_in(result.table["code"].to_list()))["name"].to_list()
    return FollowupView(
        selection=sel, listed=listed, checked=result.checked - len(newly),
        skipped=tuple(sorted({*result.skipped, *newly})),
        letter=published_letter(db, sel),
    )  # fmt: skip


@cached("group", "measure", "area")
def published_letter(db: JoblogDB, sel: Selection) -> pl.DataFrame | None:
    """THE letter effect for the area's municipalities, published (None: the data lack either window). It
    does not depend on the month: its chart is drawn once per group, measure and area."""
    letter = parts.letter(db, sel)
    return None if letter is None else privacy.publish(
        letter.rename({"persons_before": "persons"}), keep=("code", "name", "region")
    ).rename({"persons": "persons_before"})  # fmt: skip


@cached("municipality", "month", "group", "measure")
def signals(db: JoblogDB, sel: Selection) -> pl.DataFrame:
    """One municipality's p-chart table (THE signal rule), published month by month."""
    return privacy.publish(parts.signals(db, sel), keep=("month", "excluded"))


def municipality_signals(db: JoblogDB, sel: Selection, code: int) -> pl.DataFrame:
    return signals(db, replace(sel, municipality=code))
