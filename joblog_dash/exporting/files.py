"""Files a user takes to a meeting: tables as Danish-Excel CSV and XLSX, charts as PNG and SVG.

Pure functions: a polars frame (or plotly figure) plus `ExportMeta` in, bytes out. No Streamlit, no SQL.
Every file carries its provenance: title, filters, source and whether the figures are demo data.

Column kinds (`ExportMeta.kinds`, keyed by column name) decide how a value is written:
  share  fraction 0..1 -> CSV: percent with one decimal ("68,2"); XLSX: the fraction with format 0.0%
  pp     change of shares (fraction) -> percentage points with one decimal in both ("-3,1" / -3.1)
  count  integer -> plain digits in CSV (no thousands dot: Excel and parsers read it unambiguously); #,##0
  number float -> two decimals ("1,96"); 0.00
  month  date -> ISO "2018-09-01" in CSV (Danish Excel reads it as a date); a date cell 'mmm yyyy' in XLSX
  text   everything else; passed through the formula-injection guard
"""

from __future__ import annotations

import copy
import csv
import io
import math
import os
import shutil
import threading
from dataclasses import dataclass, field
from datetime import date, datetime

import plotly.graph_objects as go
import polars as pl
import xlsxwriter

from joblog_dash.text.safety import neutralise_formula, neutralise_formulas, printable

BOM = "\ufeff"
# The CSV opens with these lines before the header row: title, filters, source, status, blank line.
PREAMBLE_LINES = 5
DEMO_STATUS = "Demodata: syntetiske tal, kalibreret til de offentliggjorte landstal — ikke rigtige kommunetal"
REAL_STATUS = "Rigtige tal"
DEMO_WATERMARK = "DEMODATA"
STATIC_EXPORT_UNAVAILABLE = (
    "Billedeksport kræver Chromium, som ikke er installeret på serveren. Hent tabellen som CSV eller XLSX."
)


@dataclass(frozen=True)
class ExportMeta:
    """What a file says about itself, in Danish."""

    title: str
    filters: tuple[tuple[str, str], ...]  # (label, value), e.g. ("Måned", "sep. 2018")
    source: str
    is_demo: bool
    kinds: dict[str, str] = field(default_factory=dict)
    filename: str = "joblog"  # file name stem, ASCII

    @property
    def status(self) -> str:
        return DEMO_STATUS if self.is_demo else REAL_STATUS

    @property
    def filter_line(self) -> str:
        return " · ".join(f"{label}: {value}" for label, value in self.filters)

    def preamble(self) -> list[str]:
        return [self.title, f"Filtre: {self.filter_line}", f"Kilde: {self.source}", self.status]


