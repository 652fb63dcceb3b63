"""Charts for the meeting formats (the municipal visit brief and the presentation deck).

Each takes polars frames and returns a plotly figure whose title is the message. No Streamlit, no SQL.
"""

from __future__ import annotations

import math
from datetime import date

import plotly.graph_objects as go
import polars as pl

from joblog_dash.charts import style
from joblog_dash.charts.spec import SpecFigure
from joblog_dash.charts.trend import add_events, mark_breaks, visible_events
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

HIGHLIGHT = "#D55E00"


def _hover_share(label: str) -> str:
    # Month and share come preformatted in `text`: plotly's %{x|%b} would write English month names.
    return f"{label}<br>%{{text}}<extra></extra>"


def share_lines(
    series: list[tuple[str, pl.DataFrame, str, str | None]],
    title: str,
    subtitle: str | None = None,
    group: str | None = None,
    height: int = 380,
    column: str = "share_joblogged",
    break_note_below: bool = True,
) -> go.Figure:
    """One line per (label, frame with month + column, colour, dash); events of the group marked, and a
    series break of the group the lines span (with its note below unless the caller shows it elsewhere)."""
    fig = SpecFigure()
    months: list[date] = []
    for label, frame, colour, dash in series:
        rows = frame.sort("month")
        months += rows["month"].to_list()
        fig.add_trace(
            dict(type="scatter",
                x=rows["month"].to_list(), y=rows[column].to_list(), name=label, mode="lines",
                line={"color": colour, "width": 3 if dash is None else 2, "dash": dash},
                text=style.month_share_hover(rows["month"].to_list(), rows[column].to_list()),
                hovertemplate=_hover_share(label),
            )
        )  # fmt: skip
    style.base_layout(fig, title, subtitle, height=height)
    low = min((v for _, f, _, _ in series for v in f[column].drop_nulls().to_list()), default=0.0)
    style.percent_axis(fig, "y", (max(0.0, low - 0.1), 1.0))
    if months:
        first, last = min(months), max(months)
        events = [e for e in reference.events() if group is None or group in e.benefit_groups]
        add_events(fig, visible_events(tuple(events), first, last))
        style.danish_date_axis(fig, months, range=[first, fmt.add_months(last, 1)])
    # A legend even for one line: a slide or brief must say what its line is.
    fig.update_layout(showlegend=True, legend={"y": -0.16, "yanchor": "top", "traceorder": "normal"})
    if months and group is not None:
        mark_breaks(fig, reference.breaks_within([group], min(months), max(months)), break_note_below)
    return fig


def category_split(rows: list[tuple[str, int, int, int]], title: str, height: int = 260) -> go.Figure:
    """100 % stacked bars of 0 / 1–5 / 6+ job searches, one bar per (label, persons_0, persons_1_5, 6plus)."""
    fig = SpecFigure()
    labels = [r[0] for r in rows][::-1]
    totals = [max(1, r[1] + r[2] + r[3]) for r in rows][::-1]
    for index, key in enumerate(("persons_0", "persons_1_5", "persons_6plus"), start=1):
        values = [r[index] for r in rows][::-1]
        shares = [v / n for v, n in zip(values, totals, strict=True)]
        fig.add_trace(
            dict(type="bar",
                y=labels, x=shares, orientation="h", name=t(key), marker={"color": style.CATEGORY_COLOURS[key]},
                text=[fmt.pct(s, 0) for s in shares], textposition="inside", insidetextanchor="middle",
                hovertext=[fmt.pct(s) for s in shares], hovertemplate="%{y}: %{hovertext}<extra>" + t(key) + "</extra>",
            )
        )  # fmt: skip
    style.base_layout(fig, title, height=height)
    fig.update_layout(
        barmode="stack", legend={"y": -0.22, "yanchor": "top", "traceorder": "normal"}, margin={"l": 150}
    )
    style.percent_axis(fig, "x", (0, 1))
    return fig


def _share_persons(rows: pl.DataFrame) -> list[str]:
    return [
        f"{fmt.pct(s)} ({fmt.number(n)} personer)"
        for s, n in zip(rows["share"], rows["persons"], strict=True)
    ]


