"""Download controls for the pages: tables (CSV + XLSX), charts (PNG + SVG), the visit brief, 'Kopiér link'.

Table files are built when their button is clicked (a callable `data`). Images and the brief need Chromium (0.3–1 s per
image, several seconds for a brief), so they are built only after a click and kept in the session state
under a signature of what is shown; a changed filter makes the old files disappear.
"""

from __future__ import annotations

import hashlib
from functools import partial

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from joblog_dash.charts import style
from joblog_dash.data import warehouse
from joblog_dash.exporting import brief, pack
from joblog_dash.exporting import files as exports
from joblog_dash.exporting import tables as export_tables
from joblog_dash.text.strings import t
from joblog_dash.views.selection import Selection


def table_downloads(frame: pl.DataFrame, meta: exports.ExportMeta, key: str) -> None:
    """Two download buttons: CSV for Danish Excel and XLSX, both with title, filters, source and status."""
    # The files are built when the button is clicked (Streamlit calls `data` then, on its own thread), not
    # on every rerun: the XLSX workbook alone was ~20 % of Overblik's rerun. on_click="ignore": a rerun on
    # the click would re-register the button under a new file id and the browser's fetch of the old one
    # fails ("Deferred file ... not found"); a download changes nothing on the page anyway.
    left, right = st.columns(2)
    left.download_button(
        t("download_csv"),
        data=partial(exports.to_danish_csv, frame, meta),
        file_name=f"{meta.filename}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        help=t("download_csv_help"),
        on_click="ignore",
    )
    right.download_button(
        t("download_xlsx"),
        data=partial(exports.to_xlsx, frame, meta),
        file_name=f"{meta.filename}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
    )


def shown_meta(selection: Selection, title: str, name: str) -> exports.ExportMeta:
    """The file header of a table or chart as the page shows it (exporting.tables.shown_meta) for the open
    dataset: its source and demo status."""
    return export_tables.shown_meta(warehouse.open_db(), selection, title, name)


def view_downloads(
    db: warehouse.JoblogDB, kind: str, selection: Selection, key: str, fig: go.Figure | None = None
) -> None:
    """Downloads of the export `kind` for the page's selection, plus the chart if given.

    The table is the one `joblog-dash export <kind>` writes for the same selection (exporting.tables renders
    the same views the page shows).
    """
    frame, meta = export_tables.build(db, kind, selection)
    table_downloads(frame, meta, key)
    if fig is not None:
        chart_downloads(fig, meta, key)