def kind_of(meta: ExportMeta, column: str, dtype: pl.DataType) -> str:
    if column in meta.kinds:
        return meta.kinds[column]
    if dtype == pl.Date:
        return "month"
    if dtype.is_integer():
        return "count"
    if dtype.is_float():
        return "number"
    return "text"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _comma(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def csv_cell(value: object, kind: str) -> str:
    """One value as Danish Excel reads it."""
    if _missing(value):
        return ""
    if kind == "share":
        return _comma(float(value) * 100, 1)  # type: ignore[arg-type]
    if kind == "pp":
        return _comma(float(value) * 100, 1)  # type: ignore[arg-type]
    if kind == "count":
        return str(int(value))  # type: ignore[call-overload]
    if kind == "number":
        return _comma(float(value), 2)  # type: ignore[arg-type]
    if kind == "month" and isinstance(value, date):
        return value.isoformat()
    return str(neutralise_formula(str(value)))


def to_danish_csv(frame: pl.DataFrame, meta: ExportMeta) -> bytes:
    """UTF-8 with BOM, ';' separated, decimal comma, CRLF; preamble lines, a blank line, then the table."""
    safe = neutralise_formulas(frame)
    kinds = [kind_of(meta, c, d) for c, d in safe.schema.items()]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for line in meta.preamble():
        writer.writerow([neutralise_formula(printable(line, 500))])
    writer.writerow([])
    writer.writerow([neutralise_formula(c) for c in safe.columns])
    for row in safe.iter_rows():
        writer.writerow([csv_cell(v, k) for v, k in zip(row, kinds, strict=True)])
    return (BOM + buffer.getvalue()).encode("utf-8")


XLSX_FORMATS = {
    "share": "0.0%",
    "pp": "+0.0;-0.0;0.0",
    "count": "#,##0",
    "number": "0.00",
    "month": "mmm yyyy",
}


def to_xlsx(frame: pl.DataFrame, meta: ExportMeta, sheet: str = "Tabel") -> bytes:
    """One sheet: title, filters, source and status rows, a blank row, the header (autofilter) and the data."""
    output = io.BytesIO()
    # strings_to_formulas=False: a text cell is never turned into a formula, whatever it starts with.
    book = xlsxwriter.Workbook(
        output, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet_ = book.add_worksheet(sheet[:31])
    title_fmt = book.add_format({"bold": True, "font_size": 14})
    status_fmt = book.add_format({"bold": True, "font_color": "#B34700" if meta.is_demo else "#333333"})
    header_fmt = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "top"})
    formats = {kind: book.add_format({"num_format": spec}) for kind, spec in XLSX_FORMATS.items()}
    lines = meta.preamble()
    sheet_.write_string(0, 0, str(neutralise_formula(printable(lines[0], 500))), title_fmt)
    for row, line in enumerate(lines[1:3], start=1):
        sheet_.write_string(row, 0, str(neutralise_formula(printable(line, 500))))
    sheet_.write_string(3, 0, lines[3], status_fmt)
    header_row = PREAMBLE_LINES
    kinds = [kind_of(meta, c, d) for c, d in frame.schema.items()]
    for col, name in enumerate(frame.columns):
        sheet_.write_string(header_row, col, str(neutralise_formula(name)), header_fmt)
        width = max(10, min(40, len(name) * 0.9))
        sheet_.set_column(col, col, width)
    for r, values in enumerate(frame.iter_rows(), start=header_row + 1):
        for c, (value, kind) in enumerate(zip(values, kinds, strict=True)):
            if _missing(value):
                sheet_.write_blank(r, c, None)
            elif kind == "month" and isinstance(value, date):
                sheet_.write_datetime(r, c, datetime(value.year, value.month, value.day), formats["month"])
            elif kind == "pp":
                sheet_.write_number(r, c, float(value) * 100, formats["pp"])
            elif kind in ("share", "count", "number"):
                sheet_.write_number(r, c, float(value), formats[kind])
            else:
                sheet_.write_string(r, c, str(neutralise_formula(str(value))))
    if frame.width:
        sheet_.autofilter(header_row, 0, header_row + max(frame.height, 1), frame.width - 1)
    sheet_.freeze_panes(header_row + 1, 0)
    book.close()
    return output.getvalue()


# --- Charts ------------------------------------------------------------------------------------------------

_kaleido_lock = threading.Lock()
_kaleido_started = False
FOOTER_PX = 58


def chromium_path() -> str | None:
    """The browser kaleido and the PDF route use: $BROWSER_PATH, else Debian's chromium on PATH."""
    candidate = os.environ.get("BROWSER_PATH")
    if candidate and os.path.isfile(candidate):
        return candidate
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class StaticExportUnavailable(RuntimeError):
    """No Chromium for kaleido: charts cannot be rendered to images."""


def _ensure_kaleido() -> None:
    """One persistent kaleido browser per process: 0.2–0.5 s per image instead of 3–7 s (STACK_NOTES)."""
    global _kaleido_started
    if _kaleido_started:
        return
    if chromium_path() is None:
        raise StaticExportUnavailable(STATIC_EXPORT_UNAVAILABLE)
    import kaleido

    # mathjax=False: kaleido would otherwise load MathJax from a CDN.
    kaleido.start_sync_server(n=1, mathjax=False, silence_warnings=True)
    _kaleido_started = True


