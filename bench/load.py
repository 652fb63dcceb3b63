"""`make load` / `make soak`: concurrent sessions walking the app on 127.0.0.1 for a bounded time.

    python -m bench.load [--serve [--workers N]] [--sessions 20[,60]] [--seconds 60] [--soak]
                         [--stall-after 30] [--scale demo] [--max-steps 200] [--think 2,6] [--browsers]

Without --serve the sessions talk to one server process (`make run`'s way); with --serve the deploy
supervisor starts N workers (default: number of cores) behind HAProxy and the sessions talk to the proxy,
each keeping the sticky cookie a browser would get (`make load`, `make soak`). Several session counts run
one after the other against the same warmed-up server(s). --soak (`make soak`: 20 sessions, 10 minutes)
adds a watchdog: an interaction still unanswered after --stall-after seconds (30) dumps every thread of
every worker (`py-spy dump --native`, else SIGUSR1 to deploy/worker.py's faulthandler), ends the run and
fails it (exit 1); the summed RSS, sampled every second, is reported as flat or growing.

Each session is a websocket client speaking Streamlit's own protocol (bench/stclient.py), so the figures
measure the server, not twenty browsers on the same two cores. A session opens a page with filters in the
URL, then walks: picks another month, benefit group or area in the sidebar selectboxes (a rerun with the
widget's new value, as the browser sends it), follows a page link keeping the filters (the target's
page_script_hash), or pastes a link with other filters (a new query string). Between clicks it waits a
random think time. An interaction is timed from sending the rerun until `script_finished`. Errors are
exception elements, a compile-error finish, a closed websocket and a timeout.

Reports p50/p95/max latency against issue 11's goals (20 sessions p95 <= 1 s, 60 sessions p95 <= 2.5 s, 0
errors; soak: no stall, RSS flat), errors, and the workers' RSS (summed and per worker) before (warmed up),
with every session connected, after they have gone, and the peak; writes them with the worker count under
"load" (one entry per session count) or "soak" in bench/results.json (other parts kept) and the RSS
samples in bench/data/. `--browsers` runs the old Chromium walk instead.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

from bench import common, targets
from bench.stclient import ProtocolError, RunResult, StreamlitClient

RESULTS = common.ROOT / "bench" / "results.json"
# Issue 11: p95 of the interactions by number of sessions (think 2-6 s), and 0 errors.
P95_GOALS_MS = {20: 1000, 60: 2500, 120: 2500}
WORKER_RSS_GOAL_MB = 350  # each worker with 60 sessions connected
SOAK_GOALS = {"stall_after_s": 30, "rss": "flat", "errors": 0}


def p95_goal(sessions: int) -> int:
    """The goal of the smallest goal's session count at or above `sessions` (the largest beyond them)."""
    return next(
        (P95_GOALS_MS[n] for n in sorted(P95_GOALS_MS) if n >= sessions), P95_GOALS_MS[max(P95_GOALS_MS)]
    )


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
    busy_since: float | None = None  # an interaction in flight since (the stall watchdog reads it)


async def _interact(log: SessionLog, coro):  # noqa: ANN001, ANN202 - any awaitable, its result
    log.busy_since = time.monotonic()
    try:
        return await coro
    finally:
        log.busy_since = None


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
    index: int, log: SessionLog, url: str, plan: Plan, deadline: float, max_steps: int,
    think: tuple[float, float], sticky: bool, walked: asyncio.Event, done: asyncio.Event, stop: asyncio.Event,
) -> SessionLog:  # fmt: skip
    rng = random.Random(index)
    client = StreamlitClient(url, timeout=60, sticky=sticky)
    page = plan.paths[index % len(plan.paths)]
    try:
        await asyncio.sleep(rng.uniform(0, think[1]))  # users do not all arrive in the same millisecond
        await client.connect()
        _check(log, index, "open", await _interact(log, client.open(page, plan.query(rng))), page)
        for _ in range(max_steps):
            await asyncio.sleep(rng.uniform(*think))
            if time.monotonic() > deadline or stop.is_set():
                break
            try:
                kind, result = await _interact(log, _step(client, plan, rng))
                _check(log, index, kind, result, client.page)
            except (ProtocolError, OSError) as exc:
                log.errors.append(f"session {index}: {type(exc).__name__}: {exc}"[:200])
                await client.close()  # a browser would reconnect (with its cookies) and reload the page
                cookies = client.cookies
                client = StreamlitClient(url, timeout=60, sticky=sticky)
                client.cookies = cookies
                await client.connect()
                _check(log, index, "open", await _interact(log, client.open(page, plan.query(rng))), page)
        walked.set()
        await done.wait()  # stay connected until the server's memory with every session is measured
    except (ProtocolError, OSError) as exc:
        log.errors.append(f"session {index}: gave up: {type(exc).__name__}: {exc}"[:200])
    finally:
        walked.set()
        await client.close()
    return log


