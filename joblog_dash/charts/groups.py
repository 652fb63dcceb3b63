"""Charts of the Ydelsesgrupper page: all municipalities of an area for one benefit group."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from joblog_dash.charts.profile import HOVER_SHARE, month_axis, month_labels, values
from joblog_dash.charts.style import (
    NEUTRAL,
    OKABE_ITO,
    REFERENCE_LINE,
    base_layout,
    danish_date_axis,
    month_share_hover,
    percent_axis,
)
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

IMPROVER_COLOUR = OKABE_ITO[0]  # blue
DECLINER_COLOUR = OKABE_ITO[5]  # vermillion: blue/orange differ for every colour-vision type
# Cividis is designed to read the same with deuteranopia and protanopia; light = high share.
HEATMAP_SCALE = "Cividis"


def heatmap(frame: pl.DataFrame, title: str, subtitle: str) -> go.Figure:
    """Municipality x month heat map from profile.heatmap_frame: rows in `order` (highest share at the top),
    blank cells where the share is suppressed; customdata = municipality code for click-to-drill."""
    months = sorted(frame["month"].unique().to_list())
    rows = frame.select("municipality_code", "name", "order").unique().sort("order")
    wide = (
        frame.pivot(on="month", index="municipality_code", values="share", sort_columns=True)
        .join(rows, on="municipality_code")
        .sort("order")
    )
    month_cols = [c for c in wide.columns if c not in ("municipality_code", "name", "order")]
    z = wide.select(month_cols).cast(pl.Float64).to_numpy()
    codes = wide["municipality_code"].to_list()
    names = wide["name"].to_list()
    labels = month_labels(months)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[m.isoformat() for m in months],
            y=names,
            customdata=np.repeat(np.array(codes)[:, None], len(months), axis=1),
            colorscale=HEATMAP_SCALE,
            zmin=0,
            zmax=1,
            hoverongaps=False,
            xgap=0,
            ygap=1,
            colorbar={"tickformat": ".0%", "title": {"text": t("col_share")}},
            hoverinfo="skip",
        )
    )
    # Plotly heat maps do not take part in selections, so a click on a cell never reaches Streamlit's
    # on_select. An invisible marker on every cell carries the click (and the Danish hover text) instead.
    # The spec is sent on every rerun (98 x 84 cells on demo data), so each cell carries as little as it
    # can: the hover text holds month and share only (the name comes from y in the template), x is "YYYY-MM".
    grid_names = np.repeat(np.array(names, dtype=object), len(months))
    grid_shares = z.reshape(-1)
    hover = [
        f"{label}: {t('suppressed') if np.isnan(share) else fmt.pct(float(share))}"
        for label, share in zip(np.tile(labels, len(names)), grid_shares, strict=True)
    ]
    fig.add_trace(
        go.Scatter(
            x=np.tile(np.array([m.isoformat()[:7] for m in months]), len(names)),
            y=grid_names,
            mode="markers",
            marker={"size": 12, "opacity": 0, "color": "#000"},
            # A list, not a numpy array: a typed 2-D array reaches the selection as {"0": code}.
            customdata=[[code] for code in codes for _ in months],
            hovertext=hover,
            hovertemplate="%{y}, %{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    base_layout(fig, title, subtitle, height=max(360, 150 + 14 * len(names)))
    danish_date_axis(fig, months)
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10}, gridcolor="rgba(0,0,0,0)")
    fig.update_layout(margin={"l": 130})
    return fig


def spread_title(spread: pl.DataFrame) -> str:
    """Whether the 10–90 band got narrower or wider from the first month to the last."""
    rows = spread.drop_nulls("low").sort("month")
    first, last = rows.row(0, named=True), rows.row(-1, named=True)
    narrower = (last["high"] - last["low"]) < (first["high"] - first["low"])
    key = "spread_title_narrower" if narrower else "spread_title_wider"
    return t(key, first=fmt.month_short(first["month"]))


def spread(spread_frame: pl.DataFrame, area_trend: pl.DataFrame, area_label: str, title: str,
           subtitle: str) -> go.Figure:  # fmt: skip
    """10–90 percentile band and median of municipal shares per month, plus the area's overall share."""
    rows = spread_frame.sort("month")
    months = rows["month"].to_list()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=months + months[::-1],
            y=rows["high"].to_list() + rows["low"].to_list()[::-1],
            fill="toself",
            fillcolor="rgba(86,180,233,0.3)",
            line={"width": 0},
            name=t("spread_band"),
            hoverinfo="skip",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=months,
            y=values(rows["median"]),
            text=month_share_hover(months, rows["median"].to_list()),
            mode="lines",
            line={"color": OKABE_ITO[0], "width": 2},
            name=t("spread_median"),
            hovertemplate=HOVER_SHARE,
        )
    )
    area_rows = area_trend.sort("month")
    fig.add_trace(
        go.Scatter(
            x=month_axis(area_rows["month"]),
            y=values(area_rows["share_joblogged"]),
            text=month_share_hover(area_rows["month"].to_list(), area_rows["share_joblogged"].to_list()),
            mode="lines",
            line={"color": REFERENCE_LINE, "width": 1.5, "dash": "dot"},
            name=t("spread_area", area=area_label),
            hovertemplate=HOVER_SHARE,
        )
    )
    base_layout(fig, title, subtitle, height=400)
    danish_date_axis(fig, months + area_rows["month"].to_list())
    percent_axis(fig)
    return fig