def with_provenance(fig: go.Figure, meta: ExportMeta, width: int = 1200) -> go.Figure:
    """A copy of the figure with title, source line, filters and (for demo data) a demo notice burnt in."""
    out = go.Figure(copy.deepcopy(fig.to_dict()))
    if not out.layout.title.text:
        out.update_layout(title={"text": meta.title, "x": 0, "xanchor": "left", "font": {"weight": "bold"}})
    # In a browser the page gives the chart a margin; an image ends at its edge, so keep the title off it.
    title = out.layout.title
    if title.xref in (None, "container") and (title.x or 0) < 12 / width:
        out.update_layout(title={"x": 12 / width})
    if title.yref in (None, "container") and title.y == 1:
        out.update_layout(title={"y": 1 - 12 / int(out.layout.height or 450)})
    # Drop the page's own source notes: the export writes a complete one below.
    kept = [a for a in out.layout.annotations if not str(a.text or "").startswith("Kilde")]
    out.layout.annotations = kept
    margin = out.layout.margin
    bottom = (margin.b if margin.b is not None else 50) + FOOTER_PX
    out.update_layout(margin={"b": bottom}, paper_bgcolor="white")
    source = f"Kilde: {printable(meta.source, 160)} · {printable(meta.filter_line, 160)}"
    out.add_annotation(
        text=source, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="bottom",
        yshift=-bottom + 26, showarrow=False, font={"size": 11, "color": "#444"}, align="left",
    )  # fmt: skip
    status = DEMO_STATUS if meta.is_demo else REAL_STATUS
    out.add_annotation(
        text=f"<b>{status}</b>" if meta.is_demo else status, xref="paper", yref="paper", x=0, y=0,
        xanchor="left", yanchor="bottom", yshift=-bottom + 6, showarrow=False, align="left",
        font={"size": 11, "color": "#B34700" if meta.is_demo else "#444"},
    )  # fmt: skip
    if meta.is_demo:
        # A faint watermark across the plot, so a cropped image still says it is demo data.
        out.add_annotation(
            text=DEMO_WATERMARK, xref="paper", yref="paper", x=0.5, y=0.5, showarrow=False, textangle=-18,
            font={"size": 72, "color": "rgba(179, 71, 0, 0.10)"},
        )  # fmt: skip
    return out


def _render(fig: go.Figure, fmt_: str, width: int, height: int | None, scale: float) -> bytes:
    with _kaleido_lock:
        _ensure_kaleido()
        import kaleido

        spec = fig.to_plotly_json()
        height = height or int(fig.layout.height or 500)
        opts = {"format": fmt_, "width": width, "height": height, "scale": scale}
        return kaleido.calc_fig_sync({"data": spec["data"], "layout": spec["layout"]}, opts=opts)


def figure_png(fig: go.Figure, meta: ExportMeta, width: int = 1200, height: int | None = None) -> bytes:
    """PNG (2x for sharp slides) with provenance burnt in. Raises StaticExportUnavailable without Chromium."""
    out = with_provenance(fig, meta, width)
    return _render(out, "png", width, (height or int(out.layout.height or 450)) + FOOTER_PX, 2)


def figure_svg(fig: go.Figure, meta: ExportMeta, width: int = 1200, height: int | None = None) -> bytes:
    out = with_provenance(fig, meta, width)
    return _render(out, "svg", width, (height or int(out.layout.height or 450)) + FOOTER_PX, 1)


def plain_svg(fig: go.Figure, width: int, height: int) -> str:
    """An SVG of the figure as it is (for embedding in the brief, which carries its own provenance)."""
    return _render(fig, "svg", width, height, 1).decode("utf-8")
