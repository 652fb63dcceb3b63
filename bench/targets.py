"""What `bench.load` drives: one Streamlit server, or `deploy/`'s workers behind HAProxy; stack dumps; RSS trend.

Both targets answer `url`, `memory()` (RSS summed over the worker processes, and per worker), `pids()`
(the worker processes, for stack dumps), `worker_urls()` (each worker directly, for warming up) and
`stop()`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench import common
from deploy import control


class Direct:
    """`make run`'s way: one server process, the sessions talk to it directly."""

    workers = 1
    proxy = False

    def __init__(self, data: Path, log: Path) -> None:
        self.server = common.start_server(data, log=log)
        self.url = self.server.url

    def memory(self) -> dict:
        rss = self.server.memory()
        return {**rss, "workers_mb": [rss["rss_mb"]]}

    def pids(self) -> list[int]:
        return [self.server.process.pid]

    def worker_urls(self) -> list[str]:
        return [self.url]

    def stop(self) -> None:
        self.server.stop()


class Cluster:
    """`make serve`'s way: deploy/supervise.py with N workers; the sessions talk to HAProxy."""

    proxy = True

    def __init__(self, data: Path, workers: int, run_dir: Path) -> None:
        self.workers = workers
        self.launched = control.launch(workers, data, run_dir, timeout=300)
        self.url = self.launched.url

    def _workers(self) -> list[dict]:
        return self.launched.state()["workers"]

    def memory(self) -> dict:
        per = [common.rss_mb(w["pid"]) for w in self._workers()]
        return {
            "rss_mb": round(sum(p["rss_mb"] for p in per), 1),
            "peak_rss_mb": round(sum(p["peak_rss_mb"] for p in per), 1),
            "workers_mb": [p["rss_mb"] for p in per],
        }

    def pids(self) -> list[int]:
        return [w["pid"] for w in self._workers()]

    def worker_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{w['port']}" for w in self._workers()]

    def stop(self) -> None:
        self.launched.stop()


def py_spy() -> str | None:
    return shutil.which("py-spy") or next(
        (str(p) for p in [Path(sys.executable).parent / "py-spy"] if p.exists()), None
    )


def dump_stacks(pids: list[int], folder: Path, stamp: str, faulthandler: bool) -> list[str]:
    """Every thread's stack of every process: `py-spy dump --native` into files, else SIGUSR1 (deploy/worker.py's
    faulthandler writes them to the worker's log). Returns where each dump went."""
    folder.mkdir(parents=True, exist_ok=True)
    spy = py_spy()
    where = []
    for pid in pids:
        if spy:
            out = folder / f"stall-{stamp}-{pid}.txt"
            done = subprocess.run(
                [spy, "dump", "--native", "--pid", str(pid)], capture_output=True, timeout=120
            )
            out.write_bytes(done.stdout + done.stderr)
            if done.returncode == 0:
                where.append(str(out))
                continue
        if faulthandler:
            os.kill(pid, signal.SIGUSR1)
            where.append(f"worker log of pid {pid} (faulthandler, SIGUSR1)")
        else:
            where.append(f"pid {pid}: no dump (py-spy missing or refused)")
    return where


def rss_trend(memory: list[dict], warmup_share: float = 0.25, tolerance: float = 0.05) -> dict:
    """Flat or growing: the least-squares slope of the summed RSS after the first quarter of the run
    (sessions arrive and caches fill), extrapolated over that window, against `tolerance` of its mean."""
    if len(memory) < 8:
        return {"verdict": "too few samples", "samples": len(memory)}
    start = memory[-1]["t_s"] * warmup_share
    points = [(m["t_s"], m["rss_mb"]) for m in memory if m["t_s"] >= start]
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_r = sum(r for _, r in points) / n
    var_t = sum((t - mean_t) ** 2 for t, _ in points) or 1.0
    slope = sum((t - mean_t) * (r - mean_r) for t, r in points) / var_t  # MB per second
    window = points[-1][0] - points[0][0]
    growth = slope * window
    verdict = "flat" if abs(growth) <= tolerance * mean_r else "growing" if growth > 0 else "shrinking"
    return {
        "verdict": verdict,
        "window_s": [round(points[0][0], 1), round(points[-1][0], 1)],
        "slope_mb_per_min": round(slope * 60, 2),
        "growth_over_window_mb": round(growth, 1),
        "mean_mb": round(mean_r, 1),
        "first_mb": points[0][1],
        "last_mb": points[-1][1],
        "rule": f"flat if |slope x window| <= {tolerance:.0%} of the mean, after the first {warmup_share:.0%}",
    }


def stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S")
