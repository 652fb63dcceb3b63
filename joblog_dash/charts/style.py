"""Shared look of every chart: colour-blind-safe palette, Danish number format, titles that state the message."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import plotly.graph_objects as go

from joblog_dash.charts.spec import SpecFigure
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

# Okabe–Ito palette: distinguishable with the common colour-vision deficiencies. Never red/green alone.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
GROUP_COLOURS = {
    "kontanthjaelp": "#0072B2",
    "uddannelseshjaelp": "#E69F00",
    "uddannelsesparate": "#E69F00",  # continues uddannelseshjælp's series (a break in July 2025): one colour
    "dagpenge": "#009E73",
    "overgangsydelse": "#CC79A7",
    "ledighedsydelse": "#56B4E9",
    "sygedagpenge": "#D55E00",
}
REGION_COLOURS = {
    "Region Hovedstaden": "#0072B2",
    "Region Sjælland": "#E69F00",
    "Region Syddanmark": "#009E73",
    "Region Midtjylland": "#CC79A7",
    "Region Nordjylland": "#56B4E9",
}
# STAR's 0 / 1-5 / 6+ categories (red / light green / green in STAR's own benchmark) as a
# colour-blind-safe sequence, with the category always named in the legend.
CATEGORY_COLOURS = {"persons_0": "#D55E00", "persons_1_5": "#56B4E9", "persons_6plus": "#0072B2"}
NEUTRAL = "#6b6b6b"
REFERENCE_LINE = "#000000"
SUPPRESSED_COLOUR = "#c8c8c8"
FONT = "Source Sans Pro, Helvetica, Arial, sans-serif"
NOTE_PX = 22  # height of the source-note strip under a chart
DEMO_SOURCE = t("source_demo")


def group_colour(group: str) -> str:
    return GROUP_COLOURS.get(group, NEUTRAL)


def layout_dict(fig: go.Figure) -> dict:
    """The figure's layout as JSON, read without turning a SpecFigure into graph objects."""
    if type(fig) is SpecFigure:
        return fig.to_dict()["layout"]
    return fig.layout.to_plotly_json()


def base_layout(fig: go.Figure, title: str, subtitle: str | None = None, height: int = 420) -> go.Figure:
    """Title (the chart's message) in bold with a plain subtitle, Danish separators (decimal comma, thousands
    dot), quiet grid.

    The bold is the title font's weight, never a <b> tag in the text: Streamlit's plotly theme wraps the
    title text in <b> in the browser (once per render, so tags nest), and a subtitle inside the title text
    came out bold with it. The subtitle is plotly's own title.subtitle, outside that wrapping."""
    fig.update_layout(
        title={
            "text": title,
            "x": 0,
            "xanchor": "left",
            "font": {"family": FONT, "weight": "bold"},
            "subtitle": {
                "text": subtitle or "",
                "font": {"family": FONT, "size": 12, "color": "#555", "weight": "normal"},
            },
        },  # fmt: skip
        separators=",.",
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 60, "r": 20, "t": 80 if subtitle else 60, "b": 50},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
        legend={"orientation": "h", "yanchor": "bottom", "y": -0.25, "x": 0},
    )
    fig.update_xaxes(showgrid=False, linecolor="#999")
    fig.update_yaxes(gridcolor="#e5e5e5", zerolinecolor="#999")
    return fig


# A share published only as a bound (analysis.privacy) is drawn at the bound as a triangle pointing to where
# the share lies: right of "mindst", left of "højst" (on a horizontal share axis; up/down on a vertical one).
BOUND_SYMBOLS = {"min": "triangle-right", "max": "triangle-left"}
BOUND_SYMBOLS_VERTICAL = {"min": "triangle-up", "max": "triangle-down"}


def percent_axis(fig: go.Figure, axis: str = "y", range_: tuple[float, float] | None = (0, 1)) -> go.Figure:
    """Shares are fractions in the data; show them as '68 %' on the axis."""
    settings = {"tickformat": ".0%", "range": list(range_) if range_ else None}
    if axis == "y":
        fig.update_yaxes(**settings)
    else:
        fig.update_xaxes(**settings)
    return fig


def add_source_note(fig: go.Figure, text: str) -> go.Figure:
    """A source / demo line at the bottom, so an exported chart carries its provenance.

    It gets a strip of its own: the bottom margin and the height grow by NOTE_PX (the plot keeps its size)
    and the line sits at the figure's bottom edge. A position relative to the plot height (y=-0.32) ended
    up clipped below short figures and far outside tall ones."""
    layout = layout_dict(fig)
    margin = layout.get("margin", {}).get("b")
    bottom = (50 if margin is None else margin) + NOTE_PX
    fig.update_layout(margin={"b": bottom}, height=(layout.get("height") or 450) + NOTE_PX)
    fig.add_annotation(
        text=text, xref="paper", yref="paper", x=0, y=0, yanchor="bottom", yshift=-bottom + 4,
        showarrow=False, xanchor="left", font={"size": 10, "color": "#555"},
    )  # fmt: skip
    return fig


def month_ticks(months: Iterable[date], count: int = 8) -> tuple[list[date], list[str]]:
    """At most about `count` tick months, on months that divide the year evenly, with Danish labels; a tick
    every year or more is labelled by the year alone."""
    shown = sorted(set(months))
    if not shown:
        return [], []
    first, last = shown[0], shown[-1]
    span = (last.year - first.year) * 12 + last.month - first.month
    step = next((s for s in (1, 2, 3, 6, 12, 24, 60) if span / s <= count), 120)
    ticks, month = [], first
    while month <= last:
        if (month.month - 1) % min(step, 12) == 0 and (step <= 12 or month.year % (step // 12) == 0):
            ticks.append(month)
        month = fmt.add_months(month, 1)
    return ticks, [str(m.year) if step >= 12 else fmt.month_short(m) for m in ticks]


def danish_date_axis(fig: go.Figure, months: Iterable[date], count: int = 8, **axis: object) -> go.Figure:
    """Tick values and Danish labels (month_ticks) on every x axis of `fig`: plotly.js writes English month
    names ('Oct 2020') and its locale files are not bundled offline. Extra axis settings (range, ...) pass
    through."""
    ticks, labels = month_ticks(months, count)
    if not ticks:
        return fig
    fig.update_xaxes(type="date", tickvals=ticks, ticktext=labels, **axis)
    return fig


def month_share_hover(months: Sequence[date], shares: Sequence[float | None]) -> list[str]:
    """'jan. 2018: 68,2 pct.' per point, for hover templates ('%{text}'): plotly's own %{x|%b} is English."""
    return [f"{fmt.month_short(m)}: {fmt.pct(s)}" for m, s in zip(months, shares, strict=True)]
