"""The audit log: who changed the dataset, when, with what file, and how (append-only JSON lines).

Lines in `<data dir>/joblog/audit.jsonl`, only ever appended (one `write` on a file opened with O_APPEND,
then fsync); a damaged line is skipped when reading, never rewritten. A change is logged before it is made
(`switched`): an "intent" line, then the switch of CURRENT, then "done" (or "aborted" when the switch
failed), all with the same `change` id, so a crash between leaves a trace. Lines written before changes
had ids are complete entries. The web UI names the signed-in administrator with `acting_as`; anything
else (the CLI) is recorded as the operating-system user.
"""

from __future__ import annotations

import contextlib
import contextvars
import getpass
import json
import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import MISSING, asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

from joblog_dash.data import store

AUDIT_FILE = "audit.jsonl"
ACTIONS = ("import", "rollback", "signin_failed")
PHASES = ("intent", "done", "aborted")

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
    # Rows of the version before that the change replaced (changed or removed): with a replaced demo,
    # every demo row.
    replaced: int = 0
    phase: str = "done"  # "intent" alone: the change was started and not seen to finish (see read_entries)
    change: str = ""  # ties the lines of one change together; empty in lines from before it existed


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
    replaced: int = 0,
    phase: str = "done",
    change: str = "",
    data_dir: Path | None = None,
) -> AuditEntry:
    """Append one line; raises OSError when it cannot be written."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if phase not in PHASES:
        raise ValueError(f"unknown audit phase {phase!r}")
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
        replaced=replaced,
        phase=phase,
        change=change,
    )
    line = (json.dumps(asdict(entry), ensure_ascii=False) + "\n").encode("utf-8")
    _append(audit_path(data_dir), line)
    return entry


def switched(
    action: str,
    switch: Callable[[], None],
    *,
    version_before: str | None,
    version_after: str | None,
    file: str = "",
    sha256: str = "",
    counts: tuple[int, int, int, int] = (0, 0, 0, 0),
    data_dir: Path | None = None,
) -> AuditEntry:
    """Make a logged change: an "intent" line, then `switch()` (which makes it live), then "done".
    `counts` are the rows (added, changed, removed, replaced).

    The intent line failing raises OSError before anything ran. `switch` failing is logged "aborted" (when
    the log can still be written) and its exception raised. The done line failing leaves the change live,
    recorded by its intent line; the entry returned then has phase "intent"."""
    added, changed, removed, replaced = counts
    change = uuid.uuid4().hex[:16]

    def line(phase: str) -> AuditEntry:
        return record(
            action,
            version_before=version_before,
            version_after=version_after,
            file=file,
            sha256=sha256,
            added=added,
            changed=changed,
            removed=removed,
            replaced=replaced,
            phase=phase,
            change=change,
            data_dir=data_dir,
        )

    intent = line("intent")
    try:
        switch()
    except BaseException:
        with contextlib.suppress(OSError):
            line("aborted")
        raise
    try:
        return line("done")
    except OSError:
        return intent


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
    """One entry per change, newest first, as its last line says (phase "done", "aborted", or "intent"
    when nothing followed it); damaged or foreign lines are skipped."""
    try:
        lines = audit_path(data_dir).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return []
    optional = {f.name: f.default for f in fields(AuditEntry) if f.default is not MISSING}
    required = {f.name for f in fields(AuditEntry)} - set(optional)
    changes: dict[object, AuditEntry] = {}
    for number, line in enumerate(lines):
        try:
            raw = json.loads(line)
            entry = AuditEntry(
                **{k: raw[k] for k in required}, **{k: raw.get(k, d) for k, d in optional.items()}
            )
        except (ValueError, TypeError, KeyError, AttributeError):
            continue
        changes[entry.change or number] = entry  # a later line of the same change replaces the earlier
    return list(changes.values())[::-1]