async def _watchdog(
    logs: list[SessionLog], stall_after: float, target: object, started: float, stop: asyncio.Event, out: list
) -> None:
    """The first interaction unanswered after `stall_after` s: dump every worker's threads, end the run."""
    while True:
        await asyncio.sleep(1.0)
        now = time.monotonic()
        stuck = [(i, now - log.busy_since) for i, log in enumerate(logs) if log.busy_since]
        stuck = [(i, waited) for i, waited in stuck if waited > stall_after]
        if stuck:
            pids = target.pids()  # type: ignore[attr-defined]
            print(
                f"STALL: sessions {[i for i, _ in stuck]} waiting > {stall_after:.0f} s; dumping {pids}",
                flush=True,
            )
            dumps = await asyncio.to_thread(
                targets.dump_stacks,
                pids,
                common.BENCH_DATA,
                targets.stamp(),
                target.proxy,  # type: ignore[attr-defined]
            )
            out.append(
                {
                    "at_s": round(now - started, 1),
                    "sessions": [i for i, _ in stuck],
                    "waited_s": round(max(w for _, w in stuck), 1),
                    "worker_pids": pids,
                    "dumps": dumps,
                }
            )
            stop.set()
            return


async def _memory_sampler(server: targets.Direct | targets.Cluster, every: float, out: list[dict]) -> None:
    start = time.monotonic()
    while True:
        out.append({"t_s": round(time.monotonic() - start, 1), **server.memory()})
        await asyncio.sleep(every)


async def drive(
    server: targets.Direct | targets.Cluster,
    plan: Plan,
    sessions: int,
    seconds: float,
    max_steps: int,
    think: tuple[float, float],
    stall_after: float | None = None,
) -> dict:
    memory: list[dict] = []
    sampler = asyncio.create_task(_memory_sampler(server, 1.0, memory))
    done, stop = asyncio.Event(), asyncio.Event()
    started = time.monotonic()
    deadline = started + seconds
    walked = [asyncio.Event() for _ in range(sessions)]
    logs = [SessionLog() for _ in range(sessions)]
    stalls: list[dict] = []
    watchdog = (
        asyncio.create_task(_watchdog(logs, stall_after, server, started, stop, stalls))
        if stall_after
        else None
    )
    tasks = [
        asyncio.create_task(
            _session(
                i, logs[i], server.url, plan, deadline, max_steps, think, server.proxy, walked[i], done, stop
            )
        )
        for i in range(sessions)
    ]
    # The clicks in flight at the deadline finish (or time out after 60 s) before memory is read.
    await asyncio.wait([asyncio.create_task(w.wait()) for w in walked], timeout=seconds + 90)
    connected = server.memory()
    done.set()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    if watchdog:
        watchdog.cancel()
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
        "stall": stalls[0] if stalls else None,
        "memory_over_time": memory,
    }


def merge_results(path: Path, key: str, value: dict, sub: str | None = None) -> None:
    """Write one part of the results file, keeping every other part (`make bench` owns "scales"); with
    `sub`, one entry inside that part (the load runs by session count)."""
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    if sub is None:
        results[key] = value
    else:
        part = results.get(key)
        part = (
            part if isinstance(part, dict) and "sessions" not in part else {}
        )  # drop the old one-run layout
        results[key] = {**part, sub: value}
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


