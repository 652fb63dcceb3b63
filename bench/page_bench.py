"""Server-side rerun time of every page (AppTest) against a bare page with the same sidebar widgets.

A rerun is what Streamlit does on every click; the bare page (a generated script with the same selectboxes,
options and page links as text, and no data) is the framework's own floor on the same machine in the same
run, so page / bare says what our code adds.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.common import ROOT, page_paths, summary


def _apptest(script: Path | str) -> object:
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(script), default_timeout=120)


def _check(at: object, script: str) -> None:
    if at.exception:  # type: ignore[attr-defined]
        raise RuntimeError(f"{script} raised: {at.exception[0].message}")  # type: ignore[attr-defined]


def bare_script(at: object) -> str:
    """A Streamlit script with the sidebar selectboxes (labels, options, chosen index) of a run page."""
    lines = [
        "import streamlit as st",
        "st.set_page_config(page_title='bare', layout='wide')",
        "with st.sidebar:",
        "    st.markdown('### Joblog')",
    ]
    links = len(at.get("page_link"))  # type: ignore[attr-defined]
    lines += [f"    st.markdown('[Side {i}](#)')" for i in range(links)]
    for i, box in enumerate(at.sidebar.selectbox):  # type: ignore[attr-defined]
        options = list(box.options)
        index = options.index(box.format_func(box.value)) if box.value is not None else 0
        lines.append(f"    st.selectbox({box.label!r}, options={options!r}, index={index}, key='w{i}')")
    lines.append("st.title('bare')")
    return "\n".join(lines) + "\n"


def _time_reruns(at: object, reruns: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        at.run()  # type: ignore[attr-defined]
    samples = []
    for _ in range(reruns):
        start = time.perf_counter()
        at.run()  # type: ignore[attr-defined]
        samples.append(time.perf_counter() - start)
    return samples


def _month_changes(at: object, changes: int, start: int = 1) -> list[float]:
    """Rerun after picking another month each time, from the `start`-th option on: months the process has
    not seen when every page gets options of its own (queries, views and figures not yet cached)."""
    box = _month_box(at)
    if box is None:
        return []
    samples = []
    last = len(box.options) - 1
    for index in range(start, min(start + changes, last + 1)):
        _month_box(at).select_index(index)  # type: ignore[union-attr]
        began = time.perf_counter()
        at.run()  # type: ignore[attr-defined]
        samples.append(time.perf_counter() - began)
    return samples


def _month_box(at: object) -> object | None:
    return next((b for b in at.selectbox if b.key == "filter_month"), None)  # type: ignore[attr-defined]


def run(data: Path, reruns: int = 12, warmup: int = 3, changes: int = 10) -> dict[str, object]:
    """Per page: first run, rerun median/p95, month-change reruns, and the bare page's reruns."""
    import streamlit as st

    os.environ["JOBLOG_DATA_DIR"] = str(data)
    st.cache_data.clear()
    st.cache_resource.clear()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for number, (script, _url) in enumerate(page_paths()):
            try:
                # Each page changes to months no page before it has shown (1 + number * changes, ...).
                start = 1 + number * changes
                results[script] = _measure_page(script, Path(tmp), reruns, warmup, changes, start)
            except Exception as exc:  # noqa: BLE001 - a page under construction must not lose the run
                results[script] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    return results


def spec_bytes(at: object) -> dict[str, int]:
    """Bytes of every plotly figure spec the run sent, by the chart's element key (what a page view
    costs on the wire for its charts)."""
    sizes = {}
    for i, element in enumerate(at.get("plotly_chart")):  # type: ignore[attr-defined]
        key = element.proto.id.split("-", 2)[-1] if "-" in element.proto.id else f"chart{i}"
        sizes[key] = len(element.proto.spec.encode("utf-8"))
    return sizes


def _measure_page(
    script: str, tmp: Path, reruns: int, warmup: int, changes: int, first_month: int = 1
) -> dict[str, object]:
    # A page is run the way the server runs it: from the entry script, switched to the page.
    at = _apptest(ROOT / "app.py")
    if script != "app.py":
        at.switch_page(script)
    start = time.perf_counter()
    at.run()
    first = time.perf_counter() - start
    _check(at, script)
    page = summary(_time_reruns(at, reruns, warmup))
    _check(at, script)
    bare_path = tmp / f"bare_{Path(script).stem}.py"
    bare_path.write_text(bare_script(at), encoding="utf-8")
    bare_at = _apptest(bare_path)
    bare_at.run()
    _check(bare_at, str(bare_path))
    bare = summary(_time_reruns(bare_at, reruns, warmup))
    sizes = spec_bytes(at)
    change = _month_changes(at, changes, first_month)
    _check(at, script)
    return {
        "first_run_ms": round(first * 1000, 1),
        **page,
        "bare_median_ms": bare["median_ms"],
        "bare_p95_ms": bare["p95_ms"],
        "ratio_to_bare": round(page["median_ms"] / max(bare["median_ms"], 1e-3), 2),
        "month_change": {**summary(change), "max_ms": round(max(change) * 1000, 2)} if change else None,
        "charts": len(at.get("plotly_chart")),
        "spec_bytes": sizes,
        "spec_bytes_total": sum(sizes.values()),
    }
