"""`make serve`: N Streamlit workers behind HAProxy on one machine, kept running until Ctrl-C or SIGTERM.

    python -m deploy.supervise start [--workers N] [--port 8501] [--bind 127.0.0.1] [--worker-port 8511]
                                     [--data-dir DIR] [--run-dir DIR]
    python -m deploy.supervise restart-worker N [--port 8501 | --run-dir DIR]
    python -m deploy.supervise status [--port 8501 | --run-dir DIR]
    python -m deploy.supervise config --worker-ports 8511,8512 [--bind 0.0.0.0] [--port 80] [--socket PATH]

start: every worker is `streamlit run app.py` (deploy/worker.py) on 127.0.0.1 with its own port, the same
JOBLOG_DATA_DIR and the project's .streamlit/config.toml. Once every worker answers /_stcore/health,
HAProxy starts with deploy/haproxy.cfg.tmpl filled in and written to the run directory (default
/tmp/joblog-dash-serve-<port>), which also holds the runtime socket, state.json (ports and pids) and one
log per process. A worker that exits is started again (after a growing pause if it keeps dying at once).
Ctrl-C or SIGTERM stops HAProxy, then the workers, and exits; the children also get SIGTERM if the
supervisor itself is killed (PR_SET_PDEATHSIG).

config: print the HAProxy config for workers started some other way (the README's systemd recipe).

restart-worker: maintenance through HAProxy's runtime socket, SIGTERM, wait for the supervisor to start it
again and for its health, back in service (deploy/control.py). The other workers' sessions are untouched.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import math
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from string import Template

from deploy import control
from joblog_dash.importing import readers

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "haproxy.cfg.tmpl"
CRASH_WINDOW_S = 15  # a worker dying sooner than this after its start is crash-looping: back off
MULTIPART_MARGIN = 1024 * 1024  # a multipart body's framing beyond its file (Streamlit allows the same)


def upload_limit_mb() -> int:
    """Streamlit's server.maxUploadSize (whole MB) for JOBLOG_MAX_IMPORT_MB."""
    return max(1, math.ceil(readers.max_import_bytes() / (1024 * 1024)))


def max_body_bytes() -> int:
    """The largest request body HAProxy passes on: one upload of the import limit."""
    return upload_limit_mb() * 1024 * 1024 + MULTIPART_MARGIN


class Stop(Exception):
    """Ctrl-C or SIGTERM: shut everything down."""


