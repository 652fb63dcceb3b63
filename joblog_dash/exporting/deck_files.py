"""The presentation deck as files: PowerPoint with native charts, and PDF with one page per slide.

Both are written from exporting.deck's slides, the objects the Præsentation page draws, so a file says what
the screen says. The PowerPoint chart of a slide is made from the data of the slide's plotly figure (its
traces, and its horizontal reference lines as two-point series): editable in PowerPoint ("Rediger data"),
with the numbers in the embedded workbook. Monthly lines become a line chart with the months as categories;
everything else (the spread's dots, the funnel with its limits) an XY scatter, the funnel's x axis on a log
scale. Each slide carries its action title, the supporting sentence, the source and the demo label, and has
the talking points as speaker notes.

The PDF is the same slides as one HTML page each (inline SVG charts by kaleido), printed by exporting.pdf:
no office suite is needed on the server, and the charts look exactly as on screen.
"""

from __future__ import annotations

import base64
import html
import io
import math
from datetime import date
from typing import Any

import numpy as np
from lxml import etree
from pptx import Presentation
from pptx.chart.data import CategoryChartData, XyChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import (
    XL_CHART_TYPE,
    XL_LABEL_POSITION,
    XL_LEGEND_POSITION,
    XL_MARKER_STYLE,
    XL_TICK_LABEL_POSITION,
)
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.util import Inches, Pt

from joblog_dash.exporting import files as exports
from joblog_dash.exporting import pdf
from joblog_dash.exporting.deck import Slide
from joblog_dash.text import fmt

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
WIDTH_IN, HEIGHT_IN = 13.333, 7.5  # 16:9
MARKERS = {"diamond": XL_MARKER_STYLE.DIAMOND, "triangle-up": XL_MARKER_STYLE.TRIANGLE,
           "triangle-down": XL_MARKER_STYLE.TRIANGLE}  # fmt: skip
DASHES = {"dash": MSO_LINE_DASH_STYLE.DASH, "dot": MSO_LINE_DASH_STYLE.ROUND_DOT}
DEMO_COLOUR = "B34700"
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"


def _values(raw: Any) -> list[Any]:
    """A trace's x or y as a list (SpecFigure keeps lists; plotly JSON may hold typed arrays)."""
    if isinstance(raw, dict) and "bdata" in raw:
        return np.frombuffer(base64.b64decode(raw["bdata"]), dtype=np.dtype(raw["dtype"])).tolist()
    return list(raw or [])


def _colour(value: Any, fallback: str = "#0072B2") -> RGBColor:
    text = value if isinstance(value, str) and value.startswith("#") and len(value) == 7 else fallback
    return RGBColor.from_string(text[1:].upper())


def _reference_lines(layout: dict[str, Any]) -> list[tuple[str, float, dict[str, Any]]]:
    """Horizontal lines across the plot (add_hline) with the label of the annotation at their height."""
    labels = {
        round(float(a["y"]), 9): str(a.get("text", ""))
        for a in layout.get("annotations", [])
        if a.get("xref") == "x domain" and a.get("y") is not None
    }
    return [
        (labels.get(round(float(s["y0"]), 9), "Forventet niveau"), float(s["y0"]), s.get("line", {}))
        for s in layout.get("shapes", [])
        if s.get("type") == "line" and s.get("xref") == "x domain" and s.get("y0") == s.get("y1")
    ]


def _style_series(series: Any, trace: dict[str, Any], lines: bool) -> None:
    line = trace.get("line", {})
    marker = trace.get("marker", {})
    colour = marker.get("color") if not lines else line.get("color")
    if isinstance(colour, list):
        colour = colour[0] if colour else None
    series.smooth = False
    if lines:
        series.format.line.color.rgb = _colour(colour)
        series.format.line.width = Pt(2.25 if line.get("width", 2) >= 3 else 1.25)
        if line.get("dash") in DASHES:
            series.format.line.dash_style = DASHES[line["dash"]]
        series.marker.style = XL_MARKER_STYLE.NONE
    else:
        series.format.line.fill.background()
        series.marker.style = MARKERS.get(str(marker.get("symbol")), XL_MARKER_STYLE.CIRCLE)
        series.marker.size = max(
            5, min(14, int(marker.get("size", 7) if not isinstance(marker.get("size"), list) else 8))
        )
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = _colour(colour)
        series.marker.format.line.fill.background()


def _percent_axis(axis: Any, layout_axis: dict[str, Any]) -> None:
    if "%" in str(layout_axis.get("tickformat", "")):
        axis.tick_labels.number_format = "0%"  # the values are fractions, as in the data
        axis.tick_labels.number_format_is_linked = False
        value_range = layout_axis.get("range")
        if value_range:  # whole tens of per cent, as the screen's ticks
            axis.minimum_scale = math.floor(float(value_range[0]) * 10) / 10
            axis.maximum_scale = math.ceil(float(value_range[1]) * 10) / 10
            axis.major_unit = 0.1
    axis.has_major_gridlines = True
    axis.tick_labels.font.size = Pt(12)