def funnel_chart(
    table: pl.DataFrame, curve: pl.DataFrame, target: float, title: str, highlight: int | None = None,
    height: int = 380,
) -> go.Figure:  # fmt: skip
    """Funnel plot: share against persons with 95 % and 99,8 % limits; the chosen municipality marked."""
    shown = table.filter(pl.col("share").is_not_null())
    fig = SpecFigure()
    for column, dash, name in (("95", "dash", t("funnel_limit_95")), ("998", "dot", t("funnel_limit_998"))):
        for side in ("lower", "upper"):
            fig.add_trace(
                dict(type="scatter",
                    x=curve["n"].to_list(), y=curve[f"{side}_{column}"].to_list(), mode="lines",
                    line={"color": style.NEUTRAL, "dash": dash, "width": 1}, name=name,
                    showlegend=side == "lower", hoverinfo="skip",
                )
            )  # fmt: skip
    fig.add_hline(y=target, line={"color": style.REFERENCE_LINE, "width": 1})
    others = shown.filter(pl.col("municipality_code") != (highlight or -1))
    fig.add_trace(
        dict(type="scatter",
            x=others["persons"].to_list(), y=others["share"].to_list(), mode="markers", name="Kommuner",
            marker={"color": style.OKABE_ITO[0], "size": 7, "opacity": 0.7},
            customdata=[[c] for c in others["municipality_code"].to_list()],
            text=others["municipality"].to_list(), hovertext=_share_persons(others),
            hovertemplate="%{text}: %{hovertext}<extra></extra>",
        )
    )  # fmt: skip
    chosen = shown.filter(pl.col("municipality_code") == (highlight or -1))
    top = max(shown["persons"].max() or 10, 10) * 1.1  # type: ignore[operator]
    if chosen.height:
        # Label on the side with room: the largest municipalities sit at the right edge.
        side = "top left" if math.log10(max(chosen["persons"][0], 1)) > 0.6 * math.log10(top) else "top right"
        fig.add_trace(
            dict(type="scatter",
                x=chosen["persons"].to_list(), y=chosen["share"].to_list(), mode="markers+text",
                name=chosen["municipality"][0], text=chosen["municipality"].to_list(), textposition=side,
                marker={"color": HIGHLIGHT, "size": 13, "symbol": "diamond", "line": {"color": "white", "width": 1}},
                customdata=[[c] for c in chosen["municipality_code"].to_list()], hovertext=_share_persons(chosen),
                hovertemplate="%{text}: %{hovertext}<extra></extra>",
            )
        )  # fmt: skip
    style.base_layout(fig, title, height=height)
    low = min(shown["share"].min() or 0.0, 0.5)  # type: ignore[operator]
    style.percent_axis(fig, "y", (max(0.0, low - 0.05), 1.0))
    fig.update_xaxes(
        type="log", range=[0.5, math.log10(top)], title={"text": "Personer (log-skala)", "standoff": 6},
        **log_ticks(top),
    )  # fmt: skip
    # The legend at the figure's bottom edge (container coordinates), below the axis title whatever the
    # plot's height: placed relative to the plot (y=-0.25) it ran into the title on a short figure.
    fig.update_layout(legend={"yref": "container", "y": 0, "yanchor": "bottom"}, margin={"b": 110})
    return fig


def log_ticks(top: float) -> dict[str, object]:
    """Ticks at 10, 100, 1.000, … up to `top`, in Danish: plotly's own log ticks read '5 10 2 5 100 2 5'."""
    values = [10**power for power in range(1, int(math.log10(max(top, 10))) + 1)]
    return {"tickvals": values, "ticktext": [fmt.number(v) for v in values]}


