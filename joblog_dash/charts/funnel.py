"""Funnel plot: each municipality's share against its number of persons, with control limits.

A point outside the funnel differs from the target by more than chance (and over-dispersion) explains.
Verdicts are shown by colour AND marker symbol, never colour alone.
"""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import polars as pl

from joblog_dash.analysis import fair, stats
from joblog_dash.charts import style
from joblog_dash.charts.spec import SpecFigure
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

# Okabe–Ito: vermillion triangle-down below, grey circle within, blue triangle-up above.
VERDICT_STYLE = {
    stats.VERDICT_UNDER: ("#D55E00", "triangle-down", 11),
    stats.VERDICT_WITHIN: ("#8c8c8c", "circle", 8),
    stats.VERDICT_OVER: ("#0072B2", "triangle-up", 11),
}
MAX_LABELS = 10  # name the points outside the funnel when there are at most this many
LOG_TICKS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)


def measure_label(measure: str) -> str:
    return t(f"measure_{measure}")


signed = fmt.signed
interval_text = fmt.interval_text


def hover_text(row: dict) -> str:
    return "<br>".join(
        [
            f"<b>{row['name']}</b>",
            t(
                "hover_share",
                share=fmt.pct(row["share"]),
                interval=interval_text(row["lower"], row["upper"]),
            ),
            t("hover_persons", persons=fmt.number(row["persons"])),
            t("hover_z", z=signed(row["z"], 2)),
            t("hover_verdict", verdict=row["verdict"]),
        ]
    )


def funnel_title(table: pl.DataFrame) -> str:
    counts = fair.verdict_counts(table)
    under, over = counts[stats.VERDICT_UNDER], counts[stats.VERDICT_OVER]
    if not under and not over:
        return t("funnel_title_none")
    return t(
        "funnel_title",
        under=f"{under} {'kommune' if under == 1 else 'kommuner'}",
        over=over,
    )


def shown_points(table: pl.DataFrame) -> pl.DataFrame:
    """The municipalities drawn: persons > 0 and not suppressed."""
    return table.filter((pl.col("persons") > 0) & ~pl.col("suppressed"))


