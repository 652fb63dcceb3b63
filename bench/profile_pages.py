"""Where a cold rerun's time goes: cProfile of every page's reruns with months the process has not seen.

    python -m bench.profile_pages [--scale demo] [--changes 3] [--top 25] [--page 1_kommuner]

AppTest runs the script in its own thread, so the profiler is switched on inside that thread. Prints, per
page, the share of the profiled time spent in plotly, DuckDB, polars, Streamlit, imports, our own code and
the rest (by the file of each function's own time), then the functions with the most cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
from collections import defaultdict

from bench.common import ROOT, ensure_data, page_paths

GROUPS = (
    ("imports", ("<frozen importlib", "importlib/")),
    ("plotly", ("/plotly/", "/_plotly_utils/")),
    ("duckdb", ("duckdb",)),
    ("polars", ("/polars/",)),
    ("json", ("/json/", "orjson")),
    ("streamlit", ("/streamlit/",)),
    ("scipy/numpy", ("/scipy/", "/numpy/")),
    ("joblog_dash", ("/joblog_dash/", "/pages/", "app.py")),
)


def _group(filename: str) -> str:
    for name, needles in GROUPS:
        if any(n in filename for n in needles):
            return name
    return "other"


def shares(stats: pstats.Stats) -> dict[str, float]:
    """Own time per group, as a fraction of the total own time. A built-in function's time (file "~":
    isinstance, dict methods, locks, ...) goes to its callers' groups, in proportion to their calls."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, _name), (_cc, _nc, tottime, _ct, callers) in stats.stats.items():  # type: ignore[attr-defined]
        if filename != "~" or not callers:
            totals[_group(filename)] += tottime
            continue
        weights = {caller: max(entry[3], 1e-9) for caller, entry in callers.items()}
        whole = sum(weights.values())
        for (caller_file, _l, _n), weight in weights.items():
            totals[_group(caller_file)] += tottime * weight / whole
    whole = sum(totals.values()) or 1.0
    return {k: round(v / whole, 3) for k, v in sorted(totals.items(), key=lambda kv: -kv[1])}


def profile_page(script: str, changes: int) -> tuple[cProfile.Profile, float]:
    """Run the page once (warm), then profile `changes` reruns, each after picking a month not seen yet."""
    import time

    from streamlit.testing.v1 import AppTest
    from streamlit.testing.v1 import local_script_runner as lsr

    profile = cProfile.Profile()
    original = lsr.LocalScriptRunner._run_script_thread
    active = {"on": False}

    def run_profiled(self: object) -> None:
        if not active["on"]:
            return original(self)  # type: ignore[arg-type]
        profile.enable()
        try:
            return original(self)  # type: ignore[arg-type]
        finally:
            profile.disable()

    lsr.LocalScriptRunner._run_script_thread = run_profiled  # type: ignore[method-assign]
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
        if script != "app.py":
            at.switch_page(script)
        at.run()
        box = next((b for b in at.selectbox if b.key == "filter_month"), None)
        active["on"] = True
        started = time.perf_counter()
        for index in range(1, changes + 1):
            if box is not None:
                next(b for b in at.selectbox if b.key == "filter_month").select_index(index)
            at.run()
        elapsed = time.perf_counter() - started
        if at.exception:
            raise RuntimeError(at.exception[0].message)
        return profile, elapsed / changes
    finally:
        lsr.LocalScriptRunner._run_script_thread = original  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.profile_pages", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--changes", type=int, default=3)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--page", help="only the page script containing this text")
    args = parser.parse_args(argv)
    os.environ["JOBLOG_DATA_DIR"] = str(ensure_data(args.scale))
    for script, _url in page_paths():
        if args.page and args.page not in script:
            continue
        try:
            profile, per_rerun = profile_page(script, args.changes)
        except Exception as exc:  # noqa: BLE001 - a broken page must not hide the others
            print(f"\n== {script}: ERROR {type(exc).__name__}: {exc}"[:300])
            continue
        stats = pstats.Stats(profile)
        print(f"\n== {script}: {per_rerun * 1000:.0f} ms per cold rerun (profiled, so slower than real)")
        print("   own time by area: " + ", ".join(f"{k} {v:.0%}" for k, v in shares(stats).items()))
        stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