def spread_dots(snapshot: pl.DataFrame, reference_share: float | None, title: str, highlight: int | None = None,
                height: int = 420, reference_label: str | None = None) -> go.Figure:  # fmt: skip
    """Every municipality's share, sorted, as dots; the chosen one marked and named; the reference level
    (the area's pooled share, `reference_label`) as a line. With views.spread's placed snapshot, a share
    published only as a bound stands at its bound as a triangle pointing to where the share lies."""
    value = "placed" if "placed" in snapshot.columns else "share_joblogged"
    shown = snapshot.filter(pl.col(value).is_not_null()).sort(value).with_row_index("position", offset=1)
    if "bound" in shown.columns:
        bounded = pl.col("bound").is_not_null() & pl.col("share_joblogged").is_null()
        shown = shown.with_columns(pl.when(bounded).then(pl.col("bound")).alias("bound_kind"))
    else:
        shown = shown.with_columns(pl.lit(None, pl.String).alias("bound_kind"))
    texts = {
        c: fmt.pct(v) if k is None else fmt.bounded(k, v, v)
        for c, v, k in shown.select("municipality_code", value, "bound_kind").iter_rows()
    }
    others = shown.filter(pl.col("municipality_code") != (highlight or -1))
    symbols = [style.BOUND_SYMBOLS_VERTICAL.get(k or "", "circle") for k in others["bound_kind"]]
    fig = SpecFigure().add_trace(
        dict(type="scatter",
            x=others["position"].to_list(), y=others[value].to_list(), mode="markers",
            name="Kommuner", marker={"color": style.OKABE_ITO[0], "size": 8, "symbol": symbols},
            text=others["name"].to_list(), customdata=[[c] for c in others["municipality_code"].to_list()],
            hovertext=[texts[c] for c in others["municipality_code"]],
            hovertemplate="%{text}: %{hovertext}<extra></extra>", showlegend=False,
        )
    )  # fmt: skip
    chosen = shown.filter(pl.col("municipality_code") == (highlight or -1))
    if chosen.height:
        # Named beside the dot, on the side with room (the lowest sit at the left edge).
        side = "middle right" if chosen["position"][0] <= shown.height / 2 else "middle left"
        fig.add_trace(
            dict(type="scatter",
                x=chosen["position"].to_list(), y=chosen[value].to_list(), mode="markers+text",
                name=chosen["name"][0], text=[f"{chosen['name'][0]}: {texts[chosen['municipality_code'][0]]}"],
                textposition=side, textfont={"color": HIGHLIGHT},
                marker={"color": HIGHLIGHT, "size": 14, "symbol": "diamond", "line": {"color": "white", "width": 1}},
                customdata=[[c] for c in chosen["municipality_code"].to_list()],
                hovertemplate="%{text}<extra></extra>", showlegend=False,
            )
        )  # fmt: skip
    if reference_share is not None:
        label = reference_label or t("national")
        fig.add_hline(
            y=reference_share, line={"color": style.REFERENCE_LINE, "dash": "dash", "width": 1},
            annotation_text=f"{label}: {fmt.pct(reference_share)}", annotation_position="top left",
        )  # fmt: skip
    style.base_layout(fig, title, height=height)
    style.percent_axis(fig, "y", (0, 1))
    fig.update_xaxes(title={"text": "Kommuner, sorteret efter andel"}, showticklabels=False)
    return fig


def chosen_lines(
    trend: pl.DataFrame, codes: tuple[int, ...], names: tuple[str, ...], first: date, last: date, title: str,
    subtitle: str | None = None, group: str | None = None, height: int = 440,
) -> go.Figure:  # fmt: skip
    """A municipality (the first code, solid, highlighted) beside chosen ones (dashed): one line each of
    `trend` (month, code, share_joblogged) between `first` and `last`; hidden months are gaps."""
    recent = trend.filter(pl.col("month").is_between(first, last))
    colours = [c for c in style.OKABE_ITO if c != HIGHLIGHT]
    series = [
        (name, recent.filter(pl.col("code") == code).drop_nulls("share_joblogged"),
         HIGHLIGHT if index == 0 else colours[(index - 1) % len(colours)], None if index == 0 else "dash")
        for index, (code, name) in enumerate(zip(codes, names, strict=True))
    ]  # fmt: skip
    return share_lines(series, title, subtitle, group=group, height=height)