def _signature(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def chart_downloads(fig: go.Figure, meta: exports.ExportMeta, key: str) -> None:
    """'Lav billede' button; after the click, PNG and SVG download buttons (or why it is unavailable)."""
    store_key = f"_joblog_image_{key}"
    # Read from the JSON: fig.layout would turn a SpecFigure into validated graph objects on every rerun.
    title = style.layout_dict(fig).get("title", {}).get("text")
    signature = _signature(meta.title, meta.filter_line, meta.source, title)
    if st.button(t("download_image_make"), key=f"{key}_make", help=t("download_image_help")):
        try:
            with st.spinner(t("download_image_working")):
                st.session_state[store_key] = (
                    signature,
                    exports.figure_png(fig, meta),
                    exports.figure_svg(fig, meta),
                )
        except exports.StaticExportUnavailable as exc:
            st.session_state[store_key] = (signature, str(exc), None)
    stored = st.session_state.get(store_key)
    if not stored or stored[0] != signature:
        return
    if stored[2] is None:
        st.warning(stored[1], icon="⚠️")
        return
    left, right = st.columns(2)
    left.download_button(
        t("download_png"),
        data=stored[1],
        file_name=f"{meta.filename}.png",
        mime="image/png",
        key=f"{key}_png",
    )
    right.download_button(
        t("download_svg"),
        data=stored[2],
        file_name=f"{meta.filename}.svg",
        mime="image/svg+xml",
        key=f"{key}_svg",
    )


def brief_downloads(db: warehouse.JoblogDB, selection: Selection, key: str = "brief") -> None:
    """'Lav kommunebesøgsbrief': build the brief on click, then offer PDF (if Chromium works) and HTML."""
    store_key = f"_joblog_brief_{key}"
    signature = _signature(
        db.version, selection.municipality, selection.month, selection.group, selection.compare
    )
    if st.button(t("brief_make"), key=f"{key}_make", help=t("brief_help")):
        with st.spinner(t("brief_working")):
            result = brief.build(db, selection)
            try:
                pdf: bytes | None = brief.html_to_pdf(result.html)
                problem = None
            except brief.PdfUnavailable as exc:
                pdf, problem = None, str(exc)
        st.session_state[store_key] = (signature, result.filename, result.html, pdf, problem)
    stored = st.session_state.get(store_key)
    if not stored or stored[0] != signature:
        return
    _, filename, document, pdf, problem = stored
    left, right = st.columns(2)
    if pdf is not None:
        left.download_button(
            t("brief_pdf"), data=pdf, file_name=f"{filename}.pdf", mime="application/pdf", key=f"{key}_pdf"
        )
    else:
        left.warning(problem or brief.PDF_UNAVAILABLE, icon="⚠️")
    right.download_button(
        t("brief_html"), data=document.encode("utf-8"), file_name=f"{filename}.html", mime="text/html",
        key=f"{key}_html",
    )  # fmt: skip


def pack_downloads(db: warehouse.JoblogDB, selection: Selection, key: str = "pack") -> None:
    """'Lav besøgspakke': every brief of the selection's area as PDF in one zip, with a progress bar."""
    store_key = f"_joblog_pack_{key}"
    signature = _signature(db.version, selection.area, selection.month, selection.group)
    count = len(pack.municipalities(selection.area))
    label = t("pack_make", area=selection.area_label, count=count)
    if st.button(label, key=f"{key}_make", help=t("pack_help")):
        bar = st.progress(0.0)

        def progress(done: int, total: int, name: str) -> None:
            bar.progress(done / total, text=t("pack_progress", done=done, total=total, name=name))

        try:
            result = pack.build(db, selection, progress)
            st.session_state[store_key] = (signature, result.payload, len(result.names), None)
        except brief.PdfUnavailable as exc:
            st.session_state[store_key] = (signature, None, 0, str(exc))
        bar.empty()
    stored = st.session_state.get(store_key)
    if not stored or stored[0] != signature:
        return
    _, payload, made, problem = stored
    if payload is None:
        st.warning(problem, icon="⚠️")
        return
    st.download_button(
        t("pack_zip", count=made), data=payload, mime="application/zip", key=f"{key}_zip",
        file_name=f"{pack.filename(selection.area, selection.month, db.manifest.is_demo)}.zip",
    )  # fmt: skip


# The button copies the address of the page it sits on (the parent of the component's iframe) at click
# time, so the current filters are included. navigator.clipboard needs a secure context (https or
# localhost); elsewhere the fallback selects a text field in the parent page and uses execCommand, and as a
# last resort shows the address so it can be copied by hand. No external resources.
_COPY_LINK_HTML = """
<div style="font-family: sans-serif; font-size: 14px;">
<button id="copy" type="button" style="padding: 4px 10px; border: 1px solid #bbb; border-radius: 6px;
  background: white; cursor: pointer; font-size: 14px;">🔗 {label}</button>
<span id="status" role="status" style="margin-left: 6px; color: #333;"></span>
<input id="url" readonly style="display: none; width: 100%; margin-top: 4px; font-size: 12px;">
</div>
<script>
const button = document.getElementById("copy");
const status = document.getElementById("status");
const field = document.getElementById("url");
function parentUrl() {{
  try {{ return window.parent.location.href; }} catch (e) {{ return document.referrer || window.location.href; }}
}}
function fallback(url) {{
  try {{
    const doc = window.parent.document;
    const area = doc.createElement("textarea");
    area.value = url; area.style.position = "fixed"; area.style.opacity = "0";
    doc.body.appendChild(area); area.select();
    const ok = doc.execCommand("copy"); doc.body.removeChild(area);
    return ok;
  }} catch (e) {{ return false; }}
}}
button.addEventListener("click", async () => {{
  const url = parentUrl();
  field.value = url;
  let ok = false;
  try {{
    const clip = (window.parent.navigator && window.parent.navigator.clipboard) || navigator.clipboard;
    if (clip) {{ await clip.writeText(url); ok = true; }}
  }} catch (e) {{ ok = false; }}
  if (!ok) {{ ok = fallback(url); }}
  status.textContent = ok ? "{done}" : "{manual}";
  field.style.display = ok ? "none" : "block";
  if (!ok) {{ field.select(); }}
  button.dataset.copied = ok ? "1" : "0";
  button.dataset.url = url;
}});
</script>
"""


def copy_link() -> None:
    """'Kopiér link': copies the address of the current view (filters are in the URL)."""
    st.iframe(
        _COPY_LINK_HTML.format(label=t("copy_link"), done=t("copy_link_done"), manual=t("copy_link_manual")),
        height=64,
    )