def _hide_legend_entries(chart: Any, indexes: list[int]) -> None:
    """Leave series out of the legend (the funnel's upper limits: the lower ones name them), as
    plotly's showlegend=False does: c:legendEntry/c:delete, right after c:legendPos."""
    legend = chart.legend._element
    position = legend.find(f"{_C}legendPos")
    at = 0 if position is None else list(legend).index(position) + 1
    for index in reversed(indexes):
        entry = etree.Element(f"{_C}legendEntry")
        etree.SubElement(entry, f"{_C}idx").set("val", str(index))
        etree.SubElement(entry, f"{_C}delete").set("val", "1")
        legend.insert(at, entry)


def _log_axis(axis: Any) -> None:
    """python-pptx has no log-scale property: c:logBase is the first child of the axis' c:scaling."""
    scaling = axis._element.find(f"{_C}scaling")
    log_base = etree.SubElement(scaling, f"{_C}logBase")
    log_base.set("val", "10")
    scaling.remove(log_base)
    scaling.insert(0, log_base)


def _axis_title(axis: Any, layout_axis: dict[str, Any]) -> None:
    title = (layout_axis.get("title") or {}).get("text")
    if title:
        axis.has_title = True
        axis.axis_title.text_frame.text = title
        axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(12)


def _line_chart(
    traces: list[dict[str, Any]], layout: dict[str, Any]
) -> tuple[Any, Any, list[dict[str, Any]]]:
    months = sorted({m for tr in traces for m in _values(tr.get("x"))})
    data = CategoryChartData(number_format="0.0%")
    data.categories = [fmt.month_short(m) if isinstance(m, date) else str(m) for m in months]
    styles = []
    for trace in traces:
        by_month = dict(zip(_values(trace.get("x")), _values(trace.get("y")), strict=True))
        data.add_series(str(trace.get("name") or ""), [by_month.get(m) for m in months])
        styles.append(trace)
    for label, value, line in _reference_lines(layout):
        data.add_series(label, [value] * len(months))
        styles.append({"mode": "lines", "line": {**line, "width": 1}})
    return XL_CHART_TYPE.LINE, data, styles


BOUND_NAMES = {"triangle-up": "mindst (andelen ligger over)", "triangle-down": "højst (andelen ligger under)"}


