"""`make load`: 20 concurrent sessions walking the app on 127.0.0.1 for a bounded time.

    python -m bench.load [--scale demo] [--sessions 20] [--seconds 60] [--max-steps 200]
                         [--think 2,6] [--browsers]

Each session is a websocket client speaking Streamlit's own protocol (bench/stclient.py), so the figures
measure the server, not twenty browsers on the same two cores. A session opens a page with filters in the
URL, then walks: picks another month, benefit group or area in the sidebar selectboxes (a rerun with the
widget's new value, as the browser sends it), follows a page link keeping the filters (the target's
page_script_hash), or pastes a link with other filters (a new query string). Between clicks it waits a
random think time. An interaction is timed from sending the rerun until `script_finished`. Errors are
exception elements, a compile-error finish, a closed websocket and a timeout.

Reports p50/p95/max latency, errors, and the server's RSS before (warmed up), with every session connected,
after they have gone, and its peak; writes them under "load" in bench/results.json (other parts kept) and
the RSS samples in bench/data/load_results.json. `--browsers` runs the old Chromium walk instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench import common
from bench.stclient import ProtocolError, RunResult, StreamlitClient

RESULTS = common.ROOT / "bench" / "results.json"
GOALS = {"p95_ms": 2000, "errors": 0}


@dataclass(frozen=True)
class Plan:
    """What the sessions may choose: page paths, month keys, group and area keys, widget labels."""

    paths: list[str]
    months: list[str]
    groups: list[str]
    areas: list[str]
    month_label: str
    group_label: str
    area_label: str

    def query(self, rng: random.Random) -> str:
        return urlencode(
            {
                "maaned": rng.choice(self.months),
                "gruppe": rng.choice(self.groups),
                "omraade": rng.choice(self.areas),
            }
        )


@dataclass
class SessionLog:
    samples: list[tuple[str, float]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_alerts: int = 0
    bytes_received: int = 0


def _check(log: SessionLog, index: int, kind: str, result: RunResult, where: str) -> None:
    log.samples.append((kind, result.seconds))
    log.bytes_received += result.bytes_received
    log.error_alerts += result.error_alerts
    if result.status != "FINISHED_SUCCESSFULLY":
        log.errors.append(f"session {index}: {kind} on {where!r} finished {result.status}")
    for exc in result.exceptions:
        log.errors.append(f"session {index}: exception on {where!r}: {exc}")


async def _step(client: StreamlitClient, plan: Plan, rng: random.Random) -> tuple[str, RunResult]:
    """One click of the walk, chosen the way a user of the sidebar and the page links would."""
    roll = rng.random()
    widgets = (
        (plan.month_label, 0.35, "month"),
        (plan.group_label, 0.15, "group"),
        (plan.area_label, 0.15, "area"),
    )
    edge = 0.0
    for label, share, kind in widgets:
        edge += share
        box = client.selectboxes.get(label)
        if roll < edge and box and len(box.options) > 1:
            return kind, await client.choose(label, rng.choice(box.options))
    if roll < 0.9:
        target = rng.choice([p for p in client.pages if p != client.page] or list(client.pages))
        return "page", await client.goto(target)
    return "link", await client.set_query(plan.query(rng))


async def _session(
    index: int, url: str, plan: Plan, deadline: float, max_steps: int, think: tuple[float, float],
    walked: asyncio.Event, done: asyncio.Event,
) -> SessionLog:  # fmt: skip
    rng = random.Random(index)
    log = SessionLog()
    client = StreamlitClient(url, timeout=60)
    page = plan.paths[index % len(plan.paths)]
    try:
        await asyncio.sleep(rng.uniform(0, think[1]))  # users do not all arrive in the same millisecond
        await client.connect()
        _check(log, index, "open", await client.open(page, plan.query(rng)), page)
        for _ in range(max_steps):
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() > deadline:
                break
            try:
                kind, result = await _step(client, plan, rng)
                _check(log, index, kind, result, client.page)
            except (ProtocolError, OSError) as exc:
                log.errors.append(f"session {index}: {type(exc).__name__}: {exc}"[:200])
                await client.close()  # a browser would reconnect and reload the page
                client = StreamlitClient(url, timeout=60)
                await client.connect()
                _check(log, index, "open", await client.open(page, plan.query(rng)), page)
        walked.set()
        await done.wait()  # stay connected until the server's memory with every session is measured
    except (ProtocolError, OSError) as exc:
        log.errors.append(f"session {index}: gave up: {type(exc).__name__}: {exc}"[:200])
    finally:
        walked.set()
        await client.close()
    return log


async def _memory_sampler(server: common.Server, every: float, out: list[dict]) -> None:
    start = time.monotonic()
    while True:
        out.append({"t_s": round(time.monotonic() - start, 1), **server.memory()})
        await asyncio.sleep(every)


async def drive(
    server: common.Server,
    plan: Plan,
    sessions: int,
    seconds: float,
    max_steps: int,
    think: tuple[float, float],
) -> dict:
    memory: list[dict] = []
    sampler = asyncio.create_task(_memory_sampler(server, 1.0, memory))
    done = asyncio.Event()
    started = time.monotonic()
    deadline = started + seconds
    walked = [asyncio.Event() for _ in range(sessions)]
    tasks = [
        asyncio.create_task(_session(i, server.url, plan, deadline, max_steps, think, walked[i], done))
        for i in range(sessions)
    ]
    # The clicks in flight at the deadline finish (or time out after 60 s) before memory is read.
    await asyncio.wait([asyncio.create_task(w.wait()) for w in walked], timeout=seconds + 90)
    connected = server.memory()
    done.set()
    logs = await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    await asyncio.sleep(3)  # the server drops the sessions
    sampler.cancel()
    samples = [s for log in logs for s in log.samples]
    errors = [e for log in logs for e in log.errors]
    interactions = [t for k, t in samples if k != "open"]
    by_kind = {
        k: common.summary([t for kk, t in samples if kk == k]) for k in sorted({k for k, _ in samples})
    }
    return {
        "sessions": sessions,
        "seconds": round(elapsed, 1),
        "think_s": list(think),
        "interactions": {**common.summary(interactions), "max_ms": round(max(interactions) * 1000, 1)}
        if interactions
        else None,
        "by_kind": by_kind,
        "errors": len(errors),
        "error_examples": errors[:10],
        "error_alerts_shown": sum(log.error_alerts for log in logs),
        "mb_received": round(sum(log.bytes_received for log in logs) / 1e6, 1),
        "rss_connected": connected,
        "memory_over_time": memory,
    }


def merge_results(path: Path, key: str, value: dict) -> None:
    """Write one part of the results file, keeping every other part (`make bench` owns "scales")."""
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    results[key] = value
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


def table(result: dict) -> str:
    i = result["interactions"] or {
        "median_ms": float("nan"),
        "p95_ms": float("nan"),
        "max_ms": float("nan"),
        "n": 0,
    }
    before, connected, after = result["rss_before"], result["rss_connected"], result["rss_after"]
    peak = max([m["rss_mb"] for m in result.get("memory_over_time", [])] or [after["rss_mb"]])
    mark = "ok" if i["p95_ms"] <= GOALS["p95_ms"] else "OVER"
    lines = [
        f"{result['sessions']} {result['clients']} sessions for {result['seconds']} s on {result['scale']} data "
        f"(think {result.get('think_s')} s); load average {result['machine']['load_average']}",
        f"{'':8} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}",
    ]
    for kind, s in result["by_kind"].items():
        lines.append(f"{kind:8} {s['n']:>5} {s['median_ms']:>8.0f} {s['p95_ms']:>8.0f}")
    lines += [
        f"interactions {i['n']}: p50 {i['median_ms']:.0f} ms, p95 {i['p95_ms']:.0f} ms (goal ≤ {GOALS['p95_ms']}: "
        f"{mark}), max {i.get('max_ms', float('nan')):.0f} ms",
        f"errors {result['errors']} (goal 0: {'ok' if result['errors'] == 0 else 'OVER'})",
        f"server RSS: before {before['rss_mb']:.0f} MB, all sessions connected {connected['rss_mb']:.0f} MB, "
        f"after {after['rss_mb']:.0f} MB, peak sampled {peak:.0f} MB (VmHWM {after['peak_rss_mb']:.0f} MB)",
        f"per session: {result['per_session_mb']:.1f} MB ((connected - before) / sessions)",
    ]
    lines += [f"  error: {e}" for e in result["error_examples"]]
    return "\n".join(lines)


def _plan() -> Plan:
    from joblog_dash.data import queries, reference, warehouse
    from joblog_dash.text import fmt
    from joblog_dash.text.strings import t

    data = common.ensure_data("demo")
    db = warehouse.open_db(data)
    return Plan(
        paths=[url for _script, url in common.page_paths()],
        months=[fmt.month_key(m) for m in queries.months(db)[-36:]],
        groups=list(queries.benefit_groups(db)),
        areas=[a.key for a in reference.areas()],
        month_label=t("filter_month"),
        group_label=t("filter_group"),
        area_label=t("filter_area"),
    )


async def warm_up(url: str, paths: list[str]) -> None:
    """A running server has served every page before: one session visits each page once."""
    async with StreamlitClient(url, timeout=120) as client:
        for path in paths:
            await client.open(path)


def _browser_plan(plan: Plan) -> dict:
    from joblog_dash.data import reference
    from joblog_dash.text import fmt

    return {
        "paths": plan.paths,
        "month_label": plan.month_label,
        "group_label": plan.group_label,
        "months": [fmt.month_short(fmt.parse_month_key(m)) for m in plan.months],
        "groups": [reference.group_label(g) for g in plan.groups],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="load", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-steps", type=int, default=200, help="interactions per session at most")
    parser.add_argument("--think", default="2,6", help="think time between clicks: min,max seconds")
    parser.add_argument(
        "--browsers", action="store_true", help="Chromium contexts instead of websocket clients"
    )
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    think = tuple(float(x) for x in args.think.split(","))
    if len(think) != 2 or not 0 <= think[0] <= think[1]:
        parser.error("--think takes min,max seconds")

    plan = _plan()
    data = common.ensure_data(args.scale)
    server = common.start_server(data, log=common.BENCH_DATA / "server-load.log")
    try:
        if args.browsers:
            from bench import browser, load_browser

            asyncio.run(browser.visit_all(server.url, plan.paths))
            before = server.memory()
            result = asyncio.run(
                load_browser.drive(server, _browser_plan(plan), args.sessions, args.seconds, args.max_steps)
            )
            result["rss_connected"] = server.memory()
        else:
            asyncio.run(warm_up(server.url, plan.paths))
            time.sleep(2)
            before = server.memory()
            result = asyncio.run(drive(server, plan, args.sessions, args.seconds, args.max_steps, think))  # type: ignore[arg-type]
        after = server.memory()
    finally:
        server.stop()
    result = {
        "machine": common.machine(),
        "scale": args.scale,
        "clients": "chromium" if args.browsers else "websocket",
        "goals": GOALS,
        "rss_before": before,
        **result,
        "rss_after": after,
        "per_session_mb": round((result["rss_connected"]["rss_mb"] - before["rss_mb"]) / args.sessions, 2),
    }
    memory = result.pop("memory_over_time")
    samples = common.BENCH_DATA / "load_results.json"
    samples.write_text(json.dumps({**result, "memory_over_time": memory}, indent=2), encoding="utf-8")
    # results.json keeps a thinned RSS curve (every 5th sample): enough to see whether it levels off.
    result["rss_over_time"] = [[m["t_s"], m["rss_mb"]] for m in memory[::5]]
    result["rss_peak_sampled_mb"] = max([m["rss_mb"] for m in memory] or [after["rss_mb"]])
    merge_results(Path(args.out), "load", result)
    print(table({**result, "memory_over_time": memory}))
    print(f'Written to {args.out} ("load") and {samples}')
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
