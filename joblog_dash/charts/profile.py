"""Charts of the Kommuneprofil page: one municipality against the nation, its region and its peers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import plotly.graph_objects as go
import polars as pl

from joblog_dash.charts.spec import SpecFigure
from joblog_dash.charts.style import (
    CATEGORY_COLOURS,
    NEUTRAL,
    OKABE_ITO,
    REFERENCE_LINE,
    SUPPRESSED_COLOUR,
    base_layout,
    danish_date_axis,
    month_share_hover,
    percent_axis,
)
from joblog_dash.charts.trend import break_note as trend_break_note
from joblog_dash.charts.trend import wrapped
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.views.profile import Position

# Plotly formats dates in English; hover texts carry the Danish month and share in `text` instead.
HOVER_SHARE = "%{fullData.name}<br>%{text}<extra></extra>"


def month_labels(months: list) -> np.ndarray:
    return np.array([fmt.month_short(m) for m in months], dtype=object)


def month_axis(months: pl.Series) -> np.ndarray:
    """Months as ISO date strings: plotly takes a numpy array without converting element by element."""
    return months.dt.strftime("%Y-%m-%d").to_numpy()


def values(column: pl.Series) -> np.ndarray:
    """Numbers as a float array (null -> NaN, drawn as a gap); plotly sends it as a typed array."""
    return column.cast(pl.Float64).to_numpy()


@dataclass(frozen=True)
class Series:
    """One line of the trend panels: a label, a trend frame (month, benefit_group, share_joblogged), a style."""

    label: str
    frame: pl.DataFrame
    colour: str
    dash: str = "solid"
    width: float = 2.0


def series_styles() -> tuple[str, str, str, str]:
    """Colours for municipality, region, nation, peers: blue, orange, black, grey (never red/green)."""
    return OKABE_ITO[0], OKABE_ITO[1], REFERENCE_LINE, NEUTRAL


def position_title(name: str, ref: str, position: Position) -> str:
    """'Lolland ligger under regionen siden 2016' from a profile.Position."""
    if position.since is None:
        return t(f"title_trend_{position.state}_all", name=name, ref=ref)
    # A long run is told by its year; a short one by its month, which is then the news.
    since = str(position.since.year) if position.months >= 24 else fmt.month_short(position.since)
    return t(f"title_trend_{position.state}", name=name, ref=ref, since=since)


def trend_panels(series: list[Series], groups: list[str], title: str, subtitle: str) -> go.Figure:
    """One panel per benefit group with a line per series (share joblogged over time).

    Panels are laid out by hand (x axis domains, shared y axis) and the figure is built in one go from
    trace dicts: make_subplots + add_trace per trace costs about 250 ms, this about 30 ms.
    """
    # A series continued under another group after a break (uddannelseshjælp -> uddannelsesparate under 30,
    # July 2025) is one panel with a break marker, not two.
    members = {g: [g] for g in groups if not _continues(g, groups)}
    for g in groups:
        if _continues(g, groups):
            members[reference.continuing_group(g)].append(g)  # type: ignore[index]
    groups = list(members)
    gap = 0.03
    width = (1 - gap * (len(groups) - 1)) / max(len(groups), 1)
    traces: list[dict] = []
    layout: dict = {"annotations": [], "shapes": []}
    notes: list[reference.SeriesBreak] = []
    for i, group in enumerate(groups):
        suffix = "" if i == 0 else str(i + 1)
        left = i * (width + gap)
        layout[f"xaxis{suffix}"] = {"domain": [left, left + width], "anchor": f"y{suffix}"}
        layout[f"yaxis{suffix}"] = {
            "anchor": f"x{suffix}",
            **({} if i == 0 else {"matches": "y", "showticklabels": False}),
        }
        label = " → ".join(reference.group_label(g, short=True) for g in members[group])
        layout["annotations"].append(
            {"text": f"<b>{label}</b>", "x": left + width / 2, "y": 1.0,
             "xref": "paper", "yref": "paper", "xanchor": "center", "yanchor": "bottom", "showarrow": False}
        )  # fmt: skip
        months = pl.concat([s.frame["month"] for s in series]) if series else pl.Series("month", [])
        shown = (
            [] if months.is_empty() else reference.breaks_within(members[group], months.min(), months.max())
        )
        for found in shown:
            x = (found.month - timedelta(days=15)).isoformat()
            layout["shapes"].append(
                {"type": "line", "xref": f"x{suffix}", "yref": f"y{suffix} domain", "x0": x, "x1": x,
                 "y0": 0, "y1": 1, "line": {"color": REFERENCE_LINE, "width": 2}}
            )  # fmt: skip
        notes += shown
        for s in series:
            rows = s.frame.filter(pl.col("benefit_group").is_in(members[group])).sort("month")
            traces.append(
                {
                    "type": "scatter",
                    "x": month_axis(rows["month"]),
                    "y": values(rows["share_joblogged"]),
                    "text": month_share_hover(rows["month"].to_list(), rows["share_joblogged"].to_list()),
                    "name": s.label,
                    "legendgroup": s.label,
                    "showlegend": i == 0,
                    "mode": "lines",
                    "line": {"color": s.colour, "dash": s.dash, "width": s.width},
                    "hovertemplate": HOVER_SHARE,
                    "xaxis": f"x{suffix}",
                    "yaxis": f"y{suffix}",
                }
            )
    fig = SpecFigure({"data": traces, "layout": layout})
    base_layout(fig, title, subtitle, height=440)
    danish_date_axis(fig, [m for s in series for m in s.frame["month"].unique().to_list()], count=4)
    fig.update_layout(margin={"t": 100}, legend={"y": -0.2})
    if notes:  # the note every chart spanning a series break carries
        fig.update_layout(margin={"t": 100, "b": 110})
        fig.add_annotation(
            text=wrapped(trend_break_note(notes) or ""), xref="paper", yref="paper", x=0, y=-0.32, showarrow=False,
            xanchor="left", yanchor="top", align="left", font={"size": 10, "color": "#333"},
        )  # fmt: skip
    percent_axis(fig)
    return fig


def _continues(group: str, groups: list[str]) -> bool:
    """Whether the group continues the series of another group that is also shown (the panel of that one)."""
    found = reference.series_break(group)
    return found is not None and found.after == group and found.before in groups


def rank_title(name: str, latest: dict[str, object], month_label: str) -> str:
    ranked = int(latest["ranked"])  # type: ignore[arg-type]
    lower, upper = int(latest["rank_lower"]), int(latest["rank_upper"])  # type: ignore[arg-type]
    tenth = max(1, round(ranked / 10))
    k = 10 if ranked >= 50 else tenth
    if upper <= k:
        return t("title_rank_top", name=name, k=k, month=month_label)
    if lower > ranked - k:
        return t("title_rank_bottom", name=name, k=k, month=month_label)
    return t("title_rank_middle", name=name, lower=lower, upper=upper, ranked=ranked, month=month_label)


def rank_band(frame: pl.DataFrame, title: str, subtitle: str) -> go.Figure:
    """Rank over time (1 = highest share) as a line inside its 95 % band; the axis runs 1 at the top."""
    rows = frame.drop_nulls("rank").sort("month")
    months = rows["month"].to_list()
    ranked = int(rows["ranked"].max() or 98) if rows.height else 98
    fig = SpecFigure()
    fig.add_trace(
        dict(
            type="scatter",
            x=months + months[::-1],
            y=rows["rank_upper"].to_list() + rows["rank_lower"].to_list()[::-1],
            fill="toself",
            fillcolor="rgba(0,114,178,0.2)",
            line={"width": 0},
            name=t("rank_band"),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        dict(
            type="scatter",
            x=months,
            y=rows["rank"].to_list(),
            customdata=list(zip(rows["rank_lower"].to_list(), rows["rank_upper"].to_list(), strict=True)),
            mode="lines",
            line={"color": OKABE_ITO[0], "width": 2},
            name=t("rank_observed"),
            text=month_labels(months),
            hovertemplate="%{text}: nr. %{y} (%{customdata[0]}.–%{customdata[1]}.)<extra></extra>",
        )
    )
    base_layout(fig, title, subtitle, height=360)
    danish_date_axis(fig, months)
    ticks = sorted({1, *range(10, ranked - 4, 10), ranked})
    fig.update_yaxes(range=[ranked + 0.5, 0.5], title=t("rank_axis"), tickvals=ticks)
    return fig


def category_split(frame: pl.DataFrame, title: str, subtitle: str) -> go.Figure:
    """Stacked area of the 0 / 1–5 / 6+ job searches shares over time; each category named in the legend."""
    rows = frame.sort("month")
    fig = SpecFigure()
    for column in ("persons_6plus", "persons_1_5", "persons_0"):
        share = values(rows[column] / rows["persons"])
        fig.add_trace(
            dict(
                type="scatter",
                x=month_axis(rows["month"]),
                y=share,
                name=t(column),
                stackgroup="split",
                mode="lines",
                line={"color": CATEGORY_COLOURS[column], "width": 0.5},
                fillcolor=CATEGORY_COLOURS[column],
                text=month_share_hover(rows["month"].to_list(), share.tolist()),
                hovertemplate=HOVER_SHARE,
            )
        )
    base_layout(fig, title, subtitle, height=380)
    danish_date_axis(fig, rows["month"].to_list())
    # Legend below the tick labels (top-anchored), never over them.
    fig.update_layout(legend={"y": -0.12, "yanchor": "top"}, margin={"b": 90})
    percent_axis(fig)
    return fig


def breakdown_title(frame: pl.DataFrame, dimension_label: str, month_label: str) -> str:
    shown = frame.drop_nulls("share_joblogged")
    if shown.is_empty():
        return t("title_breakdown_none", dimension=dimension_label, month=month_label)
    best = shown.sort("share_joblogged", descending=True).row(0, named=True)
    return t(
        "title_breakdown",
        category=f"{best['category']} år" if best["category"][:1].isdigit() else best["category"],
        share=fmt.pct(best["share_joblogged"]),
        dimension=dimension_label.lower(),
        month=month_label,
    )


def breakdown_bars(frame: pl.DataFrame, title: str, subtitle: str | None = None) -> go.Figure:
    """Share joblogged per category (suppressed frame: null share + `suppressed`), hidden cells greyed."""
    rows = frame.sort("category", descending=True)
    suppressed = rows["suppressed"].to_list() if "suppressed" in rows.columns else [False] * rows.height
    shares = rows["share_joblogged"].to_list()
    fig = SpecFigure().add_trace(
        dict(
            type="bar",
            y=rows["category"].to_list(),
            x=[0.0 if s is None else s for s in shares],
            orientation="h",
            marker={"color": [SUPPRESSED_COLOUR if h else OKABE_ITO[0] for h in suppressed]},
            text=[
                t("suppressed") if h or s is None else fmt.pct(s)
                for s, h in zip(shares, suppressed, strict=True)
            ],
            textposition="outside",
            customdata=rows["persons"].to_list(),
            hovertemplate="%{y}: %{text} (%{customdata:,} personer)<extra></extra>",
            showlegend=False,
        )
    )
    base_layout(fig, title, subtitle, height=140 + 36 * rows.height)
    fig.update_layout(margin={"l": 140, "b": 40})
    percent_axis(fig, axis="x", range_=(0, 1.15))
    return fig


def letter_bars(labels: list[str], before: list[float | None], after: list[float | None], title: str,
                subtitle: str) -> go.Figure:  # fmt: skip
    """Share 12 months before and after the letter, grouped per unit (municipality, nation)."""
    fig = SpecFigure()
    for name, values, colour in (
        (t("letter_before"), before, NEUTRAL),
        (t("letter_after"), after, OKABE_ITO[0]),
    ):
        fig.add_trace(
            dict(
                type="bar",
                x=labels,
                y=values,
                name=name,
                marker={"color": colour},
                text=[fmt.pct(v) for v in values],
                textposition="outside",
                hovertemplate="%{x}, %{fullData.name}: %{text}<extra></extra>",
            )
        )
    base_layout(fig, title, subtitle, height=360)
    fig.update_layout(barmode="group")
    percent_axis(fig, range_=(0, 1.1))
    return fig
