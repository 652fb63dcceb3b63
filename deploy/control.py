"""Talking to a running `deploy/supervise.py`: its state file, HAProxy's runtime socket, one worker's restart.

Used by the supervisor's `restart-worker` and `status` commands, by `bench/load.py --serve` and by
tests/tooling/test_serve.py (which start the supervisor with `launch`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BACKEND = "streamlit"  # the backend's name in deploy/haproxy.cfg.tmpl
COOKIE = "JOBLOG_WORKER"
STATE = "state.json"


def default_run_dir(port: int) -> Path:
    return Path(tempfile.gettempdir()) / f"joblog-dash-serve-{port}"


def read_state(run_dir: Path) -> dict:
    path = Path(run_dir) / STATE
    if not path.is_file():
        raise FileNotFoundError(
            f"no running supervisor in {run_dir} ({STATE} missing): start it with `make serve`"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def write_state(run_dir: Path, state: dict) -> None:
    """Atomically, so a reader never sees half a file."""
    tmp = Path(run_dir) / f".{STATE}.tmp"
    tmp.write_text(json.dumps(state, indent=2), encoding="utf-8")
    os.replace(tmp, Path(run_dir) / STATE)


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as resp:
            return resp.read().strip() == b"ok"
    except OSError:
        return False


def api(sock_path: str | Path, command: str, timeout: float = 5.0) -> str:
    """One command on HAProxy's runtime socket (`stats socket ... level admin`) and its answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(timeout)
        sock.connect(str(sock_path))
        sock.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def server_stats(sock_path: str | Path) -> dict[str, dict[str, str]]:
    """The backend's servers from `show stat`: name -> row (status UP/DOWN/MAINT, scur = open connections)."""
    text = api(sock_path, "show stat").lstrip("# ")
    rows = csv.DictReader(io.StringIO(text))
    return {
        r["svname"]: r for r in rows if r["pxname"] == BACKEND and r["svname"] not in ("FRONTEND", "BACKEND")
    }


def wait_for(check, timeout: float, what: str, every: float = 0.3) -> None:  # noqa: ANN001 - any callable
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} within {timeout:.0f} s")
        time.sleep(every)


def _worker(state: dict, name: str) -> dict:
    found = [w for w in state["workers"] if w["name"] == name]
    if not found:
        names = ", ".join(w["name"] for w in state["workers"])
        raise KeyError(f"no worker {name!r}; this supervisor runs {names}")
    return found[0]


def restart_worker(run_dir: Path, number: int, timeout: float = 120) -> dict:
    """Restart worker `w<number>` without touching the others' sessions; returns its new state entry.

    Maintenance first, so HAProxy sends nothing new to it and redispatches its clients' reconnects to the
    other workers; then SIGTERM (the supervisor starts it again); back in service once it is healthy."""
    state = read_state(run_dir)
    name = f"w{number}"
    old = _worker(state, name)
    sock = state["socket"]
    api(sock, f"set server {BACKEND}/{name} state maint")
    api(sock, f"shutdown sessions server {BACKEND}/{name}")
    with contextlib.suppress(ProcessLookupError):  # already gone: the supervisor is starting it again
        os.kill(old["pid"], signal.SIGTERM)

    def restarted() -> bool:
        new = _worker(read_state(run_dir), name)
        return new["pid"] != old["pid"] and healthy(f"http://127.0.0.1:{new['port']}")

    wait_for(restarted, timeout, f"{name} did not come back healthy")
    api(sock, f"set server {BACKEND}/{name} state ready")
    wait_for(
        lambda: server_stats(sock)[name]["status"].startswith("UP"), 30, f"HAProxy did not mark {name} UP"
    )
    return _worker(read_state(run_dir), name)


def rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return 0.0


@dataclass
class Launched:
    """A supervisor started by `launch` (tests, bench): its URL, state, and a stop that leaves nothing behind."""

    process: subprocess.Popen[bytes]
    run_dir: Path

    def state(self) -> dict:
        return read_state(self.run_dir)

    @property
    def url(self) -> str:
        return self.state()["proxy"]["url"]

    def pids(self) -> list[int]:
        try:
            state = self.state()
        except (FileNotFoundError, json.JSONDecodeError):
            return []
        return [w["pid"] for w in state["workers"]] + [state["proxy"].get("pid") or 0]

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM to the supervisor (it stops HAProxy and the workers), then SIGKILL to whatever is left."""
        children = [p for p in self.pids() if p]
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def launch(
    workers: int,
    data_dir: Path,
    run_dir: Path,
    port: int = 0,
    timeout: float = 120,
    extra: list[str] | None = None,
) -> Launched:
    """Start `python -m deploy.supervise start` and wait until the proxy serves; stops it again on failure."""
    run_dir.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable, "-m", "deploy.supervise", "start", "--workers", str(workers), "--port", str(port),
        "--worker-port", "0", "--data-dir", str(data_dir), "--run-dir", str(run_dir), *(extra or []),
    ]  # fmt: skip
    log = open(run_dir / "supervise.log", "wb")  # noqa: SIM115 - the child owns the handle
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    launched = Launched(process, run_dir)

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(
                f"supervisor exited with {process.returncode}: see {run_dir / 'supervise.log'}"
            )
        try:
            return bool(launched.state().get("ready"))
        except (FileNotFoundError, json.JSONDecodeError):
            return False

    try:
        wait_for(ready, timeout, "the supervisor was not ready")
    except BaseException:
        launched.stop()
        raise
    return launched