def _on_signal(signum: int, _frame: object) -> None:
    # Ignore further signals so the shutdown itself is not interrupted half-way.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise Stop(signal.Signals(signum).name)


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the supervisor goes, even by SIGKILL (Linux only)."""
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"supervise: {message}", file=sys.stderr, flush=True)


@dataclass
class Worker:
    name: str  # w1..wN: HAProxy's server name and the sticky cookie's value
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    restarts: int = 0
    quick_deaths: int = 0
    start_after: float = 0.0

    def start(self, data_dir: Path) -> None:
        cmd = [
            sys.executable, str(HERE / "worker.py"), "run", "app.py",
            "--server.port", str(self.port), "--server.address", "127.0.0.1", "--server.headless", "true",
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
            "--server.maxUploadSize", str(upload_limit_mb()),
        ]  # fmt: skip
        env = {**os.environ, "JOBLOG_DATA_DIR": str(data_dir)}
        out = open(self.log_path, "ab")  # noqa: SIM115 - the child owns the handle
        # Its own session: a terminal's Ctrl-C reaches only the supervisor, which stops things in order.
        self.process = subprocess.Popen(
            cmd, cwd=control.ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip
        out.close()
        self.started = time.monotonic()

    def state(self) -> dict:
        return {
            "name": self.name,
            "port": self.port,
            "pid": self.process.pid if self.process else None,
            "restarts": self.restarts,
            "log": str(self.log_path),
        }


def private_run_dir(path: Path) -> None:
    """Make `path` a directory only this user can enter, or refuse. It holds HAProxy's config and its admin
    socket, and the default lives in the shared /tmp, where anyone could have made it first: a link, a
    directory of another user, or anything in it that is a link or another user's is refused; a loose mode
    on a directory of ours is tightened to 0700."""
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=True)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise SystemExit(f"run directory {path} is a link or not a directory: remove it or give --run-dir")
    if info.st_uid != os.getuid():
        raise SystemExit(
            f"run directory {path} belongs to uid {info.st_uid}, not to you (uid {os.getuid()}): "
            "someone else may have made it; remove it or give --run-dir"
        )
    os.chmod(path, 0o700)
    for entry in path.iterdir():
        found = os.lstat(entry)
        if stat.S_ISLNK(found.st_mode) or found.st_uid != os.getuid():
            raise SystemExit(f"{entry} in the run directory is a link or not yours: remove it")


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
    if not found:
        raise SystemExit("HAProxy is not installed: `apt-get install haproxy` (Debian 12 ships 2.6)")
    return found


# The content policy HAProxy sends with every answer. Streamlit needs inline styles (emotion) and inline
# scripts (the deck's arrow keys run in a srcdoc frame, which inherits this policy); its protobuf library
# compiles WebAssembly ('wasm-unsafe-eval' allows that and no JavaScript eval); plotly and the file
# downloads use data: and blob: URLs; the websocket is same-origin ('self').
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-src 'self' blob: data:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# After cache-store, so a copy from the cache names no worker.
WORKER_HEADER = "    http-response set-header X-Joblog-Worker %[srv_name] if { srv_id gt 0 }"


def render_config(
    bind: str,
    port: int,
    sock: Path,
    workers: list[Worker],
    secure_cookie: bool = False,
    worker_header: bool = False,
) -> str:
    servers = "\n".join(f"    server {w.name} 127.0.0.1:{w.port} cookie {w.name}" for w in workers)
    return Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        bind=bind, port=port, socket=sock, maxconn=4096, cookie=control.COOKIE, servers=servers,
        max_body=max_body_bytes(), csp=CSP, cookie_secure=" secure" if secure_cookie else "",
        worker_header=WORKER_HEADER if worker_header else "    # (off)",
    )  # fmt: skip


def stop_process(process: subprocess.Popen[bytes] | None, timeout: float = 15) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Supervisor:
    def __init__(self, args: argparse.Namespace) -> None:
        self.data_dir = Path(args.data_dir).resolve()
        self.bind = args.bind
        self.secure_cookie = args.secure_cookie
        self.worker_header = args.worker_header
        self.port = args.port or _free_port()
        self.run_dir = Path(args.run_dir or control.default_run_dir(self.port)).resolve()
        self.haproxy_bin = haproxy_binary()
        base = args.worker_port
        self.workers = [
            Worker(f"w{i}", base + i - 1 if base else _free_port(), self.run_dir / f"w{i}.log")
            for i in range(1, args.workers + 1)
        ]
        self.socket = self.run_dir / "haproxy.sock"
        self.config = self.run_dir / "haproxy.cfg"
        self.haproxy: subprocess.Popen[bytes] | None = None
        self.ready = False

    def write_state(self) -> None:
        url_host = "127.0.0.1" if self.bind in ("0.0.0.0", "::", "") else self.bind
        control.write_state(
            self.run_dir,
            {
                "pid": os.getpid(),
                "ready": self.ready,
                "data_dir": str(self.data_dir),
                "socket": str(self.socket),
                "config": str(self.config),
                "proxy": {
                    "bind": self.bind,
                    "port": self.port,
                    "url": f"http://{url_host}:{self.port}",
                    "pid": self.haproxy.pid if self.haproxy else None,
                },
                "workers": [w.state() for w in self.workers],
            },
        )

    def start(self) -> None:
        if not (self.data_dir / "joblog" / "CURRENT").is_file():
            raise SystemExit(f"no dataset in {self.data_dir}: `joblog-dash demo --data-dir {self.data_dir}`")
        private_run_dir(self.run_dir)
        if control.healthy(f"http://127.0.0.1:{self.port}", timeout=1):
            raise SystemExit(f"port {self.port} already serves the app: is `make serve` running already?")
        self.config.write_text(
            render_config(
                self.bind, self.port, self.socket, self.workers, self.secure_cookie, self.worker_header
            ),
            encoding="utf-8",
        )
        check = subprocess.run([self.haproxy_bin, "-c", "-q", "-f", str(self.config)], capture_output=True)
        if check.returncode != 0:
            raise SystemExit(
                f"HAProxy rejects {self.config}:\n{check.stdout.decode()}{check.stderr.decode()}"
            )
        for worker in self.workers:
            worker.start(self.data_dir)
        self.write_state()
        for worker in self.workers:
            control.wait_for(
                lambda w=worker: self._alive(w) and control.healthy(f"http://127.0.0.1:{w.port}"),
                180,
                f"{worker.name} was not healthy (log: {worker.log_path})",
            )
        out = open(self.run_dir / "haproxy.log", "ab")  # noqa: SIM115 - the child owns the handle
        self.haproxy = subprocess.Popen(
            [self.haproxy_bin, "-db", "-f", str(self.config)], stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip
        out.close()
        control.wait_for(
            lambda: self.haproxy.poll() is None and control.healthy(f"http://127.0.0.1:{self.port}"),  # type: ignore[union-attr]
            30,
            f"HAProxy did not serve (log: {self.run_dir / 'haproxy.log'})",
        )
        control.wait_for(
            lambda: all(r["check_status"] == "L7OK" for r in control.server_stats(self.socket).values()),
            30,
            "HAProxy's first health checks did not pass on every worker",
        )
        self.ready = True
        self.write_state()
        log(
            f"serving http://{self.bind}:{self.port} with {len(self.workers)} workers "
            f"(ports {', '.join(str(w.port) for w in self.workers)}; run dir {self.run_dir}). Ctrl-C stops."
        )

    def _alive(self, worker: Worker) -> bool:
        if worker.process is not None and worker.process.poll() is not None:
            raise RuntimeError(
                f"{worker.name} exited with {worker.process.returncode} (log: {worker.log_path})"
            )
        return True

    def watch(self) -> None:
        """Start again any worker that exits; HAProxy exiting ends the supervisor."""
        while True:
            time.sleep(0.5)
            if self.haproxy is not None and self.haproxy.poll() is not None:
                raise RuntimeError(
                    f"HAProxy exited with {self.haproxy.returncode} (see {self.run_dir}/haproxy.log)"
                )
            now = time.monotonic()
            for worker in self.workers:
                if worker.process is None or worker.process.poll() is None:
                    continue
                if worker.start_after == 0.0:
                    lived = now - worker.started
                    worker.quick_deaths = worker.quick_deaths + 1 if lived < CRASH_WINDOW_S else 0
                    pause = min(30.0, 2.0 ** (worker.quick_deaths - 1)) if worker.quick_deaths else 0.0
                    worker.start_after = now + pause
                    log(
                        f"{worker.name} (pid {worker.process.pid}) exited with {worker.process.returncode} "
                        f"after {lived:.0f} s; starting it again in {pause:.0f} s"
                    )
                if now >= worker.start_after:
                    worker.start_after = 0.0
                    worker.restarts += 1
                    worker.start(self.data_dir)
                    self.write_state()

    def shutdown(self) -> None:
        # HAProxy first (SIGTERM: hard stop, closes the websockets), so no request reaches a stopping worker.
        stop_process(self.haproxy, timeout=10)
        for worker in self.workers:
            if worker.process is not None and worker.process.poll() is None:
                worker.process.terminate()
        for worker in self.workers:
            stop_process(worker.process)
        for path in (self.run_dir / control.STATE, self.socket):
            path.unlink(missing_ok=True)
        log("stopped HAProxy and every worker")


def start(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise SystemExit("--workers must be at least 1")
    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    supervisor = Supervisor(args)
    try:
        supervisor.start()
        supervisor.watch()
    except Stop as stop:
        log(f"{stop}: stopping")
        return 0
    except (RuntimeError, TimeoutError) as exc:
        log(f"error: {exc}")
        return 1
    finally:
        supervisor.shutdown()
    return 0


def status(run_dir: Path) -> int:
    state = control.read_state(run_dir)
    stats = control.server_stats(state["socket"])
    print(f"proxy {state['proxy']['url']} (pid {state['proxy']['pid']}), data {state['data_dir']}")
    for w in state["workers"]:
        row = stats.get(w["name"], {})
        print(
            f"  {w['name']}: port {w['port']}, pid {w['pid']}, RSS {control.rss_mb(w['pid']):.0f} MB, "
            f"{row.get('status', '?')}, {row.get('scur', '?')} open connections, restarts {w['restarts']}"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="supervise", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start_p = sub.add_parser("start", help="start the workers and HAProxy; Ctrl-C stops them")
    start_p.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="default: number of cores")
    start_p.add_argument("--port", type=int, default=8501, help="the proxy's port (0: any free port)")
    start_p.add_argument("--bind", default="127.0.0.1", help="the proxy's address")
    start_p.add_argument("--worker-port", type=int, default=8511, help="first worker's port (0: free ports)")
    start_p.add_argument("--data-dir", default=os.environ.get("JOBLOG_DATA_DIR", "data"))
    start_p.add_argument("--run-dir", help="default: /tmp/joblog-dash-serve-<port>")
    start_p.add_argument(
        "--worker-header", action="store_true", help="name the answering worker in X-Joblog-Worker (tests)"
    )
    for name, helptext in (("restart-worker", "restart one worker"), ("status", "show the workers")):
        p = sub.add_parser(name, help=helptext)
        if name == "restart-worker":
            p.add_argument("number", type=int, help="1 for w1, ...")
        p.add_argument("--port", type=int, default=8501)
        p.add_argument("--run-dir")
    config_p = sub.add_parser("config", help="print the HAProxy config for workers on these ports")
    config_p.add_argument("--worker-ports", required=True, help="comma-separated: w1's port, w2's, ...")
    config_p.add_argument("--port", type=int, default=8501)
    config_p.add_argument("--bind", default="127.0.0.1")
    config_p.add_argument("--socket", default="/run/haproxy/admin.sock", help="runtime API socket")
    for p in (start_p, config_p):
        p.add_argument(
            "--secure-cookie", action="store_true", help="the sticky cookie only over HTTPS (TLS in front)"
        )
    args = parser.parse_args(argv)
    if args.command == "start":
        return start(args)
    if args.command == "config":
        ports = [int(p) for p in args.worker_ports.split(",")]
        workers = [Worker(f"w{i}", port, Path(os.devnull)) for i, port in enumerate(ports, start=1)]
        config = render_config(args.bind, args.port, Path(args.socket), workers, args.secure_cookie)
        print(config, end="")
        return 0
    run_dir = Path(args.run_dir) if args.run_dir else control.default_run_dir(args.port)
    try:
        if args.command == "status":
            return status(run_dir)
        new = control.restart_worker(run_dir, args.number)
        print(f"w{args.number} restarted: pid {new['pid']} on port {new['port']}, back in service")
        return 0
    except (FileNotFoundError, KeyError, TimeoutError, OSError) as exc:
        print(f"supervise: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
