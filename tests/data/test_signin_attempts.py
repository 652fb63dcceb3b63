"""The brake on password guessing, on disk: per account and source, across connections and processes.

The clock is replaced (signin_attempts.now), so the waits are exact and nothing sleeps.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from joblog_dash.config import PACKAGE_ROOT
from joblog_dash.data import signin_attempts as sa

ACCOUNT = "administrator"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The current time as a one-element list the test moves forward."""
    at = [1_000_000.0]
    monkeypatch.setattr(sa, "now", lambda: at[0])
    return at


def test_waits_grow_then_the_source_is_locked_out(tmp_path: Path, clock: list[float]) -> None:
    seen = []
    for _ in range(sa.LOCK_AFTER):
        claim = sa.attempt(ACCOUNT, "10.0.0.1", tmp_path)
        assert claim.allowed
        seen.append((claim.failures, claim.wait, claim.locked))
        if claim.wait:
            too_soon = sa.attempt(ACCOUNT, "10.0.0.1", tmp_path)
            assert not too_soon.allowed and too_soon.failures == claim.failures  # refused, not counted
        if not claim.locked:
            clock[0] += claim.wait
    assert seen == [(1, 0.0, False), (2, 2.0, False), (3, 4.0, False), (4, 8.0, False), (5, sa.LOCK_S, True)]
    # Locked for every connection, and another address is not.
    assert sa.status(ACCOUNT, "10.0.0.1", tmp_path).locked
    assert sa.status(ACCOUNT, "10.0.0.2", tmp_path).allowed
    clock[0] += sa.LOCK_S - 1
    assert not sa.attempt(ACCOUNT, "10.0.0.1", tmp_path).allowed
    clock[0] += 2  # the lock and the failures are forgotten 15 minutes after the last one
    claim = sa.attempt(ACCOUNT, "10.0.0.1", tmp_path)
    assert claim.allowed and claim.failures == 1


def test_a_right_password_clears_the_account(tmp_path: Path, clock: list[float]) -> None:
    sa.attempt(ACCOUNT, "a", tmp_path)
    sa.attempt(ACCOUNT, "a", tmp_path)
    assert sa.status(ACCOUNT, "a", tmp_path).wait == 2.0
    sa.succeeded(ACCOUNT, tmp_path)
    assert sa.status(ACCOUNT, "a", tmp_path) == sa.Attempt(True, 0, 0.0, False)
    assert sa.path(tmp_path).parent == tmp_path / "joblog"  # beside the audit log


def test_many_sources_together_lock_the_account(tmp_path: Path, clock: list[float]) -> None:
    allowed = [sa.attempt(ACCOUNT, f"10.0.1.{i}", tmp_path).allowed for i in range(sa.ACCOUNT_LOCK_AFTER + 3)]
    assert allowed == [True] * sa.ACCOUNT_LOCK_AFTER + [False] * 3
    assert sa.status(ACCOUNT, "192.0.2.1", tmp_path).locked  # a new address too
    assert sa.status("another-account", "192.0.2.1", tmp_path).allowed


# Several processes claiming at once, on one frozen clock: each claim is one write transaction, so the
# counts come out exact whatever the interleaving.
CLAIMS = """
import sys
from pathlib import Path
from joblog_dash.data import signin_attempts as sa
sa.now = lambda: 1_000_000.0
folder, first, count, same = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "same"
for i in range(first, first + count):
    claim = sa.attempt("administrator", "one" if same else f"source-{i}", folder)
    print(int(claim.allowed))
"""


def _claims_in_parallel(folder: Path, processes: int, each: int, same: bool) -> list[int]:
    running = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIMS, str(folder), str(p * each), str(each), "same" if same else "many"],
            cwd=PACKAGE_ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for p in range(processes)
    ]
    answers = []
    for process in running:
        out, _ = process.communicate(timeout=120)
        assert process.returncode == 0
        answers += [int(line) for line in out.split()]
    return answers


def test_parallel_guesses_from_several_processes_are_counted_one_by_one(tmp_path: Path) -> None:
    # One source, 4 processes × 5 claims at the same instant: the first is free, the second sets a wait of
    # 2 s, so exactly two are heard.
    assert sorted(_claims_in_parallel(tmp_path / "one", 4, 5, same=True)) == [0] * 18 + [1] * 2
    # 32 sources at once: the 20th failure locks the account, the rest are refused.
    answers = _claims_in_parallel(tmp_path / "many", 4, 8, same=False)
    assert sum(answers) == sa.ACCOUNT_LOCK_AFTER and len(answers) == 32
