"""National monthly trend per benefit group, with the events drawn on the chart."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from datetime import date, timedelta

import plotly.graph_objects as go
import polars as pl

from joblog_dash.charts import style
from joblog_dash.charts.spec import SpecFigure
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

# Event labels sit above the plot area (clear of the lines), staggered in rows so that close events
# (jan. 2019, jan. 2020, mar. 2020) stay legible.
_LABEL_Y = (1.0, 1.07, 1.14, 1.21, 1.28)
_NOTE_WIDTH = 140  # characters per line of a note under a chart (plotly does not wrap text)


def _hover(group: str, where: str) -> str:
    return f"{reference.group_label(group, short=True)}{where}<br>%{{customdata[0]}}: %{{customdata[1]}}<extra></extra>"


def _line(rows: pl.DataFrame, group: str, name: str, dash: str | None, where: str) -> dict:
    custom = [
        [fmt.month_short(m), fmt.pct(s)] for m, s in zip(rows["month"], rows["share_joblogged"], strict=True)
    ]
    return dict(
        type="scatter",
        x=rows["month"].to_list(),
        y=rows["share_joblogged"].to_list(),
        mode="lines",
        name=name,
        legendgroup=group,
        line={"color": style.group_colour(group), "width": 2.5 if dash is None else 2, "dash": dash},
        customdata=custom,
        hovertemplate=_hover(group, where),
    )


def visible_events(events: tuple[reference.Event, ...], first: date, last: date) -> list[reference.Event]:
    """Events that fall (at least partly) inside the plotted months."""
    end_of_last = fmt.add_months(last, 1)
    return [e for e in events if e.start < end_of_last and (e.end or e.start) >= first]


def _label_places(events: list[reference.Event], first: date, last: date) -> list[tuple[float, bool]]:
    """(row y, anchored right) per event label: each label goes in the lowest row where it overlaps no
    earlier label, right of its line unless it would run past the last month. Widths are estimated
    (about 5.6 px a character on a plot about 820 px wide)."""
    span = max((last - first).days, 1)
    taken: list[list[tuple[float, float]]] = [[] for _ in _LABEL_Y]
    places = []
    for event in events:
        x = (event.start - first).days / span
        width = len(event.label) * 5.6 / 820
        right = x + width > 1.0
        low, high = (x - width, x) if right else (x, x + width)
        free = [i for i, row in enumerate(taken) if all(high < a or low > b for a, b in row)]
        row = free[0] if free else min(range(len(taken)), key=lambda i: len(taken[i]))
        taken[row].append((low - 0.005, high + 0.005))
        places.append((_LABEL_Y[row], right))
    return places


def add_events(
    fig: go.Figure, events: list[reference.Event], span: tuple[date, date] | None = None
) -> go.Figure:
    """A vertical line (single day) or a shaded band (period) with a short label for each event. With the
    chart's first and last month (`span`) the labels are placed so they neither collide nor run off."""
    places = _label_places(events, *span) if span else None
    for index, event in enumerate(events):
        y = _LABEL_Y[index % len(_LABEL_Y)]
        # A label whose next event follows within half a year goes left of its line, so they don't collide.
        following = events[index + 1].start if index + 1 < len(events) else None
        crowded = following is not None and (following - event.start).days < 183
        if places:
            y, crowded = places[index]
        if event.end is None:
            fig.add_shape(
                type="line", xref="x", yref="paper", x0=event.start, x1=event.start, y0=0, y1=y,
                line={"color": style.NEUTRAL, "width": 1, "dash": "dot"},
            )  # fmt: skip
        else:
            fig.add_shape(
                type="rect", xref="x", yref="paper", x0=event.start, x1=event.end, y0=0, y1=y,
                fillcolor=style.NEUTRAL, opacity=0.15, line={"width": 0}, layer="below",
            )  # fmt: skip
        fig.add_annotation(
            x=event.start, y=y, xref="x", yref="paper", text=event.label, showarrow=False,
            xanchor="right" if crowded else "left", yanchor="bottom", font={"size": 11, "color": "#333"},
            bgcolor="rgba(255,255,255,0.8)", hovertext=event.description,
        )  # fmt: skip
    return fig


def break_note(breaks: list[reference.SeriesBreak]) -> str | None:
    """Danish: the note every chart, table and export that spans a series break carries."""
    if not breaks:
        return None
    return " ".join(
        t(
            "series_break_note",
            month=fmt.month_long(b.month),
            before=reference.group_label(b.before),
            after=reference.group_label(b.after),
        )
        for b in breaks
    )


def wrapped(text: str, width: int = _NOTE_WIDTH) -> str:
    """A note as plotly lines (<br>), since plotly never wraps an annotation."""
    return "<br>".join(textwrap.wrap(text, width))


def add_series_breaks(
    fig: go.Figure, breaks: list[reference.SeriesBreak], at: Callable[[date], object] | None = None
) -> go.Figure:
    """A visible break marker: a solid line across the plot at the first month of the new series, labelled
    at its foot (the events' labels sit above the plot). `at` places a month on an axis that is not a date
    axis (a heat map's month columns)."""
    for found in breaks:
        # between the last month of the old series and the first new
        x = at(found.month) if at else found.month - timedelta(days=15)
        fig.add_shape(
            type="line", xref="x", yref="paper", x0=x, x1=x, y0=0, y1=1,
            line={"color": style.REFERENCE_LINE, "width": 2},
        )  # fmt: skip
        fig.add_annotation(
            x=x, y=0.02, xref="x", yref="paper", text=t("series_break_label"), showarrow=False,
            xanchor="right", yanchor="bottom", font={"size": 11, "color": "#000"},
            bgcolor="rgba(255,255,255,0.9)", hovertext=break_note([found]),
        )  # fmt: skip
    return fig


