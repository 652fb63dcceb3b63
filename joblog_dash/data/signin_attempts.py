"""The brake on password guessing: sign-in attempts per account and source, shared by every session and
worker through SQLite (WAL mode) in `<data dir>/joblog/signin.sqlite`, beside the audit log.

Each attempt is claimed before the password is checked and counts as a failure until `succeeded` clears
it, so parallel guesses are counted one by one in a single write transaction and none slips through
between a check and a count. After the n-th recent failure from a source the next attempt from it waits
`delay(n)` seconds (0, 2, 4, 8, ... at most MAX_DELAY_S); the LOCK_AFTER-th locks that source out for
LOCK_S, and ACCOUNT_LOCK_AFTER failures from all sources together lock the account for everyone (many
sources guessing at once). Failures older than LOCK_S are forgotten. An attempt made while waiting or
locked is refused without looking at the password, and is not counted.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from joblog_dash.data import store

FILE = "signin.sqlite"
LOCK_AFTER = 5  # failures from one source
ACCOUNT_LOCK_AFTER = 20  # failures from every source together
LOCK_S = 15 * 60
MAX_DELAY_S = 60
ALL_SOURCES = "*"  # the account-wide row


def now() -> float:
    """Wall-clock seconds: shared by every process on the host (tests replace it)."""
    return time.time()


def delay(failures: int) -> float:
    """Seconds the next attempt waits after this many recent failures: a slip is free, then it doubles."""
    return 0.0 if failures <= 1 else float(min(2 ** (failures - 1), MAX_DELAY_S))


@dataclass(frozen=True)
class Attempt:
    allowed: bool  # the password may be checked now
    failures: int  # recent failures from this source, this attempt included when allowed
    wait: float  # seconds until the next attempt from this source is heard
    locked: bool  # locked out (the source or the whole account); wait is the time left

    @property
    def left(self) -> int:
        """Attempts left before this source is locked out."""
        return max(LOCK_AFTER - self.failures, 0)


def path(data_dir: Path | None = None) -> Path:
    return store.joblog_dir(data_dir) / FILE


@contextmanager
def _transaction(data_dir: Path | None) -> Iterator[sqlite3.Connection]:
    """One write transaction (BEGIN IMMEDIATE: writers queue, readers of WAL go on)."""
    target = path(data_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(target, timeout=10, isolation_level=None)) as con:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA busy_timeout=10000")
        con.execute(
            "CREATE TABLE IF NOT EXISTS attempts (account TEXT NOT NULL, source TEXT NOT NULL, "
            "failures INTEGER NOT NULL, last REAL NOT NULL, not_before REAL NOT NULL, "
            "locked_until REAL NOT NULL, PRIMARY KEY (account, source))"
        )
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def _row(con: sqlite3.Connection, account: str, source: str, at: float) -> tuple[int, float, float]:
    """(recent failures, not before, locked until); a row whose last failure is older than LOCK_S is empty."""
    found = con.execute(
        "SELECT failures, last, not_before, locked_until FROM attempts WHERE account = ? AND source = ?",
        (account, source),
    ).fetchone()
    if found is None or at - found[1] > LOCK_S:
        return 0, 0.0, 0.0
    return int(found[0]), float(found[2]), float(found[3])


def _put(
    con: sqlite3.Connection, account: str, source: str, row: tuple[int, float, float], at: float
) -> None:
    con.execute(
        "INSERT OR REPLACE INTO attempts VALUES (?, ?, ?, ?, ?, ?)", (account, source, row[0], at, *row[1:])
    )


def status(account: str, source: str, data_dir: Path | None = None) -> Attempt:
    """Whether an attempt from this source would be heard now; nothing is recorded."""
    at = now()
    with _transaction(data_dir) as con:
        failures, not_before, locked_until = _row(con, account, source, at)
        until = max(locked_until, _row(con, account, ALL_SOURCES, at)[2])
    if until > at:
        return Attempt(False, failures, until - at, True)
    return Attempt(not_before <= at, failures, max(not_before - at, 0.0), False)


def attempt(account: str, source: str, data_dir: Path | None = None) -> Attempt:
    """Claim one sign-in attempt: refused while this source waits or is locked out, or the account is
    locked; otherwise counted as a failure (and the wait and lock it brings set) until `succeeded`."""
    at = now()
    with _transaction(data_dir) as con:
        failures, not_before, locked_until = _row(con, account, source, at)
        total, _, account_locked = _row(con, account, ALL_SOURCES, at)
        until = max(locked_until, account_locked)
        if until > at:
            return Attempt(False, failures, until - at, True)
        if not_before > at:
            return Attempt(False, failures, not_before - at, False)
        failures, total = failures + 1, total + 1
        locked_until = at + LOCK_S if failures >= LOCK_AFTER else 0.0
        account_locked = at + LOCK_S if total >= ACCOUNT_LOCK_AFTER else 0.0
        _put(con, account, source, (failures, at + delay(failures), locked_until), at)
        _put(con, account, ALL_SOURCES, (total, 0.0, account_locked), at)
    until = max(locked_until, account_locked)
    wait = until - at if until else delay(failures)
    return Attempt(True, failures, wait, bool(until))


def succeeded(account: str, data_dir: Path | None = None) -> None:
    """The password was right: forget the account's failures (only the holder of the password gets here)."""
    with _transaction(data_dir) as con:
        con.execute("DELETE FROM attempts WHERE account = ?", (account,))
