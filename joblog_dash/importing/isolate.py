"""Run one import step in a child process with an address-space limit and a wall clock.

A file that needs more memory or time than its size justifies stops the child, not the server: a worker's
memory is not touched by parsing an upload (and so is returned when the step ends), and a stuck parse is
killed. `run(function, *args, **kwargs)` pickles the call to `python -m joblog_dash.importing.isolate`, which
sets RLIMIT_AS (and RLIMIT_CPU as a backstop), runs it and sends back the result, the exception, or progress
messages; the child dies with its parent.

Limits: memory in proportion to the file the step works on (1,024 MB of address space, of which the bare
child maps about 670 MB, plus 24 × the file's size: an 80 MB CSV peaked at 2.4 GB mapped, 1.2 GB
resident), or a fixed `JOBLOG_IMPORT_MEMORY_MB`; time `JOBLOG_IMPORT_SECONDS` (default 900).
"""

from __future__ import annotations

import ctypes
import errno
import os
import pickle
import resource
import selectors
import signal
import struct
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from joblog_dash.data import audit
from joblog_dash.importing.readers import ReadError, max_import_bytes

BASE_MEMORY_MB = 1024  # Python, polars and openpyxl imported, with room to work (about 670 MB of it mapped)
MEMORY_PER_FILE_BYTE = 24  # mapped bytes a file may take per byte of its size (measured: about 21 for CSV)
DEFAULT_SECONDS = 900.0
_HEADER = struct.Struct("!Q")
PR_SET_PDEATHSIG = 1
# Fewer malloc arenas and polars threads: an address-space limit counts reserved memory, not only used.
# A Rust allocation that fails aborts the child; its backtrace would only fill the server log.
CHILD_ENV = {"MALLOC_ARENA_MAX": "2", "POLARS_MAX_THREADS": "2", "RUST_BACKTRACE": "0"}


class LimitExceeded(ReadError):
    """The step needed more memory or time than allowed; the message is meant for the user (Danish)."""


def _env_number(name: str, default: float) -> float:
    try:
        value = float(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if 0 < value < 1e9 else default


def memory_limit(file_bytes: int | None = None) -> int:
    """Bytes of address space the child may map for a file of `file_bytes` (default: the largest allowed)."""
    size = max_import_bytes() if file_bytes is None else min(file_bytes, max_import_bytes())
    default = BASE_MEMORY_MB + MEMORY_PER_FILE_BYTE * size / (1024 * 1024)
    return int(_env_number("JOBLOG_IMPORT_MEMORY_MB", default) * 1024 * 1024)


def file_size(path: object) -> int:
    try:
        return os.stat(path).st_size  # type: ignore[arg-type]
    except (OSError, TypeError, ValueError):
        return 0


def time_limit() -> float:
    return _env_number("JOBLOG_IMPORT_SECONDS", DEFAULT_SECONDS)


def _dk(number: float) -> str:
    return f"{number:,.0f}".replace(",", ".")


def _memory_message(limit: int) -> str:
    return (
        f"filen kræver mere end {_dk(limit / (1024 * 1024))} MB hukommelse at læse og kontrollere; arbejdet er "
        "stoppet, og intet er ændret. Del filen op (fx én pr. år) eller gem den som CSV."
    )


def _time_message(seconds: float) -> str:
    return (
        f"filen tog mere end {_dk(seconds)} sekunder at læse og kontrollere; arbejdet er stoppet, og intet er "
        "ændret. Del filen op (fx én pr. år) eller gem den som CSV."
    )


def _send(stream, message: object) -> None:  # stream: a binary file
    try:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an unpicklable exception still reaches the parent, as text
        data = pickle.dumps(("error", RuntimeError(f"{type(message).__name__}: {exc}")))
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def run(
    function: Callable[..., Any],
    *args: object,
    progress: Callable[[float, str], None] | None = None,
    memory: int | None = None,
    seconds: float | None = None,
    **kwargs: object,
) -> Any:
    """`function(*args, **kwargs)` in a child process; its exception is raised here. With `progress`, the
    function gets a `progress(fraction, text)` keyword whose calls arrive here. The memory limit follows the
    size of the first argument when it is a file (see memory_limit). Raises LimitExceeded when the child runs
    out of memory or time (it is killed at the deadline)."""
    memory = memory or memory_limit(file_size(args[0]) if args else None)
    seconds = seconds or time_limit()
    # The audit log names whoever acts here (the signed-in administrator), in the child too.
    call = pickle.dumps((function, args, kwargs, progress is not None, audit.current_actor()))
    limits = [str(memory), str(int(seconds) + 5), str(os.getpid())]
    child = subprocess.Popen(
        [sys.executable, "-m", "joblog_dash.importing.isolate", *limits],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, **CHILD_ENV},
        close_fds=True,
    )
    try:
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(call)
        child.stdin.close()
        return _collect(child, time.monotonic() + seconds, memory, seconds, progress)
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        if child.stdout is not None:
            child.stdout.close()