def _by_symbol(trace: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """A trace split by its markers' symbol: a share published only as a bound stands at its bound as a
    triangle on screen; in the file it gets a series of its own, named for the bound, so no one reads the
    bound as the share."""
    name = str(trace.get("name") or "Kommuner")
    symbols = (trace.get("marker") or {}).get("symbol")
    if not isinstance(symbols, list) or set(symbols) <= {"circle"}:
        return [(name, trace)]
    xs, ys = _values(trace.get("x")), _values(trace.get("y"))
    parts = []
    for symbol in dict.fromkeys(symbols):
        keep = [i for i, s in enumerate(symbols) if s == symbol]
        marker = {**trace["marker"], "symbol": symbol}
        label = name if symbol == "circle" else f"{name}, {BOUND_NAMES.get(symbol, symbol)}"
        part = {**trace, "x": [xs[i] for i in keep], "y": [ys[i] for i in keep], "marker": marker}
        parts.append((label, part if symbol == "circle" else {**part, "showlegend": True}))
    return parts


def _xy_chart(traces: list[dict[str, Any]], layout: dict[str, Any]) -> tuple[Any, Any, list[dict[str, Any]]]:
    data = XyChartData(number_format="0.0%")
    styles = []
    xs: list[float] = []
    for trace in traces:
        for name, part in _by_symbol(trace):
            series = data.add_series(name)
            for x, y in zip(_values(part.get("x")), _values(part.get("y")), strict=True):
                if y is not None:
                    series.add_data_point(x, y)
                    xs.append(float(x))
            styles.append(part)
    for label, value, line in _reference_lines(layout):
        series = data.add_series(label)
        for x in (min(xs, default=0.0), max(xs, default=1.0)):
            series.add_data_point(x, value)
        styles.append({"mode": "lines", "line": line})
    return XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS, data, styles


def _add_chart(slide: Any, figure: Any, left: Any, top: Any, width: Any, height: Any) -> Any:
    spec = figure.to_dict()
    layout = spec.get("layout", {})
    traces = [tr for tr in spec.get("data", []) if tr.get("type", "scatter") == "scatter"]
    dated = bool(traces) and all(isinstance(v, date) for tr in traces for v in _values(tr.get("x"))[:1])
    kind, data, styles = (_line_chart if dated else _xy_chart)(traces, layout)
    chart = slide.shapes.add_chart(kind, left, top, width, height, data).chart
    chart.font.size = Pt(12)
    for series, trace in zip(chart.plots[0].series, styles, strict=True):
        _style_series(series, trace, lines=trace.get("mode", "lines") == "lines")
        if "text" in str(trace.get("mode", "")) and len(_values(trace.get("x"))) == 1:
            label = series.points[0].data_label
            label.text_frame.text = str(_values(trace.get("text"))[0])
            label.position = XL_LABEL_POSITION.RIGHT
            label.font.size = Pt(12)
            label.font.bold = True
    chart.has_title = False  # the slide's action title says it (PowerPoint titles a one-series chart)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(12)
    _hide_legend_entries(chart, [i for i, trace in enumerate(styles) if trace.get("showlegend") is False])
    _percent_axis(chart.value_axis, layout.get("yaxis", {}))
    x_axis = chart.category_axis
    x_axis.tick_labels.font.size = Pt(12)
    _axis_title(x_axis, layout.get("xaxis", {}))
    if layout.get("xaxis", {}).get("type") == "log":
        _log_axis(x_axis)
        x_axis.tick_labels.number_format = "#,##0"  # 10, 100, 1.000 in a Danish PowerPoint
        x_axis.tick_labels.number_format_is_linked = False
    if not layout.get("xaxis", {}).get("showticklabels", True):
        x_axis.tick_label_position = XL_TICK_LABEL_POSITION.NONE
    return chart


def _text(slide: Any, text: str, left: float, top: float, width: float, height: float, size: int,
          bold: bool = False, colour: str = "1A1A1A") -> None:  # fmt: skip
    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    run = frame.paragraphs[0].add_run()
    run.text = text
    run.font.size, run.font.bold = Pt(size), bold
    run.font.color.rgb = RGBColor.from_string(colour)


def to_pptx(slides: list[Slide] | tuple[Slide, ...], source: str, is_demo: bool) -> bytes:
    """The deck as a .pptx: one slide per Slide, native charts, notes with the talking points."""
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(WIDTH_IN), Inches(HEIGHT_IN)
    blank = deck.slide_layouts[6]
    status = exports.DEMO_STATUS if is_demo else exports.REAL_STATUS
    for item in slides:
        page = deck.slides.add_slide(blank)
        _text(page, item.title, 0.5, 0.3, 12.3, 1.1, 28, bold=True)
        # The sentence can run to three lines (the last slide's); the chart starts below it.
        lines = math.ceil(len(item.message) / 95)  # about 95 characters a line at 16 pt
        top = 1.45 + 0.32 * lines
        _text(page, item.message, 0.5, 1.35, 12.3, 0.32 * lines, 16, colour="333333")
        _add_chart(page, item.figure, Inches(0.5), Inches(top), Inches(12.3), Inches(6.65 - top))
        _text(page, f"Kilde: {source}", 0.5, 6.72, 12.3, 0.3, 10, colour="555555")
        _text(
            page, status, 0.5, 7.0, 12.3, 0.3, 10, bold=is_demo, colour=DEMO_COLOUR if is_demo else "555555"
        )
        page.notes_slide.notes_text_frame.text = "\n".join(item.notes or (item.title, item.message))
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------------------

CSS = f"""
@page {{ size: {WIDTH_IN}in {HEIGHT_IN}in; margin: 8mm 12mm; }}
* {{ box-sizing: border-box; }}
body {{ font-family: "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; color: #1a1a1a; margin: 0; }}
section {{ break-after: page; page-break-after: always; }}
section:last-child {{ break-after: auto; page-break-after: auto; }}
h1 {{ font-size: 24pt; line-height: 1.15; margin: 0 0 2mm 0; }}
p.message {{ font-size: 14pt; color: #333; margin: 0 0 2mm 0; }}
.chart svg {{ display: block; height: 122mm; width: auto; max-width: 100%; }}
footer {{ font-size: 9pt; color: #555; border-top: 1px solid #ccc; padding-top: 1mm; }}
footer b {{ color: #{DEMO_COLOUR}; }}
"""
SVG_WIDTH, SVG_HEIGHT = 1240, 500


def to_html(slides: list[Slide] | tuple[Slide, ...], source: str, is_demo: bool) -> str:
    """The deck as one HTML document, a page per slide (inline SVG charts; no scripts, no network)."""
    status = exports.DEMO_STATUS if is_demo else exports.REAL_STATUS
    mark = f"<b>{html.escape(status)}</b>" if is_demo else html.escape(status)
    pages = []
    for item in slides:
        svg = exports.plain_svg(item.figure, SVG_WIDTH, SVG_HEIGHT)
        pages.append(
            f"<section><h1>{html.escape(item.title)}</h1><p class='message'>{html.escape(item.message)}</p>"
            f"<div class='chart' role='img' aria-label='{html.escape(item.alt, quote=True)}'>{svg}</div>"
            f"<footer>Kilde: {html.escape(source)} · {mark}</footer></section>"
        )
    return (
        "<!DOCTYPE html><html lang='da'><head><meta charset='utf-8'><title>Præsentation</title>"
        f"<style>{CSS}</style></head><body>{''.join(pages)}</body></html>"
    )


def to_pdf(slides: list[Slide] | tuple[Slide, ...], source: str, is_demo: bool) -> bytes:
    """The deck as PDF, one page per slide. pdf.PdfUnavailable without Chromium."""
    return pdf.html_to_pdf(to_html(slides, source, is_demo))


def filename(month: date, is_demo: bool) -> str:
    """File name stem, ASCII: praesentation-2018-09-demodata."""
    return f"praesentation-{fmt.month_key(month)}{'-demodata' if is_demo else ''}"
