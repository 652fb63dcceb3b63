"""Liveness under the server's threading: many short-lived threads (Streamlit runs every rerun in a new
thread) calling the cached views, open_db and the figure cache at once.

Suspects for a server-wide stall are lock-order deadlocks between Streamlit's cache locks, queries'
_open_lock and store's remembered paths; DuckDB cursors of one shared connection used from many threads;
and a polars pool worker needing the GIL (map_elements) while another thread holds it waiting for that pool.
A deadlock involving the GIL would also stop pytest's own thread, so the workload runs in a child process
with a hard timeout: a hang fails the test instead of hanging the suite. Not a timing test: the bound is
~10x what the workload takes.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

WORKLOAD = textwrap.dedent(
    """
    import random, sys, threading, time
    from datetime import date

    from joblog_dash.text import fmt
    from joblog_dash.data import reference, warehouse
    from joblog_dash.charts import groups as group_charts
    from joblog_dash.ui import cache as data
    from joblog_dash.views import cache as views_cache
    from joblog_dash.views import groups, overview, parts, spread
    from joblog_dash.views.selection import Selection

    ANY = Selection(date(1900, 1, 1), "")
    db = warehouse.open_db()
    months = parts.months(db, ANY)
    group_keys = parts.benefit_groups(db, ANY)
    areas = [a.key for a in reference.areas()][:8]
    codes = reference.municipalities()["code"].to_list()

    def heat(view):
        return group_charts.heatmap(view.cells, "t", "s")

    errors = []
    done = [0]

    def one(seed):
        rng = random.Random(seed)
        try:
            month = rng.choice(months[-24:])
            # the app offers a group only in its months (uddannelseshjælp ends June 2025)
            group = rng.choice([g for g in group_keys if reference.group_exists(g, month)])
            sel = Selection(month, group, area=rng.choice(areas), municipality=rng.choice(codes),
                            start=fmt.add_months(month, -12))
            kind = rng.randrange(6)
            db = warehouse.open_db()
            if kind == 0:
                spread.build(db, sel)
            elif kind == 1:
                overview.build(db, sel)
            elif kind == 2:
                parts.breakdowns(db, sel, codes=[sel.municipality])
            elif kind == 3:
                # the movers, heat map and spread of a group (polars on pool threads)
                groups.build(db, sel)
            elif kind == 4:
                # to_numpy and a cached figure built from a view inside data.figure
                data.figure(heat, groups.build(db, sel))
            else:
                parts.funnel(db, sel)
            done[0] += 1
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))

    threads = []
    for wave in range(int(sys.argv[1])):
        batch = [threading.Thread(target=one, args=(wave * 100 + i,), daemon=True) for i in range(12)]
        for t in batch:
            t.start()
        threads += batch
        if wave % 4 == 3:
            views_cache.clear()  # back to cache misses: real DuckDB queries again
    for t in threads:
        t.join()
    print("done", done[0], "errors", len(errors), errors[:3])
    sys.exit(1 if errors else 0)
    """
)


def test_many_threads_query_and_compute_without_deadlock(demo_data_dir: Path) -> None:
    env = {**os.environ, "JOBLOG_DATA_DIR": str(demo_data_dir)}
    try:
        result = subprocess.run(
            [sys.executable, "-c", WORKLOAD, "16"], env=env, capture_output=True, text=True, timeout=240,
            cwd=Path(__file__).resolve().parent.parent,
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:  # the child is killed by subprocess.run
        raise AssertionError(
            f"concurrent queries did not finish in 240 s (deadlock?): {exc.stdout!r}"
        ) from None
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "done 192 errors 0" in result.stdout


def test_no_python_udfs_in_polars_on_server_paths() -> None:
    # A polars Python UDF (map_elements, map_batches, map_rows) runs on a polars pool thread that must take
    # the GIL; under load that froze the whole server (py-spy: every Python thread waiting for the GIL, the
    # event loop in a socket write). Format in Python or use replace_strict with a dict instead.
    root = Path(__file__).resolve().parent.parent
    sources = [*root.glob("joblog_dash/**/*.py"), *root.glob("pages/*.py"), root / "app.py"]
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sources
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(f".{name}(" in line for name in ("map_elements", "map_batches", "map_rows"))
    ]
    assert not found, f"polars Python UDFs on server paths: {found}"
