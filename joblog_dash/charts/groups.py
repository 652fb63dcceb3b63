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
from joblog_dash.charts.trend import mark_breaks
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

IMPROVER_COLOUR = OKABE_ITO[0]  # blue
DECLINER_COLOUR = OKABE_ITO[5]  # vermillion: blue/orange differ for every colour-vision type
# Cividis is designed to read the same with deuteranopia and protanopia; light = high share.
HEATMAP_SCALE = "Cividis"
# Suppressed cells: white, a colour Cividis (dark blue to yellow) never takes, named in the legend; grey
# sat too close to its middle tones and read as a value.
HEATMAP_SUPPRESSED = "#ffffff"
SCALE_STEP = 5  # the colour scale runs over the shown cells' range, widened to whole 5 pct. steps


def scale_range(percent: np.ndarray) -> tuple[int, int]:
    """The colour scale's ends in pct.: the shown cells' minimum and maximum, rounded out to SCALE_STEP
    (0–100 when no cell is shown), so 70–100 pct. data uses the whole scale instead of its top third."""
    shown = percent[~np.isnan(percent)]
    if not shown.size:
        return 0, 100
    low = int(np.floor(shown.min() / SCALE_STEP) * SCALE_STEP)
    high = int(np.ceil(shown.max() / SCALE_STEP) * SCALE_STEP)
    return low, max(high, low + SCALE_STEP)


def heatmap(frame: pl.DataFrame, title: str, subtitle: str, group: str | None = None) -> SpecFigure:
    """Municipality x month heat map from views.groups.heatmap_frame: rows in `order` (highest share at the
    top), white cells where the share is suppressed (a legend entry says so), the colour scale fitted to the
    shown cells (scale_range, said in the colour bar); a click on a cell opens its municipality's profile.

    The spec is sent on every rerun and plotly.js pays per trace and per drawn SVG point (one marker trace per
    run of shown cells, ~820 traces for 140 months, took ~2.7 s to draw in Chromium), so:
    - one heatmap draws the shares in per cent (a float32 typed array with a shape). A suppressed cell is
      NaN, which plotly.js leaves transparent: a light grey rectangle under the cells shows through (a
      second heatmap for them cost one more canvas-to-PNG per redraw);
    - the hover and click targets are one text-mode scatter trace per month over all rows, with no text:
      nothing is drawn, yet the points hover and take part in selections, which plotly heat maps do not (a
      click on a heatmap cell never reaches Streamlit's on_select). A point's rows are implicit (y0 = the
      first name on the category axis, dy = 1), its month is in the trace's hover template, its hover text
      the formatted share or 'for få personer', its customdata the municipality code."""
    months = sorted(frame["month"].unique().to_list())
    rows = frame.select("municipality_code", "name", "order").unique().sort("order")
    wide = (
        frame.pivot(on="month", index="municipality_code", values="share", sort_columns=True)
        .join(rows, on="municipality_code")
        .sort("order")
    )
    month_cols = [c for c in wide.columns if c not in ("municipality_code", "name", "order")]
    z = wide.select(month_cols).cast(pl.Float64).to_numpy()
    codes = typed(np.array(wide["municipality_code"].to_list(), dtype=np.int16))
    names = wide["name"].to_list()
    height = max(360, 150 + 14 * len(names))
    hidden = np.isnan(z)
    # fmt.pct of every cell, vectorised (one call per cell was a tenth of a cold rerun): shares are 0..1,
    # so no thousands separator.
    shown = np.char.add(np.char.replace(np.char.mod("%.1f", np.nan_to_num(z) * 100), ".", ","), " pct.")
    hover = np.where(hidden, t("suppressed"), shown)
    column = np.uint8 if len(months) < 256 else np.uint16
    fig = SpecFigure()
    fig.add_trace(
        {
            "type": "heatmap",
            "meta": "shares",
            "x0": 0,
            "dx": 1,
            "y": names,
            "z": typed((z * 100).astype(np.float32)),
            "coloraxis": "coloraxis",
            "hoverinfo": "skip",
        }
    )
    for j, month in enumerate(months):
        label = fmt.month_short(month)
        fig.add_trace(
            {
                "type": "scatter",
                "mode": "text",
                "name": label,
                "meta": month.isoformat(),
                "x": typed(np.full(len(names), j, dtype=column)),
                "y0": names[0],
                "dy": 1,
                "hovertext": hover[:, j].tolist(),
                "customdata": codes,
                "hovertemplate": f"%{{y}}, {label}: %{{hovertext}}<extra></extra>",
                "showlegend": False,
            }
        )
    # The legend's note on hidden cells: a square in their colour, drawing nothing on the plot.
    fig.add_trace(
        {
            "type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": t("heatmap_hidden_legend"),
            "marker": {"symbol": "square", "size": 12, "color": HEATMAP_SUPPRESSED,
                       "line": {"color": NEUTRAL, "width": 1}},
            "hoverinfo": "skip", "showlegend": True,
        }
    )  # fmt: skip
    low, high = scale_range(z * 100)
    base_layout(fig, title, subtitle, height=height)
    # Under the heatmap, exactly its cells (plot_bgcolor would also paint a frame around the plot).
    fig.add_shape(
        type="rect", xref="x", yref="y", x0=-0.5, x1=len(months) - 0.5, y0=-0.5, y1=len(names) - 0.5,
        fillcolor=HEATMAP_SUPPRESSED, line={"width": 0}, layer="below",
    )  # fmt: skip
    ticks, labels = month_ticks(months)
    fig.update_xaxes(
        type="linear", range=[-0.5, len(months) - 0.5], tickvals=[months.index(m) for m in ticks],
        ticktext=labels, zeroline=False,
    )  # fmt: skip
    fig.update_yaxes(
        # Top row first, by range; autorange would pad.
        type="category", categoryorder="array", categoryarray=names, range=[len(names) - 0.5, -0.5],
        tickfont={"size": 10}, gridcolor="rgba(0,0,0,0)",
    )  # fmt: skip
    fig.update_layout(
        margin={"l": 130},
        hovermode="closest",
        coloraxis={
            "colorscale": HEATMAP_SCALE, "cmin": low, "cmax": high,
            "colorbar": {"ticksuffix": " pct.", "title": {"text": t("heatmap_scale_title", low=low, high=high)},
                         "len": 0.9, "y": 0.9, "yanchor": "top"},
        },
        # Above the colour bar, the note on the cells it does not colour.
        legend={"orientation": "v", "x": 1.02, "xanchor": "left", "y": 1, "yanchor": "top"},
    )  # fmt: skip
    if group is not None and months:  # the marker between the columns of the break's two sides
        breaks = reference.breaks_within([group], months[0], months[-1])
        mark_breaks(fig, breaks, at=lambda month: months.index(month) - 0.5)
    return fig


def spread_title(spread: pl.DataFrame) -> str:
    """Whether the 10–90 band got narrower or wider from the first month to the last."""
    rows = spread.drop_nulls("low").sort("month")
    first, last = rows.row(0, named=True), rows.row(-1, named=True)
    narrower = (last["high"] - last["low"]) < (first["high"] - first["low"])
    key = "spread_title_narrower" if narrower else "spread_title_wider"
    return t(key, first=fmt.month_short(first["month"]))


def spread(spread_frame: pl.DataFrame, area_trend: pl.DataFrame, area_label: str, title: str,
           subtitle: str, group: str | None = None) -> go.Figure:  # fmt: skip
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
    if group is not None and months:
        mark_breaks(fig, reference.breaks_within([group], months[0], months[-1]))
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
