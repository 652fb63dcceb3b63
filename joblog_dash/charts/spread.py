"""Municipal spread: all municipalities of an area ranked, and the distribution within each region.

Every municipality point carries its code in customdata[0], so a click opens its profile.
"""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from joblog_dash.analysis import stats
from joblog_dash.charts import style
from joblog_dash.charts.spec import SpecFigure
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

_HOVER = (
    "<b>%{customdata[1]}</b><br>%{customdata[2]} (95 pct.-interval %{customdata[5]})"
    "<br>%{customdata[3]} af %{customdata[4]} personer<extra></extra>"
)
_ROW_PX = 17
RAW = "share_joblogged"  # the default value column; views.spread names the adjusted one


def _hover(value: str) -> str:
    return _HOVER if value == RAW else t("ranked_hover_adjusted")


def _custom(rows: pl.DataFrame, value: str = RAW) -> list[list[object]]:
    # Wilson 95 % interval in the hover: a share for one municipality is never shown without its uncertainty.
    # The adjusted value carries the actual and the expected share after it (customdata 6 and 7). A bounded
    # row (its share published only as a bound) shows the bound and its persons, nothing resting on the count.
    logged = (rows["persons"] - rows["persons_0"]).fill_null(0).to_numpy()
    lower, upper = stats.wilson_interval(logged, rows["persons"].to_numpy())
    extra = (
        [[fmt.pct(a), fmt.pct(e)] for a, e in rows.select(RAW, "expected_share").iter_rows()]
        if value != RAW
        else [[]] * rows.height
    )
    out = []
    for (code, name, share, persons, none, kind, b_lo, b_up), lo, up, more in zip(
        rows.select("municipality_code", "name", value, "persons", "persons_0", *_BOUND).iter_rows(),
        lower, upper, extra, strict=True,
    ):  # fmt: skip
        if share is None:  # bounded
            out.append([code, name, fmt.bounded(kind, b_lo, b_up), fmt.MISSING, fmt.number(persons),
                        fmt.pct_range(b_lo, b_up), *more])  # fmt: skip
        else:
            out.append([code, name, fmt.pct(share), fmt.number(persons - none), fmt.number(persons),
                        fmt.pct_range(lo, up), *more])  # fmt: skip
    return out


_BOUND = ("bound", "bound_lower", "bound_upper")
BOUND_SYMBOLS = style.BOUND_SYMBOLS


def _placed(shown: pl.DataFrame, value: str) -> pl.DataFrame:
    """The rows with a share or a bound, `x` the share or the bound's end (on `value`'s scale), `bounded`
    where only the bound is published, and the raw bound columns for the hover text."""
    placed = "placed" if "placed" in shown.columns else value
    frame = shown.with_columns(pl.lit(None, pl.String).alias(c) for c in _BOUND if c not in shown.columns)
    return (
        frame.with_columns(
            pl.col(placed).alias("x"),
            (pl.col(value).is_null() & pl.col("bound").is_not_null()).alias("bounded"),
        )
        .filter(pl.col("x").is_not_null())
        .sort("x")
    )


def _region_trace(
    part: pl.DataFrame, region: str, colour: str, value: str, highlight: set[int] | None, bounded: bool
) -> dict:
    marked = [code in highlight for code in part["municipality_code"]] if highlight else None
    return dict(
        type="scatter",
        x=part["x"].to_list(),
        y=part["name"].to_list(),
        mode="markers+text" if marked else "markers",
        name=region,
        legendgroup=region,
        showlegend=not bounded,
        marker={
            "color": colour,
            "symbol": [BOUND_SYMBOLS.get(k, "circle") for k in part["bound"]] if bounded else "circle",
            "size": [14 if m else 8 for m in marked] if marked else (12 if bounded else 10),
            "opacity": [1.0 if m else 0.25 for m in marked] if marked else 0.95,
            "line": {"color": "#000", "width": [2 if m else 0 for m in marked] if marked else 0},
        },
        text=[name if m else "" for name, m in zip(part["name"], marked, strict=True)] if marked else None,
        textposition="middle right",
        customdata=_custom(part, value),
        hovertemplate=t("bound_hover") if bounded else _hover(value),
    )


def _bound_legend(fig: go.Figure, names: list[str], kinds: set[str]) -> None:
    """Legend entries for the bound markers shown (no points of their own)."""
    for kind, symbol in BOUND_SYMBOLS.items():
        if kind not in kinds:
            continue
        fig.add_trace(
            dict(type="scatter", x=[None], y=[names[0]] if names else [None], mode="markers",
                 name=t("bound_legend_min" if kind == "min" else "bound_legend_max"),
                 marker={"symbol": symbol, "color": "#666", "size": 10}, hoverinfo="skip")
        )  # fmt: skip


