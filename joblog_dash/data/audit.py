"""The audit log: who changed the dataset, when, with what file, and how (append-only JSON lines).

One line per import or rollback in `<data dir>/joblog/audit.jsonl`. Lines are only ever appended (one
`write` on a file opened with O_APPEND, then fsync); a damaged line is skipped when reading, never
rewritten. The web UI names the signed-in administrator with `acting_as`; anything else (the CLI) is
recorded as the operating-system user.
"""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from joblog_dash.data import store

AUDIT_FILE = "audit.jsonl"
ACTIONS = ("import", "rollback", "signin_failed")

_actor: contextvars.ContextVar[str | None] = contextvars.ContextVar("joblog_audit_actor", default=None)


@dataclass(frozen=True)
class AuditEntry:
    at: str  # ISO 8601, UTC, seconds
    actor: str
    action: str  # "import" or "rollback"
    file: str
    sha256: str
    added: int
    changed: int
    removed: int
    version_before: str | None
    version_after: str | None


def audit_path(data_dir: Path | None = None) -> Path:
    return store.joblog_dir(data_dir) / AUDIT_FILE


@contextlib.contextmanager
def acting_as(actor: str) -> Iterator[None]:
    """Record changes made inside the block as done by `actor` (the signed-in administrator)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def os_user() -> str:
    try:
        return f"{getpass.getuser()} (kommandolinje)"
    except (KeyError, OSError):  # no passwd entry for the uid, e.g. in a container
        return f"uid {os.getuid()} (kommandolinje)"


def current_actor() -> str:
    return _actor.get() or os_user()


def record(
    action: str,
    *,
    version_before: str | None,
    version_after: str | None,
    file: str = "",
    sha256: str = "",
    added: int = 0,
    changed: int = 0,
    removed: int = 0,
    data_dir: Path | None = None,
) -> AuditEntry:
    """Append one entry; raises OSError when it cannot be written (the caller undoes the change)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        at=datetime.now(UTC).isoformat(timespec="seconds"),
        actor=current_actor(),
        action=action,
        file=file,
        sha256=sha256,
        added=added,
        changed=changed,
        removed=removed,
        version_before=version_before,
        version_after=version_after,
    )
    line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
    _append(audit_path(data_dir), line)
    return entry


def _append(path: Path, line: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = os.write(fd, line)
        if written != len(line):  # a short write (disk full) would leave half a line: report it
            raise OSError(f"only {written} of {len(line)} bytes written to {path}")
        os.fsync(fd)
    finally:
        os.close(fd)


def read_entries(data_dir: Path | None = None) -> list[AuditEntry]:
    """All readable entries, newest first; damaged or foreign lines are skipped."""
    try:
        lines = audit_path(data_dir).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    names = {f.name for f in fields(AuditEntry)}
    entries = []
    for line in lines:
        try:
            raw = json.loads(line)
            entry = AuditEntry(**{k: raw[k] for k in names})
        except (ValueError, TypeError, KeyError):
            continue
        entries.append(entry)
    return entries[::-1]