def _mark(ok: bool) -> str:
    return "ok" if ok else "OVER"


def table(result: dict) -> str:
    i = result["interactions"] or {
        "median_ms": float("nan"),
        "p95_ms": float("nan"),
        "max_ms": float("nan"),
        "n": 0,
    }
    before, connected, after = result["rss_before"], result["rss_connected"], result["rss_after"]
    peak = max([m["rss_mb"] for m in result.get("memory_over_time", [])] or [after["rss_mb"]])
    where = (
        f"{result['workers']} workers behind HAProxy" if result["proxy"] else "one server process, no proxy"
    )
    lines = [
        f"{result['mode']}: {result['sessions']} {result['clients']} sessions for {result['seconds']} s on "
        f"{result['scale']} data, {where} (think {result.get('think_s')} s); load average "
        f"{result['machine']['load_average']} at the start, {result['load_average_end']} at the end",
        f"{'':8} {'n':>5} {'p50 ms':>8} {'p95 ms':>8}",
    ]
    for kind, s in result["by_kind"].items():
        lines.append(f"{kind:8} {s['n']:>5} {s['median_ms']:>8.0f} {s['p95_ms']:>8.0f}")
    goal = result["goals"]["p95_ms"]
    lines += [
        f"interactions {i['n']}: p50 {i['median_ms']:.0f} ms, p95 {i['p95_ms']:.0f} ms (goal <= {goal} ms for "
        f"{result['goals']['p95_for_sessions']} sessions: {_mark(i['p95_ms'] <= goal)}), max "
        f"{i.get('max_ms', float('nan')):.0f} ms",
        f"errors {result['errors']} (goal 0: {_mark(result['errors'] == 0)})",
        f"RSS of the workers, summed: before {before['rss_mb']:.0f} MB, all sessions connected "
        f"{connected['rss_mb']:.0f} MB, after {after['rss_mb']:.0f} MB, peak sampled {peak:.0f} MB",
        f"RSS per worker: before {before['workers_mb']} MB, connected {connected['workers_mb']} MB, "
        f"after {after['workers_mb']} MB",
        f"per session: {result['per_session_mb']:.1f} MB ((connected - before) / sessions)",
    ]
    if result["sessions"] == 60:
        worst = max(connected["workers_mb"])
        lines.append(
            f"largest worker with 60 sessions connected: {worst:.0f} MB (goal <= {WORKER_RSS_GOAL_MB} MB: "
            f"{_mark(worst <= WORKER_RSS_GOAL_MB)})"
        )
    if result["mode"] == "soak":
        stall, trend = result["stall"], result["rss_trend"]
        lines.append(
            f"stall (an interaction > {result['stall_after_s']:.0f} s): "
            + (f"at {stall['at_s']} s, sessions {stall['sessions']}; dumps: {stall['dumps']} (goal none: OVER)"
               if stall else "none (goal none: ok)")
        )  # fmt: skip
        lines.append(
            f"RSS trend: {trend['verdict']} (goal flat: {_mark(trend['verdict'] == 'flat')}); "
            + ", ".join(f"{k} {v}" for k, v in trend.items() if k != "verdict")
        )
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


def _run_one(
    args: argparse.Namespace, server: targets.Direct | targets.Cluster, plan: Plan, sessions: int
) -> dict:
    think = tuple(float(x) for x in args.think.split(","))
    machine = common.machine()  # the load average before the run
    if args.browsers:
        from bench import browser, load_browser

        asyncio.run(browser.visit_all(server.url, plan.paths))
        before = server.memory()
        result = asyncio.run(
            load_browser.drive(server, _browser_plan(plan), sessions, args.seconds, args.max_steps)  # type: ignore[arg-type]
        )
        result["rss_connected"] = server.memory()
        result["stall"] = None
    else:
        time.sleep(2)
        before = server.memory()
        result = asyncio.run(
            drive(server, plan, sessions, args.seconds, args.max_steps, think, args.stall_after)  # type: ignore[arg-type]
        )
    after = server.memory()
    return {
        "mode": "soak" if args.soak else "load",
        "machine": machine,
        "scale": args.scale,
        "clients": "chromium" if args.browsers else "websocket",
        "workers": server.workers,
        "proxy": server.proxy,
        "goals": {"p95_ms": p95_goal(sessions), "p95_for_sessions": sessions, "errors": 0}
        | (SOAK_GOALS if args.soak else {}),
        "stall_after_s": args.stall_after,
        "rss_before": before,
        **result,
        "rss_after": after,
        "per_session_mb": round((result["rss_connected"]["rss_mb"] - before["rss_mb"]) / sessions, 2),
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
    }


