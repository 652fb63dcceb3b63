"""Follow-up charts: one municipality's p-chart with its signals, and the letter's effect per municipality."""

from __future__ import annotations

import plotly.graph_objects as go
import polars as pl

from joblog_dash.analysis import fair, privacy, stats
from joblog_dash.charts import style
from joblog_dash.charts.funnel import measure_label
from joblog_dash.charts.spec import SpecFigure
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

SIGNAL_COLOUR = "#D55E00"
MOVED_STYLE = {
    fair.MOVED_MORE: ("#0072B2", "triangle-right"),
    fair.MOVED_SAME: ("#8c8c8c", "circle"),
    fair.MOVED_LESS: ("#D55E00", "triangle-left"),
}


def p_chart_figure(table: pl.DataFrame, name: str, measure: str, subtitle: str) -> go.Figure:
    """p-chart from a stats.signals table (with `month`): share, centre line, 95 % and 99.8 % limits from each
    month's own n; months where a rule fires are marked with a vermillion diamond (symbol, not only colour).
    Months with fewer than MIN_PERSONS persons are left out (suppression)."""
    rows = table.with_columns(
        pl.when(pl.col("persons") < privacy.MIN_PERSONS).then(None).otherwise(pl.col("share")).alias("share")
    )
    months = rows["month"].to_list()
    fig = SpecFigure()
    for level, dash, label in (("998", "dot", t("funnel_limit_998")), ("95", "dash", t("funnel_limit_95"))):
        for side in ("lower", "upper"):
            fig.add_trace(
                dict(type="scatter",
                    x=months, y=rows[f"{side}_{level}"].to_list(), mode="lines", name=label,
                    line={"color": style.NEUTRAL, "width": 1.2, "dash": dash, "shape": "hvh"},
                    legendgroup=level, showlegend=side == "lower", hoverinfo="skip",
                )
            )  # fmt: skip
    fig.add_trace(
        dict(type="scatter",
            x=months, y=rows["centre"].to_list(), mode="lines", name=t("pchart_centre"),
            line={"color": style.REFERENCE_LINE, "width": 1.5}, hoverinfo="skip",
        )
    )  # fmt: skip
    hover = [
        f"<b>{fmt.month_short(m)}</b><br>{fmt.pct(s)} · {fmt.number(n)} personer" + (f"<br>{e}" if e else "")
        for m, s, n, e in zip(months, rows["share"], rows["persons"], rows["explanation"], strict=True)
    ]
    fig.add_trace(
        dict(type="scatter",
            x=months, y=rows["share"].to_list(), mode="lines+markers", name=name,
            line={"color": "#0072B2", "width": 2}, marker={"size": 6, "color": "#0072B2"},
            customdata=hover, hovertemplate="%{customdata}<extra></extra>",
        )
    )  # fmt: skip
    fired = rows.with_row_index("i").filter(
        (pl.col("rule_998") | pl.col("rule_run") | pl.col("rule_limit")) & pl.col("share").is_not_null()
    )
    if fired.height:
        fig.add_trace(
            dict(type="scatter",
                x=fired["month"].to_list(), y=fired["share"].to_list(), mode="markers", name=t("pchart_signal"),
                marker={"symbol": "diamond-open", "size": 14, "color": SIGNAL_COLOUR, "line": {"width": 2}},
                customdata=[hover[i] for i in fired["i"].to_list()],
                hovertemplate="%{customdata}<extra></extra>",
            )
        )  # fmt: skip
    if "excluded" in table.columns and table["excluded"].any():
        subtitle += t("pchart_excluded_note")
    latest = stats.latest_signals(table)
    title = t("pchart_title_signal" if latest.active else "pchart_title_none", name=name, text=latest.text)
    style.base_layout(fig, title, subtitle, height=420)
    shares = [v for v in rows["share"].to_list() if v is not None] + rows["centre"].drop_nulls().to_list()
    low = min(shares + rows["lower_998"].drop_nulls().to_list(), default=0.0)
    high = max(shares + rows["upper_998"].drop_nulls().to_list(), default=1.0)
    style.percent_axis(fig, "y", (max(0.0, low - 0.03), min(1.0, high + 0.03)))
    fig.update_yaxes(title=measure_label(measure))
    style.danish_date_axis(fig, months)
    fig.update_layout(hovermode="closest", margin={"b": 90, "t": 110})
    return fig


def letter_title(effect: pl.DataFrame) -> str:
    shown = effect.filter(~pl.col("suppressed") & pl.col("moved").is_not_null())
    more = int((shown["moved"] == fair.MOVED_MORE).sum())
    less = int((shown["moved"] == fair.MOVED_LESS).sum())
    return t("letter_fair_title", more=more, less=less, n=shown.height)


