"""Shared pieces of the benchmarks: timing statistics, the machine, bench data and a server process."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from joblog_dash.data import demo, store
from joblog_dash.views import warm

ROOT = Path(__file__).resolve().parent.parent
BENCH_DATA = ROOT / "bench" / "data"
# Debian's Chromium and its launch flags, for the page benchmarks and the browser tests (tests/browser).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def summary(seconds: list[float]) -> dict[str, float | int]:
    """Median and p95 in milliseconds (p95 by the nearest-rank rule) and the sample size."""
    ordered = sorted(seconds)
    rank = max(0, min(len(ordered) - 1, -(-95 * len(ordered) // 100) - 1))
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(ordered[rank] * 1000, 2),
        "n": len(ordered),
    }


def machine() -> dict[str, object]:
    """What the figures were measured on, including how busy the machine was."""
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    import duckdb
    import polars
    import streamlit

    return {
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": model,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": {
            "streamlit": streamlit.__version__,
            "duckdb": duckdb.__version__,
            "polars": polars.__version__,
        },
    }


def data_dir(scale: str) -> Path:
    return BENCH_DATA / scale


def _has_current_data(folder: Path, scale: str) -> bool:
    """True if the folder's dataset covers the months the scale has now (a dataset generated before the demo
    was extended to 2026-08 would report the old row counts)."""
    try:
        manifest = store.current_manifest(folder)
    except (store.DatasetMissingError, OSError, ValueError):
        return False
    spec = demo.SCALES[scale]
    return (manifest.first_month[:7], manifest.last_month[:7]) == (spec.first_month, spec.last_month)


def ensure_data(scale: str) -> Path:
    """The bench dataset of a scale, generated (deterministically, seed 2018) if it is not there yet or is
    out of date."""
    folder = data_dir(scale)
    if not _has_current_data(folder, scale):
        cmd = [sys.executable, "-m", "joblog_dash.cli", "demo", "--scale", scale, "--data-dir", str(folder)]
        print(f"Generating {scale} data into {folder} ...", flush=True)
        subprocess.run(cmd, check=True, cwd=ROOT)
    elif not warm.prebuilt(store.current_paths(folder)[0]):
        # The views every worker reads, built as `joblog-dash demo` builds them (a dataset made by older
        # code has none, or another code's): measured pages must not wait for a worker building them.
        cmd = [sys.executable, "-m", "joblog_dash.cli", "prebuild", "--data-dir", str(folder)]
        print(f"Prebuilding the {scale} views ...", flush=True)
        subprocess.run(cmd, check=True, cwd=ROOT)
    return folder


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> dict[str, float]:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process in MB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = round(int(rest.split()[0]) / 1024, 1)
    return {"rss_mb": values.get("VmRSS", 0.0), "peak_rss_mb": values.get("VmHWM", 0.0)}


@dataclass
class Server:
    """A Streamlit server of the app on 127.0.0.1 with a given data directory."""

    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def memory(self) -> dict[str, float]:
        return rss_mb(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(
    data: Path,
    port: int | None = None,
    log: Path | None = None,
    script: str = "app.py",
    env: dict[str, str] | None = None,
) -> Server:
    port = port or free_port()
    env = {**os.environ, "JOBLOG_DATA_DIR": str(data), **(env or {})}
    cmd = [
        sys.executable, "-m", "streamlit", "run", script,
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none",
    ]  # fmt: skip
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - the server owns the handle
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Streamlit exited with {process.returncode} (log: {log})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as resp:
                if resp.read().strip() == b"ok":
                    return Server(process, port)
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("Streamlit did not become healthy within 60 s")


def page_paths() -> list[tuple[str, str]]:
    """(script, URL path) of every page script listed in the layout that exists on disk."""
    from joblog_dash.ui.layout import PAGES

    found = []
    for script, _label, _icon in PAGES:
        if (ROOT / script).is_file():
            stem = Path(script).stem
            url = "" if script == "app.py" else stem.split("_", 1)[1] if stem[0].isdigit() else stem
            found.append((script, url))
    return found
