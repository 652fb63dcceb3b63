"""Helpers shared by the page tests (AppTest): figure JSON with plotly's typed arrays decoded."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb
import numpy as np


def decode(value: Any) -> Any:
    """Plotly typed arrays ({"dtype": "f8", "bdata": "<base64>"}) become lists; everything else as is."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
            if "shape" in value:
                shape = [int(n) for n in str(value["shape"]).split(",")]
                array = array.reshape(shape)
            return array.tolist()
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def figure(at: Any, index: int = 0) -> dict[str, Any]:
    """The decoded figure JSON of the index-th plotly chart of an AppTest run."""
    return decode(json.loads(at.get("plotly_chart")[index].proto.spec))


def run_page(
    page: str | None = None, params: dict[str, str] | None = None, timeout: float = 60, check: bool = True
) -> Any:
    """An AppTest of app.py switched to `page` (None = Overblik) with `params` as the URL, run once.

    With check=True the run must raise no exception."""
    from streamlit.testing.v1 import AppTest

    from joblog_dash.config import PACKAGE_ROOT

    at = AppTest.from_file(str(PACKAGE_ROOT / "app.py"), default_timeout=timeout)
    if page:
        at.switch_page(page)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if check:
        assert not at.exception, at.exception
    return at


def section(key: str) -> dict[str, str]:
    """The URL parameter that opens a page's lazy section `key` (ui.layout.lazy_sections), as a shared
    link carries it: merge it into run_page's params."""
    from joblog_dash.text.strings import t
    from joblog_dash.ui.layout import SECTION_PARAM

    return {SECTION_PARAM: t(f"section_{key}")}


def chart_keys(at: Any) -> list[str]:
    """The element keys of the plotly charts of an AppTest run, in page order."""
    return [c.proto.id.split("-", 2)[-1] for c in at.get("plotly_chart")]


def figures(at: Any) -> list[dict[str, Any]]:
    """Every plotly chart of an AppTest run as decoded figure JSON."""
    return [figure(at, i) for i in range(len(at.get("plotly_chart")))]


def chart(at: Any, key: str) -> dict[str, Any]:
    """The decoded figure JSON of the plotly chart with element key `key` (exactly one must exist)."""
    found = [c for c in at.get("plotly_chart") if c.proto.id.endswith(f"-{key}")]
    assert len(found) == 1, [c.proto.id for c in at.get("plotly_chart")]
    return decode(json.loads(found[0].proto.spec))


T = TypeVar("T")


def outside_event_loop(function: Callable[[], T]) -> T:
    """Run `function` in a fresh thread and return its result (or raise its exception).

    pytest-playwright keeps an asyncio loop running in the main thread for the whole session once a
    browser test has run; `asyncio.run` and Playwright's sync API refuse to start inside it.
    """
    outcome: dict[str, object] = {}

    def target() -> None:
        try:
            outcome["value"] = function()
        except BaseException as exc:  # re-raised in the calling thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="outside-event-loop")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["value"]  # type: ignore[return-value]


def muni_counts(
    facts: Any, group: str, codes: list[int] | None = None
) -> dict[tuple[int, Any], tuple[int, int]]:
    """(municipality, month) -> (persons, persons_0) summed straight from the parquet file with DuckDB,
    independent of queries.py (the expected values of the view tests)."""
    where = "" if codes is None else f"AND municipality_code IN ({', '.join(str(int(c)) for c in codes)})"
    rows = (
        duckdb.connect()
        .execute(
            f"""SELECT municipality_code, month, sum(persons), sum(persons_0) FROM read_parquet('{facts}')
            WHERE benefit_group = $grp {where} GROUP BY ALL""",
            {"grp": group},
        )
        .fetchall()
    )
    return {(int(code), month): (int(n), int(none)) for code, month, n, none in rows}


def small(count: int) -> bool:
    """A count the disclosure rule never shows: 1–4."""
    return 1 <= count <= 4


def rests_on_small(persons: int, none: int) -> bool:
    """A share joblogged of these counts would show (or let one recover) a count of 1–4."""
    return small(persons) or small(none) or small(persons - none)


def share_shown(persons: int, parts: tuple[int, int, int]) -> bool:
    """Whether the disclosure rule (analysis/privacy.py's docstring, re-implemented here) shows the share
    joblogged of a municipality with `persons` and parts (0, 1–5, 6+ job searches) exactly: 5+ persons, 5+
    with and 5+ without job search (0–4 either way, 0 included, gives a bound instead), and persons_0 not
    hidden — a part of 1–4 is hidden with the next-smallest parts until the hidden parts are two or more and
    sum to 5 or more."""
    if persons < 5 or persons - parts[0] < 5 or parts[0] < 5:
        return False
    hidden = [small(p) for p in parts]
    while any(hidden) and not (
        sum(hidden) >= 2 and sum(p for p, h in zip(parts, hidden, strict=True) if h) >= 5
    ):
        left = [i for i, (p, h) in enumerate(zip(parts, hidden, strict=True)) if not h and p > 0]
        if not left:
            break
        hidden[min(left, key=lambda i: parts[i])] = True
    return not hidden[0]


def full_disk_for_current(monkeypatch: Any) -> None:
    """Make writing a data directory's CURRENT pointer fail as on a full disk; every other write goes through."""
    import errno

    from joblog_dash.data import store

    real = store._atomic_write_text

    def write(path: Any, text: str) -> None:
        if path.name == "CURRENT":
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, text)

    monkeypatch.setattr(store, "_atomic_write_text", write)