def letter_figure(effect: pl.DataFrame, measure: str, subtitle: str) -> go.Figure:
    """Change after the letter per municipality (sorted dots) against the national change (vertical line).

    Colour AND symbol show whether the municipality moved more than, like, or less than the country
    (in the measure's good direction). customdata[0] = municipality code."""
    shown = effect.filter(~pl.col("suppressed") & pl.col("change").is_not_null()).sort("change")
    fig = SpecFigure()
    national = effect["national_change"].drop_nulls()
    for moved, (colour, symbol) in MOVED_STYLE.items():
        rows = shown.filter(pl.col("moved") == moved)
        if rows.is_empty():
            continue
        hover = [
            f"<b>{r['name']}</b><br>{fmt.pct(r['share_before'])} → {fmt.pct(r['share_after'])}"
            f"<br>{t('col_change')}: {fmt.pp(r['change'])}<br>{moved}"
            for r in rows.iter_rows(named=True)
        ]
        fig.add_trace(
            dict(type="scatter",
                x=(rows["change"] * 100).to_list(), y=rows["name"].to_list(), mode="markers",
                name=f"{moved.capitalize()} ({rows.height})",
                marker={"color": colour, "symbol": symbol, "size": 10},
                customdata=[[c, h] for c, h in zip(rows["code"], hover, strict=True)],
                hovertemplate="%{customdata[1]}<extra></extra>",
            )
        )  # fmt: skip
    if national.len():
        value = float(national[0]) * 100
        fig.add_vline(x=value, line={"color": style.REFERENCE_LINE, "width": 1.5, "dash": "dash"})
        fig.add_annotation(
            x=value, y=1, yref="paper", yanchor="top", xanchor="left", xshift=4, showarrow=False,
            text=t("letter_national", change=fmt.pp(national[0])), font={"size": 11},
            bgcolor="rgba(255,255,255,0.85)",
        )  # fmt: skip
    height = max(320, 17 * shown.height + 180)
    style.base_layout(fig, letter_title(effect), subtitle, height=height)
    fig.update_yaxes(categoryorder="array", categoryarray=shown["name"].to_list(), gridcolor="#f0f0f0")
    fig.update_xaxes(title=t("letter_x"), ticksuffix="", zeroline=True, zerolinecolor="#bbb")
    fig.update_layout(
        hovermode="closest", legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0},
        margin={"t": 120, "b": 40},
    )  # fmt: skip
    return fig


def letter_table(effect: pl.DataFrame) -> pl.DataFrame:
    rows = effect.sort("change", descending=True, nulls_last=True)
    hidden = rows["suppressed"]

    def col(values: pl.Series, fn) -> list[str]:  # type: ignore[no-untyped-def]
        return [privacy.SUPPRESSED_TEXT if h else fn(v) for v, h in zip(values, hidden, strict=True)]

    return pl.DataFrame(
        {
            t("col_municipality"): rows["name"],
            t("letter_before"): col(rows["share_before"], fmt.pct),
            t("letter_after"): col(rows["share_after"], fmt.pct),
            t("col_change"): col(rows["change"], fmt.pp),
            t("col_national_change"): [fmt.pp(v) for v in rows["national_change"]],
            t("col_moved"): ["" if h else (m or "") for m, h in zip(rows["moved"], hidden, strict=True)],
        }
    )


def p_chart_table(table: pl.DataFrame) -> pl.DataFrame:
    """The table behind the p-chart, in Danish; months with too few persons say so."""
    hidden = table["persons"] < privacy.MIN_PERSONS
    excluded = table["excluded"] if "excluded" in table.columns else pl.Series([False] * table.height)

    def share_text(share: float | None, small: bool, left_out: bool) -> str:
        return t("pchart_excluded") if left_out else privacy.SUPPRESSED_TEXT if small else fmt.pct(share)

    return pl.DataFrame(
        {
            t("col_month"): [fmt.month_short(m) for m in table["month"]],
            t("col_persons"): [fmt.number(p) for p in table["persons"]],
            t("col_share"): [
                share_text(s, h, e) for s, h, e in zip(table["share"], hidden, excluded, strict=True)
            ],
            t("pchart_centre"): [fmt.pct(c) for c in table["centre"]],
            t("funnel_limit_95"): [
                f"{fmt.pct(lo)} – {fmt.pct(up)}"
                for lo, up in zip(table["lower_95"], table["upper_95"], strict=True)
            ],
            t("pchart_signal"): [e or "" for e in table["explanation"]],
        }
    )