def inline(
    function: Callable[..., Any],
    *args: object,
    progress: Callable[[float, str], None] | None = None,
    memory: int | None = None,
    seconds: float | None = None,
    **kwargs: object,
) -> Any:
    """`run` without the child (no limits): for tests that fake a failure inside a step by patching this
    process (`monkeypatch.setattr(isolate, "run", isolate.inline)`)."""
    del memory, seconds
    return function(*args, **kwargs, **({"progress": progress} if progress is not None else {}))


def _collect(
    child: subprocess.Popen,
    deadline: float,
    memory: int,
    seconds: float,
    progress: Callable[[float, str], None] | None,
) -> Any:
    fd = child.stdout.fileno()  # type: ignore[union-attr]
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                child.kill()
                raise LimitExceeded(_time_message(seconds))
            if not selector.select(timeout=min(left, 1.0)):
                continue
            chunk = os.read(fd, 1 << 20)
            if not chunk:  # the child is gone without an answer: killed for memory (or CPU time)
                code = child.wait()
                if code == -signal.SIGXCPU:
                    raise LimitExceeded(_time_message(seconds))
                raise LimitExceeded(_memory_message(memory))
            buffer += chunk
            while len(buffer) >= _HEADER.size:
                (length,) = _HEADER.unpack_from(buffer)
                if len(buffer) < _HEADER.size + length:
                    break
                try:
                    kind, *rest = pickle.loads(buffer[_HEADER.size : _HEADER.size + length])
                except Exception as exc:  # e.g. an exception type that cannot be rebuilt here
                    kind, rest = "error", [RuntimeError(f"svaret fra importen kan ikke læses: {exc}")]
                buffer = buffer[_HEADER.size + length :]
                if kind == "progress" and progress is not None:
                    progress(*rest)
                elif kind == "result":
                    return rest[0]
                elif kind == "error":
                    error = rest[0]
                    if isinstance(error, MemoryError):
                        raise LimitExceeded(_memory_message(memory)) from None
                    raise error


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this child when the process that started it dies (kill -9 of an import
    must stop the import, not leave it running on its own)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the wall clock and RLIMIT_CPU still end it
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _child(memory: int, cpu_seconds: int, parent: int) -> None:
    _die_with_parent(parent)
    # Limits first: everything below, including the imports the call needs, counts against them.
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print goes to stderr, never into the answer
    call = sys.stdin.buffer.read()
    try:
        function, args, kwargs, wants_progress, actor = pickle.loads(call)
        if wants_progress:
            kwargs["progress"] = lambda fraction, text: _send(out, ("progress", fraction, text))
        with audit.acting_as(actor):
            _send(out, ("result", function(*args, **kwargs)))
    except BrokenPipeError:  # the parent is gone: nobody to answer
        os._exit(1)
    except BaseException as exc:  # everything goes back to the parent, which decides
        try:
            _send(out, ("error", MemoryError() if _out_of_memory(exc) else exc))
        except BrokenPipeError:
            os._exit(1)


def _out_of_memory(exc: BaseException) -> bool:
    """Running out of address space also shows as a module that cannot be mapped or an ENOMEM."""
    text = str(exc)
    return (
        isinstance(exc, MemoryError)
        or (isinstance(exc, OSError) and exc.errno == errno.ENOMEM)
        or (isinstance(exc, ImportError) and "failed to map" in text)
        or "Cannot allocate memory" in text
    )


if __name__ == "__main__":
    _child(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]))
