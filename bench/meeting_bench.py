"""Cost of the meeting formats: table files, chart images (kaleido), the visit brief (HTML and PDF).

Run: `.venv/bin/python -m bench.meeting_bench [--data-dir DIR]` (needs a dataset; images and PDF need
Chromium). Prints medians; no assertions (figures, not verdicts).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from bench.common import summary
from joblog_dash.charts import meeting
from joblog_dash.data import queries, warehouse
from joblog_dash.exporting import brief
from joblog_dash.exporting import files as exports
from joblog_dash.exporting import tables as export_tables
from joblog_dash.views import selection
from joblog_dash.views.selection import Selection


def _time(fn: Callable[[], object], n: int) -> tuple[dict[str, float | int], object]:
    seconds, result = [], None
    for _ in range(n):
        began = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - began)
    return summary(seconds), result


def run(data_dir: Path | None, month: date = date(2018, 9, 1)) -> dict[str, object]:
    db = warehouse.open_db(data_dir)
    sel = selection.from_arguments(db, month.strftime("%Y-%m"), "kontanthjaelp")
    out: dict[str, object] = {}
    frame, meta = export_tables.build(db, "municipalities", sel)
    out["municipalities_table"] = _time(lambda: export_tables.build(db, "municipalities", sel), 5)[0]
    out["csv"], csv = _time(lambda: exports.to_danish_csv(frame, meta), 10)
    out["xlsx"], xlsx = _time(lambda: exports.to_xlsx(frame, meta), 10)
    out["csv_bytes"], out["xlsx_bytes"] = len(csv), len(xlsx)  # type: ignore[arg-type]
    snap = queries.snapshot(db, month, "kontanthjaelp")
    fig = meeting.spread_dots(snap, 0.7, "Kommunerne spænder vidt")
    began = time.perf_counter()
    exports.figure_png(fig, meta)
    out["png_first_incl_kaleido_start_s"] = round(time.perf_counter() - began, 2)
    out["png"], png = _time(lambda: exports.figure_png(fig, meta), 10)
    out["svg"], svg = _time(lambda: exports.figure_svg(fig, meta), 10)
    out["png_bytes"], out["svg_bytes"] = len(png), len(svg)  # type: ignore[arg-type]
    out["brief_html"], result = _time(
        lambda: brief.build(db, Selection(month=month, group="kontanthjaelp", municipality=360)), 3
    )
    out["brief_html_bytes"] = len(result.html.encode("utf-8"))  # type: ignore[union-attr]
    out["brief_pdf"], pdf = _time(lambda: brief.html_to_pdf(result.html), 3)  # type: ignore[union-attr]
    out["brief_pdf_bytes"] = len(pdf)  # type: ignore[arg-type]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir")
    args = parser.parse_args()
    print(json.dumps(run(Path(args.data_dir) if args.data_dir else None), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
