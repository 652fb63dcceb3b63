"""Maps of Denmark that work offline: a hex tile map and, with a boundary file, a true choropleth.

Both are scatter traces on cartesian axes (no geo traces: those fetch base maps from a CDN), built as plain
JSON (charts.spec.SpecFigure). The hex map is one trace of hexagon markers on a colour-blind-safe
sequential scale (viridis), plus small traces for suppressed cells and cells without a colour. The
choropleth has one filled polygon trace per municipality and an invisible marker trace at the centres that
carries the hover text and the colour bar. customdata[0] = municipality code, for click-to-profile.
"""

from __future__ import annotations

import polars as pl
from plotly.colors import sample_colorscale

from joblog_dash.analysis import privacy
from joblog_dash.charts import style
from joblog_dash.charts.funnel import interval_text, measure_label
from joblog_dash.charts.spec import SpecFigure
from joblog_dash.data import boundaries, hexmap, reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

# Viridis rather than cividis: cividis passes through grey, which would blur with the grey of suppressed cells.
COLOURSCALE = "Viridis"
OUTSIDE_FILL = "#f2f2f2"  # municipalities outside the chosen area: context only
NO_DATA_FILL = "#ffffff"
EDGE = "#ffffff"
HATCH = "#8a8a8a"  # the stroke over suppressed cells
HOVER = "%{customdata[1]}<extra></extra>"

Ring = tuple[tuple[float, ...], tuple[float, ...]]


def _colour_range(values: pl.DataFrame) -> tuple[float, float]:
    shares = values.filter(pl.col("in_area") & ~pl.col("suppressed"))["share"].drop_nulls()
    if shares.is_empty():
        return 0.0, 1.0
    low, high = float(shares.min()), float(shares.max())
    return (low, high) if high > low else (max(0.0, low - 0.01), min(1.0, high + 0.01))


def map_values(table: pl.DataFrame, area_codes: list[int] | None = None) -> pl.DataFrame:
    """One row per municipality of the 98: code, name, persons, share, lower, upper, suppressed, in_area.

    `table` has code, name, persons, share (and optionally lower/upper/suppressed) for some municipalities;
    the others get persons 0. Suppression is applied here if the table has no `suppressed` column.
    """
    frame = table
    if "suppressed" not in frame.columns:
        frame = frame.with_columns(privacy.suppression_mask(frame["persons"]).alias("suppressed"))
    for column in ("lower", "upper"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(column))
    munis = reference.municipalities().select("code", pl.col("name").alias("_name"))
    joined = munis.join(
        frame.select("code", "persons", "share", "lower", "upper", "suppressed"), on="code", how="left"
    )
    codes = set(area_codes) if area_codes is not None else set(munis["code"].to_list())
    return joined.select(
        "code",
        pl.col("_name").alias("name"),
        pl.col("persons").fill_null(0),
        pl.when(pl.col("suppressed").fill_null(False)).then(None).otherwise(pl.col("share")).alias("share"),
        "lower",
        "upper",
        pl.col("suppressed").fill_null(False),
        pl.col("code").is_in(list(codes)).alias("in_area"),
    )


def _hover(row: dict) -> str:
    lines = [f"<b>{row['name']}</b>"]
    if not row["in_area"]:
        lines.append(t("map_outside_area"))
    elif row["suppressed"]:
        lines.append(privacy.SUPPRESSED_TEXT)
    elif row["share"] is None:
        lines.append(t("map_no_data"))
    else:
        lines.append(
            t(
                "hover_share",
                share=fmt.pct(row["share"]),
                interval=interval_text(row["lower"], row["upper"]),
            )
        )
    if row["in_area"]:
        lines.append(t("hover_persons", persons=fmt.number(row["persons"])))
    return "<br>".join(lines)


def _fill(row: dict, low: float, high: float) -> str:
    if not row["in_area"]:
        return OUTSIDE_FILL
    if row["suppressed"]:
        return style.SUPPRESSED_COLOUR
    if row["share"] is None:
        return NO_DATA_FILL
    position = (row["share"] - low) / (high - low) if high > low else 0.5
    return sample_colorscale(COLOURSCALE, [min(1.0, max(0.0, position))])[0]


def _colour_bar(measure: str) -> dict:
    return {
        "title": {"text": measure_label(measure).replace("Andel ", "Andel<br>", 1), "side": "top"},
        "tickformat": ".0%",
        "thickness": 14,
        "len": 0.7,
    }


