"""A region's visit pack: the visit brief of every municipality of an area, one PDF each, in one zip.

Each brief is exporting.brief's, built from the profile view as on Kommuneprofil; the PDFs are printed by
the one browser of exporting.pdf and the charts by the one kaleido server, so a brief costs its own work
(about a second) and not a browser start. `progress(done, total, name)` is called after each brief.
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from joblog_dash.data import reference, warehouse
from joblog_dash.exporting import brief
from joblog_dash.text import fmt
from joblog_dash.views.selection import Selection


@dataclass(frozen=True)
class Pack:
    payload: bytes  # the zip
    names: tuple[str, ...]  # file names inside, one per municipality
    seconds: tuple[float, ...]  # time per brief (build + PDF)


def municipalities(area: str) -> list[tuple[int, str]]:
    """(code, name) of the area's municipalities, by name; the whole country for the national area."""
    frame = reference.municipalities().select("code", "name")
    found = reference.area_by_key(area)
    codes = None if found is None or found.column is None else reference.municipality_codes_in(found)
    rows = [(c, n) for c, n in frame.iter_rows() if codes is None or c in codes]
    return sorted(rows, key=lambda row: row[1])


def filename(area: str, month: date, is_demo: bool) -> str:
    """Zip name stem, ASCII: kommunebesoeg-region-sjaelland-2018-09-demodata."""
    return f"kommunebesoeg-{area}-{fmt.month_key(month)}{'-demodata' if is_demo else ''}"


def build(
    db: warehouse.JoblogDB, selection: Selection, progress: Callable[[int, int, str], None] | None = None
) -> Pack:
    """One PDF brief per municipality of `selection.area` (month and group as chosen). Raises
    brief.PdfUnavailable without Chromium."""
    members = municipalities(selection.area)
    buffer = io.BytesIO()
    names, seconds = [], []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for done, (code, _name) in enumerate(members, start=1):
            began = time.perf_counter()
            result = brief.build(db, replace(selection, municipality=code))
            payload = brief.html_to_pdf(result.html)
            name = f"{result.filename}.pdf"
            archive.writestr(name, payload)
            names.append(name)
            seconds.append(time.perf_counter() - began)
            if progress is not None:
                progress(done, len(members), result.figures.name)
    return Pack(buffer.getvalue(), tuple(names), tuple(seconds))