def _record(result: dict, out: Path) -> None:
    memory = result.pop("memory_over_time")
    name = "soak" if result["mode"] == "soak" else f"load_{result['sessions']}"
    samples = common.BENCH_DATA / f"{name}_results.json"
    samples.parent.mkdir(parents=True, exist_ok=True)
    samples.write_text(json.dumps({**result, "memory_over_time": memory}, indent=2), encoding="utf-8")
    if result["mode"] == "soak":
        result["rss_trend"] = targets.rss_trend(memory)
    # results.json keeps a thinned RSS curve (every 5th sample): enough to see whether it levels off.
    result["rss_over_time"] = [[m["t_s"], m["rss_mb"]] for m in memory[::5]]
    result["rss_peak_sampled_mb"] = max([m["rss_mb"] for m in memory] or [result["rss_after"]["rss_mb"]])
    if result["mode"] == "soak":
        merge_results(out, "soak", result)
    else:
        merge_results(out, "load", result, sub=f"{result['sessions']}_sessions")
    print(table({**result, "memory_over_time": memory}))
    print(f'Written to {out} ("{result["mode"]}") and {samples}', flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="load", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--serve", action="store_true", help="N workers behind HAProxy (deploy/)")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="with --serve; default: cores"
    )
    parser.add_argument("--sessions", default=None, help="session count(s), comma-separated (default 20)")
    parser.add_argument("--seconds", type=float, default=None, help="per run (default 60; --soak: 600)")
    parser.add_argument(
        "--soak", action="store_true", help="a long run with the stall watchdog and RSS trend"
    )
    parser.add_argument("--stall-after", type=float, default=None, help="watchdog seconds (--soak: 30)")
    parser.add_argument("--max-steps", type=int, default=None, help="interactions per session at most")
    parser.add_argument("--think", default="2,6", help="think time between clicks: min,max seconds")
    parser.add_argument(
        "--browsers", action="store_true", help="Chromium contexts instead of websocket clients"
    )
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args(argv)
    think = tuple(float(x) for x in args.think.split(","))
    if len(think) != 2 or not 0 <= think[0] <= think[1]:
        parser.error("--think takes min,max seconds")
    counts = [int(n) for n in (args.sessions or "20").split(",")]
    args.seconds = args.seconds or (600.0 if args.soak else 60.0)
    args.max_steps = args.max_steps or (10_000 if args.soak else 200)
    if args.soak:
        args.stall_after = args.stall_after or SOAK_GOALS["stall_after_s"]
        if len(counts) != 1 or args.browsers:
            parser.error("--soak runs one session count over websocket clients")

    plan = _plan()
    data = common.ensure_data(args.scale)
    if args.serve:
        server: targets.Direct | targets.Cluster = targets.Cluster(
            data, args.workers, common.BENCH_DATA / "serve-run"
        )
    else:
        server = targets.Direct(data, log=common.BENCH_DATA / "server-load.log")
    failed = False
    try:
        # Every worker has served every page before (a running deployment has): one session per worker.
        asyncio.run(_warm_all(server.worker_urls(), plan.paths))
        for sessions in counts:
            result = _run_one(args, server, plan, sessions)
            _record(result, Path(args.out))
            failed = failed or bool(args.soak and result["stall"])
            if result["stall"]:
                break
    finally:
        server.stop()
    return 1 if failed else 0


async def _warm_all(urls: list[str], paths: list[str]) -> None:
    await asyncio.gather(*(warm_up(url, paths) for url in urls))


if __name__ == "__main__":
    raise SystemExit(main())