def _finish(fig: SpecFigure, title: str, subtitle: str | None, height: int) -> SpecFigure:
    style.base_layout(fig, title, subtitle, height=height)
    fig.update_xaxes(visible=False, showgrid=False, zeroline=False)
    fig.update_yaxes(visible=False, showgrid=False, zeroline=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(hovermode="closest", clickmode="event+select", margin={"l": 10, "r": 10, "b": 10})
    return fig


def _polygon_map(
    shapes: dict[int, tuple[Ring, ...]],
    centres: dict[int, tuple[float, float]],
    values: pl.DataFrame,
    measure: str,
    title: str,
    subtitle: str | None,
    height: int,
) -> SpecFigure:
    low, high = _colour_range(values)
    fig = SpecFigure()
    rows = [r for r in values.iter_rows(named=True) if r["code"] in shapes]
    for row in rows:
        xs: list[float | None] = []
        ys: list[float | None] = []
        for ring_x, ring_y in shapes[row["code"]]:
            xs += [*ring_x, None]
            ys += [*ring_y, None]
        in_area = row["in_area"]
        fig.add_trace(
            {
                "type": "scatter",
                "x": xs[:-1],
                "y": ys[:-1],
                "mode": "lines",
                "fill": "toself",
                "fillcolor": _fill(row, low, high),
                # Suppressed cells are hatched as well as grey, so they never read as a low value.
                "fillpattern": {"shape": "/", "fgcolor": HATCH, "bgcolor": style.SUPPRESSED_COLOUR, "size": 6,
                                "solidity": 0.2} if in_area and row["suppressed"] else None,
                "line": {"color": EDGE if in_area else "#d9d9d9", "width": 1},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": row["name"],
                "meta": {"code": row["code"], "suppressed": row["suppressed"]},
            }
        )  # fmt: skip
    # The markers are invisible; cells without a share just need some valid number for the colour bar.
    colour = [r["share"] if r["in_area"] and r["share"] is not None else low for r in rows]
    fig.add_trace(
        {
            "type": "scatter",
            "x": [centres[r["code"]][0] for r in rows],
            "y": [centres[r["code"]][1] for r in rows],
            "mode": "markers",
            "name": t("map_centres"),
            "showlegend": False,
            "marker": {"size": 16, "opacity": 0, "color": colour, "colorscale": COLOURSCALE, "cmin": low,
                       "cmax": high, "showscale": True, "colorbar": _colour_bar(measure)},
            "customdata": [[r["code"], _hover(r)] for r in rows],
            "hovertemplate": HOVER,
            "selected": {"marker": {"opacity": 0}},
            "unselected": {"marker": {"opacity": 0}},
        }
    )  # fmt: skip
    return _finish(fig, title, subtitle, height)


def _hex_marker_px(y_span: float, height: int, top: int, bottom: int) -> float:
    """Marker size (px) of a pointy-top hexagon whose width is the centre spacing (1 unit), when the plot's
    height sets the scale: plotly.js draws 'hexagon' with circumradius size/2 and width size·√3/2."""
    px_per_unit = (height - top - bottom) / y_span
    return round(px_per_unit * 2 / hexmap.SQRT3, 1)


def hex_figure(values: pl.DataFrame, measure: str, title: str, subtitle: str | None = None) -> SpecFigure:
    """The hex tile map: one hexagon per municipality (98), coloured by share, grey when suppressed.

    One marker trace (symbol 'hexagon', sized to the tile spacing) on the colour scale holds the cells with
    a share; a second holds the suppressed cells (grey, dark edge, named in the legend) with a diagonal
    stroke over each as hatching; a third the cells without a colour (outside the area, no persons).
    Every cell carries customdata [code, hover text] for hover and click-to-profile."""
    layout = hexmap.load_layout().select("code", "x", "y")
    where = {code: (x, y) for code, x, y in layout.iter_rows()}
    low, high = _colour_range(values)
    rows = [r for r in values.iter_rows(named=True) if r["code"] in where]
    xs, ys = layout["x"], layout["y"]
    pad = hexmap.HEX_SIZE + 0.15
    y_range = [float(ys.min()) - pad, float(ys.max()) + pad]  # type: ignore[arg-type]
    x_range = [float(xs.min()) - pad, float(xs.max()) + pad]  # type: ignore[arg-type]
    height, top = 560, 80 if subtitle else 60
    size = _hex_marker_px(y_range[1] - y_range[0], height, top, 10)

    def cells(part: list[dict]) -> dict:
        return {
            "type": "scatter",
            "mode": "markers",
            "x": [where[r["code"]][0] for r in part],
            "y": [where[r["code"]][1] for r in part],
            "customdata": [[r["code"], _hover(r)] for r in part],
            "hovertemplate": HOVER,
            # Selecting a cell must not dim the others (the click opens the profile).
            "unselected": {"marker": {"opacity": 1}},
        }

    coloured = [r for r in rows if r["in_area"] and not r["suppressed"] and r["share"] is not None]
    suppressed = [r for r in rows if r["in_area"] and r["suppressed"]]
    rest = [r for r in rows if r not in coloured and r not in suppressed]
    fig = SpecFigure()
    fig.add_trace(
        {
            **cells(coloured),
            "name": t("map_centres"),
            "showlegend": False,
            "marker": {"symbol": "hexagon", "size": size, "color": [r["share"] for r in coloured],
                       "colorscale": COLOURSCALE, "cmin": low, "cmax": high, "showscale": True,
                       "colorbar": _colour_bar(measure), "line": {"color": EDGE, "width": 1}},
        }
    )  # fmt: skip
    if suppressed:
        fig.add_trace(
            {
                **cells(suppressed),
                "name": t("map_suppressed_legend"),
                "marker": {"symbol": "hexagon", "size": size, "color": style.SUPPRESSED_COLOUR,
                           "line": {"color": HATCH, "width": 1.5}},
            }
        )  # fmt: skip
        fig.add_trace(
            {
                "type": "scatter",
                "mode": "markers",
                "x": [where[r["code"]][0] for r in suppressed],
                "y": [where[r["code"]][1] for r in suppressed],
                "marker": {"symbol": "line-ne", "size": size * 0.55, "line": {"color": HATCH, "width": 1.5}},
                "hoverinfo": "skip",
                "showlegend": False,
                "name": t("map_suppressed_legend"),
            }
        )  # fmt: skip
    if rest:
        fig.add_trace(
            {
                **cells(rest),
                "name": t("map_outside_area"),
                "showlegend": False,
                "marker": {"symbol": "hexagon", "size": size,
                           "color": [OUTSIDE_FILL if not r["in_area"] else NO_DATA_FILL for r in rest],
                           "line": {"color": ["#d9d9d9" if not r["in_area"] else "#8c8c8c" for r in rest],
                                    "width": 1}},
            }
        )  # fmt: skip
    _finish(fig, title, subtitle, height)
    fig.update_xaxes(range=x_range)
    fig.update_yaxes(range=y_range)
    fig.update_layout(
        legend={"orientation": "h", "x": 0.4, "y": 1, "xanchor": "left", "yanchor": "top",
                "bgcolor": "rgba(255,255,255,0.8)"},
    )  # fmt: skip
    return fig


def _ring_centroid(ring: Ring) -> tuple[float, float, float]:
    """Area-weighted centroid and absolute area of a closed or open ring (shoelace formula)."""
    xs, ys = ring
    n = len(xs)
    area = cx = cy = 0.0
    for i in range(n):
        x0, y0, x1, y1 = xs[i], ys[i], xs[(i + 1) % n], ys[(i + 1) % n]
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-15:
        return sum(xs) / n, sum(ys) / n, 0.0
    return cx / (3 * area), cy / (3 * area), abs(area) / 2


def choropleth_figure(
    shapes: boundaries.Boundaries, values: pl.DataFrame, measure: str, title: str, subtitle: str | None = None
) -> SpecFigure:
    """A true choropleth from a boundary file: the municipality's polygons, hover at its largest part."""
    centres = {}
    for code, rings in shapes.shapes.items():
        best = max((_ring_centroid(ring) for ring in rings), key=lambda c: c[2])
        centres[code] = (best[0], best[1])
    return _polygon_map(shapes.shapes, centres, values, measure, title, subtitle, height=640)


def map_title(values: pl.DataFrame, measure: str) -> str:
    """The message: where the measure is highest and lowest in the area."""
    shown = values.filter(pl.col("in_area") & pl.col("share").is_not_null())
    if shown.is_empty():
        return t("map_title_empty")
    top = shown.sort("share", descending=True).row(0, named=True)
    bottom = shown.sort("share").row(0, named=True)
    return t(
        "map_title",
        measure=measure_label(measure).lower(),
        top=top["name"],
        top_share=fmt.pct(top["share"]),
        bottom=bottom["name"],
        bottom_share=fmt.pct(bottom["share"]),
    )


def map_alt(values: pl.DataFrame, measure: str, kind: str = "hex") -> str:
    shown = values.filter(pl.col("in_area"))
    return t(
        "map_alt_hex" if kind == "hex" else "map_alt_geo",
        n=shown.height,
        measure=measure_label(measure).lower(),
        suppressed=int(shown["suppressed"].sum()),
    )