def mark_breaks(
    fig: go.Figure,
    breaks: list[reference.SeriesBreak],
    with_note: bool = True,
    at: Callable[[date], object] | None = None,
) -> go.Figure:
    """The trend chart's break marker, and its note under the legend, in a margin grown by its lines (the
    plot keeping its place)."""
    add_series_breaks(fig, breaks, at)
    note = break_note(breaks)
    if not note or not with_note:
        return fig
    text = wrapped(note, 110)
    bottom = fig.layout.margin.b if fig.layout.margin.b is not None else 80
    extra = 12 + 13 * (text.count("<br>") + 1)
    fig.update_layout(margin={"b": bottom + extra}, height=(fig.layout.height or 450) + extra)
    fig.add_annotation(
        text=text, xref="paper", yref="paper", x=0, y=0, yshift=-(bottom + 6), showarrow=False,
        align="left", xanchor="left", yanchor="top", font={"size": 10, "color": "#333"},
    )  # fmt: skip
    return fig


def trend_figure(
    national: pl.DataFrame,
    groups: list[str],
    events: tuple[reference.Event, ...],
    area: pl.DataFrame | None = None,
    area_label: str | None = None,
    source_note: str | None = None,
) -> go.Figure:
    """Share joblogged per month, one solid line per group; dashed lines for the area when given."""
    fig = SpecFigure()
    for group in groups:
        rows = national.filter(pl.col("benefit_group") == group).sort("month")
        if rows.is_empty():
            continue
        suffix = f" – {t('national')}" if area is not None else ""
        fig.add_trace(_line(rows, group, reference.group_label(group, short=True) + suffix, None, suffix))
        if area is not None:
            own = area.filter(pl.col("benefit_group") == group).sort("month")
            if own.height:
                where = f" – {area_label}"
                fig.add_trace(
                    _line(own, group, reference.group_label(group, short=True) + where, "dash", where)
                )
    months = national["month"]
    first, last = months.min(), months.max()
    if area is None:
        title = t("trend_title", first=first.year, last=last.year)  # type: ignore[union-attr]
    else:
        title = t("trend_title_area", area=area_label, first=first.year, last=last.year)  # type: ignore[union-attr]
    style.base_layout(fig, title, t("trend_subtitle"), height=500)
    style.percent_axis(fig, "y", (0, 1))
    # Legend below the axis (top-anchored so it never covers the year ticks), source note under it.
    fig.update_layout(margin={"t": 170, "b": 130}, hovermode="closest", legend={"y": -0.13, "yanchor": "top"})
    style.danish_date_axis(fig, months.to_list(), range=[first, fmt.add_months(last, 1)])  # type: ignore[arg-type]
    add_events(fig, visible_events(events, first, last), (first, fmt.add_months(last, 1)))  # type: ignore[arg-type]
    breaks = reference.breaks_within(groups, first, last)  # type: ignore[arg-type]
    add_series_breaks(fig, breaks)
    note = break_note(breaks)
    if note:  # room for the note's lines above the source line, the plot keeping its height
        fig.update_layout(height=560, margin={"t": 170, "b": 190})
    source_note = "<br>".join(n for n in (note and wrapped(note), source_note) if n) or None
    if source_note:
        fig.add_annotation(
            text=source_note, xref="paper", yref="paper", x=0, y=0, yshift=-110, showarrow=False, align="left",
            xanchor="left", yanchor="top", font={"size": 10, "color": "#555"},
        )  # fmt: skip
    return fig


def trend_alt(
    groups: list[str], first: date, last: date, events: list[reference.Event], area: str | None
) -> str:
    return t(
        "trend_alt",
        first=fmt.month_short(first),
        last=fmt.month_short(last),
        groups=", ".join(reference.group_label(g, short=True).lower() for g in groups),
        area=t("trend_alt_area", area=area) if area else "",
        events="; ".join(f"{e.label} ({fmt.month_short(e.start)})" for e in events),
    )


def trend_table(national: pl.DataFrame, area: pl.DataFrame | None, area_label: str | None) -> pl.DataFrame:
    """The numbers behind the trend chart, in Danish text, newest month first."""
    frames = [national.with_columns(pl.lit(t("national")).alias("area"))]
    if area is not None:
        frames.append(area.with_columns(pl.lit(area_label).alias("area")))
    rows = pl.concat(frames).sort(["month", "benefit_group", "area"], descending=[True, False, False])
    return pl.DataFrame(
        {
            t("col_month"): [fmt.month_short(m) for m in rows["month"]],
            t("col_group"): [reference.group_label(g, short=True) for g in rows["benefit_group"]],
            t("col_area"): rows["area"],
            t("col_share"): [fmt.pct(s) for s in rows["share_joblogged"]],
            t("col_persons"): [fmt.number(p) for p in rows["persons"]],
            t("persons_0"): [fmt.number(p) for p in rows["persons_0"]],
        }
    )