def funnel_figure(
    data: fair.FunnelData, subtitle: str, target_label: str, source_note: str | None = None
) -> go.Figure:
    """The funnel plot for a fair.funnel_data result; customdata[0] of every point is the municipality code."""
    points = shown_points(data.table)
    result = data.result
    n_min = max(1.0, float(points["persons"].min() or 1) * 0.7) if points.height else 1.0
    n_max = float(points["persons"].max() or 10) * 1.4 if points.height else 10.0
    curve = result.curve(np.geomspace(n_min, n_max, 160))
    fig = SpecFigure()
    for level, dash, name in (("998", "dot", t("funnel_limit_998")), ("95", "dash", t("funnel_limit_95"))):
        xs = curve["n"].to_list()
        fig.add_trace(
            dict(
                type="scatter",
                x=xs + [None] + xs,
                y=curve[f"lower_{level}"].to_list() + [None] + curve[f"upper_{level}"].to_list(),
                mode="lines",
                name=name,
                line={"color": style.NEUTRAL, "width": 1.3, "dash": dash},
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        dict(
            type="scatter",
            x=[n_min, n_max],
            y=[result.target, result.target],
            mode="lines",
            name=t("funnel_target", where=target_label, share=fmt.pct(result.target)),
            line={"color": style.REFERENCE_LINE, "width": 1.5},
            hoverinfo="skip",
        )
    )
    # Name the points on the measure's bad side (those a regional office asks about), if few enough.
    adverse = [
        v for v in (stats.VERDICT_UNDER, stats.VERDICT_OVER) if fair.verdict_is_adverse(v, data.measure)
    ]
    label_outside = points.filter(pl.col("verdict").is_in(adverse)).height <= MAX_LABELS
    for verdict, (colour, symbol, size) in VERDICT_STYLE.items():
        rows = points.filter(pl.col("verdict") == verdict)
        if rows.is_empty():
            continue
        labelled = label_outside and verdict in adverse
        fig.add_trace(
            dict(
                type="scatter",
                x=rows["persons"].to_list(),
                y=rows["share"].to_list(),
                mode="markers+text" if labelled else "markers",
                text=rows["name"].to_list() if labelled else None,
                textposition="middle right",
                textfont={"size": 11, "color": colour},
                name=t("funnel_verdict_legend", verdict=verdict, n=rows.height),
                marker={
                    "color": colour,
                    "symbol": symbol,
                    "size": size,
                    "line": {"color": "white", "width": 0.6},
                },
                customdata=[[r["code"], hover_text(r)] for r in rows.iter_rows(named=True)],
                hovertemplate="%{customdata[1]}<extra></extra>",
            )
        )
    base_layout_title = funnel_title(data.table)
    style.base_layout(fig, base_layout_title, subtitle, height=560)
    ticks = [v for v in LOG_TICKS if n_min <= v <= n_max]
    fig.update_xaxes(
        type="log", title=t("funnel_x"), range=[math.log10(n_min), math.log10(n_max)],
        tickvals=ticks, ticktext=[fmt.number(v) for v in ticks], minor={"showgrid": False},
    )  # fmt: skip
    shares = points["share"].drop_nulls()
    # The y range follows the points and the target, not the limits: near n = 1 the limits span 0–100 %
    # and would squeeze the points into a thin band.
    values = [*shares.to_list(), result.target]
    low, high = min(values), max(values)
    pad = max(0.05, (high - low) * 0.15)
    style.percent_axis(fig, "y", (max(0.0, low - pad), min(1.0, high + pad)))
    fig.update_yaxes(title=measure_label(data.measure))
    fig.update_layout(
        hovermode="closest", clickmode="event+select", margin={"b": 150, "t": 100},
        legend={"orientation": "h", "y": -0.22, "yanchor": "top", "x": 0},
    )  # fmt: skip
    if source_note:
        style.add_source_note(fig, source_note)
    return fig


def funnel_alt(data: fair.FunnelData, target_label: str) -> str:
    counts = fair.verdict_counts(data.table)
    return t(
        "funnel_alt",
        n=shown_points(data.table).height,
        measure=measure_label(data.measure).lower(),
        target=target_label,
        share=fmt.pct(data.result.target),
        under=counts[stats.VERDICT_UNDER],
        over=counts[stats.VERDICT_OVER],
    )


def funnel_subtitle(data: fair.FunnelData, group: str, month: str, overdispersion: bool) -> str:
    adjust = t("funnel_adjusted") if overdispersion else t("funnel_not_adjusted")
    return t("funnel_subtitle", measure=measure_label(data.measure), group=group, month=month, adjust=adjust)


def funnel_table(data: fair.FunnelData) -> pl.DataFrame:
    """The table behind the funnel, in Danish, suppressed rows shown as 'for få personer'."""
    rows = data.table.sort(["suppressed", "z"], nulls_last=True)
    # A row the disclosure rule left visible may still have its share hidden (1–4 with or without).
    hidden = rows["suppressed"] | (rows["persons"] == 0) | rows["share"].is_null()
    return pl.DataFrame(
        {
            t("col_municipality"): rows["name"],
            t("col_persons"): rows["persons"],
            t("col_share"): [
                t("suppressed") if h else fmt.pct(s) for s, h in zip(rows["share"], hidden, strict=True)
            ],
            t("col_interval"): [
                "" if h else interval_text(lo, up)
                for lo, up, h in zip(rows["lower"], rows["upper"], hidden, strict=True)
            ],
            "z": [None if h else z for z, h in zip(rows["z"], hidden, strict=True)],
            t("col_verdict"): [
                "" if h else f"{v} forventet niveau" for v, h in zip(rows["verdict"], hidden, strict=True)
            ],
        }
    )