def _reference_line(fig: go.Figure, share: float | None, label: str, dash: str, names: list[str]) -> None:
    """A vertical reference line across all rows, named in the legend (labels on the plot would collide)."""
    if share is None or not names:
        return
    fig.add_trace(
        dict(type="scatter",
            x=[share, share], y=[names[0], names[-1]], mode="lines", name=f"{label} {fmt.pct(share)}",
            line={"color": style.REFERENCE_LINE, "width": 1.5, "dash": dash}, hoverinfo="skip",
        )
    )  # fmt: skip


def ranked_figure(
    shown: pl.DataFrame,
    title: str,
    subtitle: str,
    national_share: float | None,
    area_share: float | None = None,
    area_label: str | None = None,
    highlight: set[int] | None = None,
    source_note: str | None = None,
    value: str = RAW,
) -> go.Figure:
    """Dot chart of the municipalities with a share (column `value`), lowest at the bottom, by region.

    `shown` is a suppressed snapshot: municipalities without a share (suppressed or no persons) are left
    out of the dots and named in the page's note. `highlight` (codes matched by the search box) get a
    label and a ring; the others are dimmed while a search is active.
    """
    rows = _placed(shown, value)
    fig = SpecFigure()
    for region, colour in style.REGION_COLOURS.items():
        # Exact shares and bounds as two traces of one legend group: the legend shows the region's dot.
        for bounded in (False, True):
            part = rows.filter((pl.col("region") == region) & (pl.col("bounded") == bounded))
            if part.is_empty():
                continue
            fig.add_trace(_region_trace(part, region, colour, value, highlight, bounded))
    names = rows["name"].to_list()
    _reference_line(fig, national_share, t("national_line"), "solid", names)
    if area_label:
        _reference_line(fig, area_share, area_label, "dash", names)
    _bound_legend(fig, names, set(rows.filter("bounded")["bound"].to_list()))
    top, bottom = 185, 50  # room for title, subtitle and a legend of up to two rows
    height = max(380, top + bottom + _ROW_PX * max(rows.height, 1))
    style.base_layout(fig, title, subtitle, height=height)
    # A little room so 100 % dots (and an adjusted share above 100 %) are not cut in half.
    top_x = max(1.0, float(rows["x"].max() or 0)) if rows.height else 1.0  # type: ignore[arg-type]
    style.percent_axis(fig, "x", (0, top_x + 0.04))
    fig.update_yaxes(
        categoryorder="array", categoryarray=rows["name"].to_list(), showgrid=True, gridcolor="#f0f0f0",
        tickfont={"size": 11}, range=[-0.7, rows.height - 0.3],
    )  # fmt: skip
    fig.update_xaxes(showgrid=True, gridcolor="#e5e5e5", side="top", tickvals=[i / 10 for i in range(11)])
    # Legend between the subtitle and the top axis: 32 px above the plot area, whatever the plot height.
    plot_height = height - top - bottom
    fig.update_layout(
        margin={"l": 130, "t": top, "b": bottom},
        title={"y": 1, "yref": "container", "yanchor": "top", "pad": {"t": 12}},
        legend={
            "orientation": "h",
            "y": 1 + 32 / plot_height,
            "yanchor": "bottom",
            "x": 0,
            "xanchor": "left",
        },
    )
    if source_note:
        fig.add_annotation(
            text=source_note, xref="paper", yref="paper", x=0, y=0, yshift=-22, showarrow=False,
            xanchor="left", font={"size": 10, "color": "#555"},
        )  # fmt: skip
    return fig


def region_medians(shown: pl.DataFrame, value: str = RAW) -> pl.DataFrame:
    """Median municipal share per region (unweighted: it describes the spread of municipalities)."""
    return (
        shown.filter(pl.col(value).is_not_null())
        .group_by("region")
        .agg(pl.col(value).median().alias("median"), pl.len().alias("n"))
        .sort("median", descending=True)
    )


def region_figure(
    shown: pl.DataFrame, title: str, subtitle: str, source_note: str | None = None, value: str = RAW
) -> go.Figure:
    """One box with all points per region; the points carry the municipality code for click-to-drill."""
    rows = shown.filter(pl.col(value).is_not_null())
    fig = SpecFigure()
    for region, colour in style.REGION_COLOURS.items():
        part = rows.filter(pl.col("region") == region)
        if part.is_empty():
            continue
        fig.add_trace(
            dict(
                type="box",
                y=part[value].to_list(),
                x=[region.removeprefix("Region ")] * part.height,
                name=region,
                marker={"color": colour, "size": 7},
                line={"color": colour},
                boxpoints="all",
                jitter=0.5,
                pointpos=0,
                fillcolor="rgba(0,0,0,0)",
                customdata=_custom(part, value),
                hovertemplate=_hover(value),
                showlegend=False,
            )
        )
    style.base_layout(fig, title, subtitle, height=420)
    style.percent_axis(fig, "y", (0, 1))
    if source_note:
        style.add_source_note(fig, source_note)
    return fig
