"""Charts of the Ydelsesgrupper page: all municipalities of an area for one benefit group."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
import polars as pl

from joblog_dash.charts.profile import HOVER_SHARE, month_axis, values
from joblog_dash.charts.spec import SpecFigure, typed
from joblog_dash.charts.style import (
    NEUTRAL,
    OKABE_ITO,
    REFERENCE_LINE,
    base_layout,
    danish_date_axis,
    month_share_hover,
    month_ticks,
    percent_axis,
)
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

IMPROVER_COLOUR = OKABE_ITO[0]  # blue
DECLINER_COLOUR = OKABE_ITO[5]  # vermillion: blue/orange differ for every colour-vision type
# Cividis is designed to read the same with deuteranopia and protanopia; light = high share.
HEATMAP_SCALE = "Cividis"


def heatmap(frame: pl.DataFrame, title: str, subtitle: str) -> SpecFigure:
    """Municipality x month heat map from profile.heatmap_frame: rows in `order` (highest share at the top),
    blank cells where the share is suppressed; customdata = municipality code for click-to-drill.

    Plotly heat maps take no part in selections, so a click on a cell would never reach Streamlit's
    on_select; the cells are square markers instead (the spec is sent on every rerun: 98 x 84 cells on demo
    data, so each cell carries as little as it can). One scatter trace per month and run of consecutive
    rows with a share: its rows are implicit (y0 = the run's first name on a category axis, dy = 1), its
    month is in its hover template, its x, colours (per cent, on one shared colour axis) and customdata
    (codes) are small typed arrays. Suppressed cells are one more trace of invisible markers whose hover
    says so (plotly.js would draw a missing colour dark grey and hover it as 'NaN')."""
    months = sorted(frame["month"].unique().to_list())
    rows = frame.select("municipality_code", "name", "order").unique().sort("order")
    wide = (
        frame.pivot(on="month", index="municipality_code", values="share", sort_columns=True)
        .join(rows, on="municipality_code")
        .sort("order")
    )
    month_cols = [c for c in wide.columns if c not in ("municipality_code", "name", "order")]
    z = wide.select(month_cols).cast(pl.Float64).to_numpy()
    codes = np.array(wide["municipality_code"].to_list(), dtype=np.int16)
    names = wide["name"].to_list()
    height = max(360, 150 + 14 * len(names))
    top, bottom = 80, 50  # base_layout's margins with a subtitle
    size = max(3.0, round((height - top - bottom) / max(len(names), 1) - 1, 1))
    column = np.uint8 if len(months) < 256 else np.uint16
    fig = SpecFigure()
    hidden: list[tuple[int, int]] = []  # (row, month index) of suppressed cells
    for j, month in enumerate(months):
        label = fmt.month_short(month)
        shown = ~np.isnan(z[:, j])
        hidden += [(i, j) for i in np.flatnonzero(~shown)]
        start = 0
        while start < len(names):
            if not shown[start]:
                start += 1
                continue
            stop = start
            while stop < len(names) and shown[stop]:
                stop += 1
            fig.add_trace(
                {
                    "type": "scatter",
                    "mode": "markers",
                    "name": label,
                    "meta": month.isoformat(),
                    "x": typed(np.full(stop - start, j, dtype=column)),
                    "y0": names[start],
                    "dy": 1,
                    "marker": {
                        "symbol": "square",
                        "size": size,
                        "color": typed((z[start:stop, j] * 100).astype(np.float32)),
                        "coloraxis": "coloraxis",
                    },
                    "customdata": typed(codes[start:stop]),
                    "hovertemplate": f"%{{y}}, {label}: %{{marker.color:.1f}} pct.<extra></extra>",
                    "unselected": {"marker": {"opacity": 1}},
                    "showlegend": False,
                }
            )
            start = stop
    if hidden:
        fig.add_trace(
            {
                "type": "scatter",
                "mode": "markers",
                "name": t("suppressed"),
                "meta": "suppressed",
                "x": typed(np.array([j for _, j in hidden], dtype=column)),
                "y": [names[i] for i, _ in hidden],
                "text": [fmt.month_short(months[j]) for _, j in hidden],
                "marker": {"symbol": "square", "size": size, "opacity": 0, "color": "#000"},
                "customdata": typed(codes[[i for i, _ in hidden]]),
                "hovertemplate": f"%{{y}}, %{{text}}: {t('suppressed')}<extra></extra>",
                "selected": {"marker": {"opacity": 0}},
                "unselected": {"marker": {"opacity": 0}},
                "showlegend": False,
            }
        )
    base_layout(fig, title, subtitle, height=height)
    ticks, labels = month_ticks(months)
    fig.update_xaxes(
        type="linear", range=[-0.5, len(months) - 0.5], tickvals=[months.index(m) for m in ticks],
        ticktext=labels, zeroline=False,
    )  # fmt: skip
    fig.update_yaxes(
        # Reversed by range (top row first); autorange would pad for the marker size.
        type="category", categoryorder="array", categoryarray=names, range=[len(names) - 0.5, -0.5],
        tickfont={"size": 10}, gridcolor="rgba(0,0,0,0)",
    )  # fmt: skip
    fig.update_layout(
        margin={"l": 130},
        hovermode="closest",
        coloraxis={
            "colorscale": HEATMAP_SCALE, "cmin": 0, "cmax": 100,
            "colorbar": {"ticksuffix": " pct.", "title": {"text": t("col_share")}},
        },
    )  # fmt: skip
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
    fig = SpecFigure()
    fig.add_trace(
        dict(
            type="scatter",
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
        dict(
            type="scatter",
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
        dict(
            type="scatter",
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
    fig = SpecFigure().add_trace(
        dict(
            type="bar",
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
