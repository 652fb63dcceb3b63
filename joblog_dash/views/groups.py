"""Ydelsesgrupper: one benefit group across the municipalities of an area — heat map, spread, movers.

`build(db, selection)` returns every number the page shows, computed from the published panel
(analysis.privacy): a cell of 1–4 persons, or one whose count with or without job search is 1–4, is blank
and takes no part in the spread or the movers. The helpers below are pure (queries.panel frames in, no
Streamlit, no SQL). Shares are fractions 0..1 and ratios of sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from joblog_dash.analysis import privacy, stats
from joblog_dash.analysis.privacy import MIN_PERSONS
from joblog_dash.data import queries, reference
from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.views import parts
from joblog_dash.views.cache import cached
from joblog_dash.views.selection import Selection

MOVER_MIN_PERSONS = 20
MOVERS_SHOWN = 10
# The heat map's width: the months up to the chosen one. Three years keep a cell wide enough to read and
# hover, and the spec small (issue 11: 529 KB for all 140 demo months, the page's month change 8.6 s).
HEATMAP_MONTHS = 36


# --- Spread of municipal shares ----------------------------------------------------------------------------------


def share_spread(
    panel: pl.DataFrame, low: float = 0.1, high: float = 0.9, min_persons: int = MIN_PERSONS
) -> pl.DataFrame:
    """Per month the median and the `low`–`high` percentiles of the municipal shares joblogged.

    Each municipality counts once (it is the spread between municipalities, not a person-weighted
    figure); municipalities with fewer than `min_persons` persons that month are left out (suppressed).
    Columns: month, median, low, high, municipalities.
    """
    usable = panel.filter(
        (pl.col("persons") >= min_persons) & pl.col("persons_0").is_not_null()
    ).with_columns(share=(pl.col("persons") - pl.col("persons_0")) / pl.col("persons"))
    return (
        usable.group_by("month")
        .agg(
            pl.col("share").median().alias("median"),
            pl.col("share").quantile(low, interpolation="linear").alias("low"),
            pl.col("share").quantile(high, interpolation="linear").alias("high"),
            pl.len().cast(pl.Int32).alias("municipalities"),
        )
        .sort("month")
    )


# --- Improvers and decliners ---------------------------------------------------------------------------------------


def movers(panel: pl.DataFrame, start: date, end: date, min_persons: int = MOVER_MIN_PERSONS) -> pl.DataFrame:
    """Change of the share joblogged from `start` to `end` per municipality, largest increase first.

    Only municipalities with at least `min_persons` persons in both months. Columns: municipality_code,
    name, persons_start, share_start, lower_start, upper_start, persons_end, share_end, lower_end,
    upper_end, change.
    """
    cols = ["municipality_code", "name", "persons", "persons_0"]

    def at(month: date, suffix: str) -> pl.DataFrame:
        return (
            panel.filter((pl.col("month") == month) & pl.col("persons_0").is_not_null())
            .select(cols)
            .rename({"persons": f"persons_{suffix}", "persons_0": f"none_{suffix}"})
        )

    both = at(start, "start").join(at(end, "end").drop("name"), on="municipality_code", how="inner")
    both = both.filter((pl.col("persons_start") >= min_persons) & (pl.col("persons_end") >= min_persons))
    out = both.select("municipality_code", "name")
    for suffix in ("start", "end"):
        n = both[f"persons_{suffix}"].to_numpy()
        x = n - both[f"none_{suffix}"].to_numpy()
        lower, upper = stats.wilson_interval(x, n) if len(n) else (np.array([]), np.array([]))
        out = out.with_columns(
            pl.Series(f"persons_{suffix}", n, dtype=pl.Int64),
            pl.Series(f"share_{suffix}", x / np.where(n > 0, n, 1), dtype=pl.Float64),
            pl.Series(f"lower_{suffix}", lower, dtype=pl.Float64),
            pl.Series(f"upper_{suffix}", upper, dtype=pl.Float64),
        )
    # Formatted in Python, not with map_elements: a Python UDF runs on a polars pool thread that must take
    # the GIL, which deadlocked the whole server under load (docs/PERFORMANCE.md, "Load").
    interval = {
        f"interval_{x}": pl.Series(
            [
                None if lo is None or hi is None else f"{fmt.pct_short(lo)}–{fmt.pct_short(hi)}"
                for lo, hi in zip(out[f"lower_{x}"].to_list(), out[f"upper_{x}"].to_list(), strict=True)
            ],
            dtype=pl.String,
        )
        for x in ("start", "end")
    }
    return out.with_columns(change=pl.col("share_end") - pl.col("share_start"), **interval).sort(
        ["change", "municipality_code"], descending=[True, False]
    )


def top_movers(table: pl.DataFrame, n: int = 10) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The `n` largest improvements (change > 0) and the `n` largest declines (change < 0)."""
    improvers = table.filter(pl.col("change") > 0).head(n)
    decliners = table.filter(pl.col("change") < 0).sort("change").head(n)
    return improvers, decliners


