"""Overblik: the share joblogged per benefit group for the country or an area, its trend and the headline.

`build(db, selection)` returns every number the entry page shows. The trends are published
(analysis.privacy) before anything is read from them, so a KPI of an area with 1–4 persons (possible with
imported data) or a share resting on a hidden count is never shown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import polars as pl

from joblog_dash.analysis import privacy
from joblog_dash.data import reference
from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.views import parts
from joblog_dash.views.cache import cached
from joblog_dash.views.selection import Selection

TREND_KEEP = ("month", "benefit_group")


@dataclass(frozen=True)
class Kpi:
    group: str
    share: float | None
    change_month: float | None  # percentage points as a fraction (0.031 = 3,1 pct.-point)
    change_year: float | None
    persons: int | None
    persons_none: int | None
    suppressed: bool = False  # 1–4 persons in the area (possible with imported data): nothing is shown


def _share_at(rows: pl.DataFrame, month: date) -> float | None:
    found = rows.filter(pl.col("month") == month)
    if found.is_empty():
        return None
    value = found["share_joblogged"][0]
    return None if value is None else float(value)


def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def kpis(trend: pl.DataFrame, month: date, groups: list[str]) -> list[Kpi]:
    """One KPI per benefit group for `month` from a `queries.trend` frame of one area (raw or published:
    a row with 1–4 persons, or one whose persons a publication hid, is a suppressed KPI)."""
    result = []
    for group in groups:
        rows = trend.filter(pl.col("benefit_group") == group)
        now = rows.filter(pl.col("month") == month)
        persons = now["persons"][0] if now.height else 0
        if persons is None or 0 < persons < privacy.MIN_PERSONS:
            result.append(Kpi(group, None, None, None, None, None, suppressed=True))
            continue
        share = _share_at(rows, month)
        none = now["persons_0"][0] if now.height else 0
        result.append(
            Kpi(
                group=group,
                share=share,
                change_month=_diff(share, _share_at(rows, fmt.add_months(month, -1))),
                change_year=_diff(share, _share_at(rows, fmt.add_months(month, -12))),
                persons=int(persons),
                persons_none=None if none is None else int(none),
            )
        )
    return result


def headline(kpi: Kpi, month: date, area_label: str) -> str:
    """The page's message in one plain Danish sentence, e.g. '... 70,5 pct. ... — 2,8 pct.-point mere ...'."""
    if kpi.share is None:
        return t("headline_no_data", month=fmt.month_long(month))
    where = "" if area_label == t("national") else t("headline_in", area=area_label)
    base = t(
        "headline",
        month=fmt.month_long(month),
        share=fmt.pct(kpi.share),
        group=reference.group_label(kpi.group).lower(),
        where=where,
    )
    if kpi.change_year is None:
        return base + "."
    if abs(kpi.change_year) < 0.0005:
        return base + t("headline_same")
    key = "headline_more" if kpi.change_year > 0 else "headline_less"
    return base + t(key, pp=fmt.number(abs(kpi.change_year) * 100, 1))


@dataclass(frozen=True)
class TrendView:
    """The country's trend of every group, and the chosen area's (None for the whole country); published."""

    selection: Selection
    national: pl.DataFrame
    area: pl.DataFrame | None
    area_label: str
    groups: tuple[str, ...]

    @property
    def first(self) -> date:
        return self.national["month"].min()  # type: ignore[return-value]

    @property
    def last(self) -> date:
        return self.national["month"].max()  # type: ignore[return-value]


@cached("area")
def trend(db: JoblogDB, sel: Selection) -> TrendView:
    # THE published trends (views.parts), shared with the profile, the deck and the trend export.
    national = parts.area_trend(db, replace(sel, area=reference.NATIONAL))
    area = None if sel.is_national else parts.area_trend(db, sel)
    return TrendView(
        selection=sel,
        national=national,
        area=area,
        area_label=t("national") if sel.is_national else sel.area_label,
        groups=tuple(parts.benefit_groups(db, sel)),
    )


@dataclass(frozen=True)
class OverviewView:
    selection: Selection
    area_label: str
    kpis: tuple[Kpi, ...]
    selected: Kpi  # the KPI of the chosen group (the headline's)
    headline: str
    trend: TrendView


@cached("month", "group", "area", stored=True)
def build(db: JoblogDB, sel: Selection) -> OverviewView:
    trends = trend(db, sel)
    area_trend = trends.national if trends.area is None else trends.area
    # Only the groups that exist in the month (no uddannelseshjælp after June 2025).
    figures = kpis(area_trend, sel.month, [g for g in trends.groups if reference.group_exists(g, sel.month)])
    selected = next((k for k in figures if k.group == sel.group), figures[0])
    return OverviewView(
        selection=sel,
        area_label=trends.area_label,
        kpis=tuple(figures),
        selected=selected,
        headline=headline(selected, sel.month, trends.area_label),
        trend=trends,
    )