def movers_title(improvers: pl.DataFrame, decliners: pl.DataFrame) -> str:
    if improvers.height and decliners.height:
        best, worst = improvers.row(0, named=True), decliners.row(0, named=True)
        return t(
            "movers_title",
            best=best["name"],
            best_change=fmt.pp(best["change"]),
            worst=worst["name"],
            worst_change=fmt.pp(worst["change"]),
        )
    if improvers.height:
        best = improvers.row(0, named=True)
        return t("movers_title_up", best=best["name"], best_change=fmt.pp(best["change"]))
    worst = decliners.row(0, named=True)
    return t("movers_title_down", worst=worst["name"], worst_change=fmt.pp(worst["change"]))


def movers(improvers: pl.DataFrame, decliners: pl.DataFrame, start_label: str, end_label: str, title: str,
           subtitle: str) -> go.Figure:  # fmt: skip
    """Diverging horizontal bars of the change in share; Wilson intervals of both months in the hover."""
    rows = pl.concat([improvers, decliners.sort("change", descending=True)]).sort("change")
    hover = [
        f"<b>{r['name']}</b><br>{start_label}: {fmt.pct(r['share_start'])} "
        f"({fmt.pct_range(r['lower_start'], r['upper_start'])}, {fmt.number(r['persons_start'])} pers.)"
        f"<br>{end_label}: {fmt.pct(r['share_end'])} "
        f"({fmt.pct_range(r['lower_end'], r['upper_end'])}, {fmt.number(r['persons_end'])} pers.)"
        f"<br>{t('col_change')}: {fmt.pp(r['change'])}"
        for r in rows.iter_rows(named=True)
    ]
    changes = rows["change"].to_list()
    fig = go.Figure(
        go.Bar(
            y=rows["name"].to_list(),
            x=changes,
            orientation="h",
            marker={
                "color": [IMPROVER_COLOUR if c > 0 else DECLINER_COLOUR for c in changes],
                # Pattern on the declines, so the direction does not rest on colour alone.
                "pattern": {"shape": ["" if c > 0 else "/" for c in changes], "fgcolor": "white"},
            },
            customdata=[[c] for c in rows["municipality_code"].to_list()],
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            text=[fmt.pp(c) for c in changes],
            textposition="outside",
            showlegend=False,
        )
    )
    base_layout(fig, title, subtitle, height=160 + 24 * rows.height)
    fig.update_xaxes(tickformat="+.0%", zeroline=True, zerolinecolor=NEUTRAL, zerolinewidth=1.5)
    fig.update_layout(margin={"l": 130})
    span = max((abs(c) for c in changes), default=0.1) * 1.35
    fig.update_xaxes(range=[-span, span])
    return fig