# --- Heat map -----------------------------------------------------------------------------------------------------


def heatmap_frame(
    panel: pl.DataFrame, month: date, min_persons: int = MIN_PERSONS, months: int = HEATMAP_MONTHS
) -> pl.DataFrame:
    """Municipality x month shares for a heat map over the `months` months up to and including `month`,
    blank (null) where fewer than `min_persons` persons.

    Adds `order`: 0 for the municipality with the highest share in `month`, municipalities without a
    share that month last (by name).
    """
    first = fmt.add_months(month, 1 - months)
    cells = panel.filter(pl.col("month").is_between(first, month)).with_columns(
        share=pl.when(pl.col("persons") >= min_persons).then(
            (pl.col("persons") - pl.col("persons_0")) / pl.col("persons")
        )
    )
    latest = cells.filter(pl.col("month") == month).select("municipality_code", pl.col("share").alias("k"))
    names = cells.select("municipality_code", "name").unique()
    order = (
        names.join(latest, on="municipality_code", how="left")
        .sort([pl.col("k").is_null(), "k", "name"], descending=[False, True, False])
        .with_row_index("order")
        .select("municipality_code", pl.col("order").cast(pl.Int32))
    )
    return cells.join(order, on="municipality_code").sort("order", "month")


def is_finite(value: float | None) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


@dataclass(frozen=True)
class GroupsView:
    selection: Selection
    area_label: str
    cells: pl.DataFrame  # heatmap_frame of the published panel: HEATMAP_MONTHS up to the month
    ranked: pl.DataFrame  # the month's cells with a share, highest first
    spread: pl.DataFrame  # share_spread of the published panel
    area_trend: pl.DataFrame  # the area's published trend of the group
    movers: pl.DataFrame  # movers from start to month
    improvers: pl.DataFrame
    decliners: pl.DataFrame
    breakdowns: dict[str, pl.DataFrame]  # the area's month by gender and by age group (published)

    @property
    def start(self) -> date:
        return self.selection.start or fmt.add_months(self.selection.month, -12)

    @property
    def month_cells(self) -> pl.DataFrame:
        return self.cells.filter(pl.col("month") == self.selection.month).sort("order")

    @property
    def spread_table(self) -> pl.DataFrame:
        return self.spread.join(self.area_trend.select("month", "share_joblogged"), on="month", how="left")


@dataclass(frozen=True)
class GroupPanel:
    """The part of the screen that no month or start month changes: computed once per group and area."""

    panel: pl.DataFrame  # the published panel, persons_0 blank where the share is hidden
    spread: pl.DataFrame  # share_spread of the panel
    area_trend: pl.DataFrame  # the area's published trend of the group


@cached("group", "area", stored=True)
def group_panel(db: JoblogDB, sel: Selection) -> GroupPanel:
    """The published panel of every month (the disclosure rule is the costly part of a month change, and
    it does not depend on the month), its spread and the area's trend."""
    # A series continued under another group across a break is shown whole (the charts mark the break).
    series = [sel.group, *filter(None, [reference.continuing_group(sel.group)])]
    raw = pl.concat(
        [queries.panel(db, g, sel.area).with_columns(pl.lit(g).alias("benefit_group")) for g in series]
    )
    panel = privacy.publish(raw, keep=queries.ROW_IDS)
    # The helpers compute shares from persons and persons_0: where the published share is hidden (the count
    # with job search is 1–4, say), persons_0 is blanked too, so they leave the cell out.
    panel = panel.with_columns(
        pl.when(pl.col("share_joblogged").is_null())
        .then(None)
        .otherwise(pl.col("persons_0"))
        .alias("persons_0")
    )
    trend = queries.trend(db, area=sel.area, groups=series)
    return GroupPanel(
        panel=panel,
        spread=share_spread(panel),
        area_trend=privacy.publish(trend, keep=("month", "benefit_group")),
    )


@cached("month", "start", "group", "area")
def build(db: JoblogDB, sel: Selection) -> GroupsView:
    part = group_panel(db, sel)
    cells = heatmap_frame(part.panel, sel.month)
    start = sel.start or fmt.add_months(sel.month, -12)
    # Movers compare two months of the group itself, never one side of a break with the other.
    table = movers(part.panel.filter(pl.col("benefit_group") == sel.group), start, sel.month)
    improvers, decliners = top_movers(table, MOVERS_SHOWN)
    return GroupsView(
        selection=sel,
        area_label=t("national") if sel.is_national else sel.area_label,
        cells=cells,
        ranked=cells.filter((pl.col("month") == sel.month) & pl.col("share").is_not_null()).sort("order"),
        spread=part.spread,
        area_trend=part.area_trend,
        movers=table,
        improvers=improvers,
        decliners=decliners,
        breakdowns=parts.area_breakdowns(db, sel),
    )
