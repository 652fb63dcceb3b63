"""`make load`: 20 concurrent browser sessions walking the app on 127.0.0.1 for a bounded time.

    python -m bench.load [--scale demo] [--sessions 20] [--seconds 60] [--max-steps 40]

Each session is its own browser context (own cookies and websocket, like a separate user) in one Chromium.
It opens a page, then repeatedly changes the month or the benefit group, or moves to another page keeping
the filters in the URL. Every interaction is timed until the app is idle with its charts drawn. Reports
p50/p95 latency, errors (timeouts, exceptions shown on the page) and the server's memory over time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import async_playwright

from bench import browser, common


async def _session(
    index: int, ctx_browser: object, url: str, plan: dict, deadline: float, max_steps: int
) -> tuple[list[tuple[str, float]], list[str]]:
    rng = random.Random(index)
    samples: list[tuple[str, float]] = []
    errors: list[str] = []
    context = await ctx_browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    page = await context.new_page()
    paths = plan["paths"]
    path = paths[index % len(paths)]
    try:
        samples.append(("open", await browser.open_page(page, f"{url}/{path}", timeout_ms=120_000)))
    except Exception as exc:  # noqa: BLE001 - counted and reported
        errors.append(f"session {index}: open failed: {type(exc).__name__}")
        max_steps = 0
    try:
        for _ in range(max_steps):
            if time.monotonic() > deadline:
                break
            roll = rng.random()
            try:
                has_month = await browser.month_box(page, plan["month_label"]).count() > 0
                has_group = await browser.month_box(page, plan["group_label"]).count() > 0
                if roll < 0.5 and has_month:
                    option = rng.choice(plan["months"])
                    samples.append(("month", await browser.choose(page, plan["month_label"], option)))
                elif roll < 0.7 and has_group:
                    option = rng.choice(plan["groups"])
                    samples.append(("group", await browser.choose(page, plan["group_label"], option)))
                else:
                    path = rng.choice([p for p in paths if p != path] or paths)
                    query = urlsplit(page.url).query
                    samples.append(("page", await browser.open_page(page, f"{url}/{path}?{query}")))
                if await browser.exceptions(page):
                    errors.append(f"session {index}: exception shown on {page.url}")
                    await page.goto(f"{url}/{path}")
            except Exception as exc:  # noqa: BLE001 - every failure is counted and reported
                errors.append(f"session {index}: {type(exc).__name__}: {str(exc).splitlines()[0][:160]}")
                try:
                    await browser.open_page(page, f"{url}/{path}")
                except Exception as again:  # noqa: BLE001
                    errors.append(f"session {index}: reload failed: {type(again).__name__}")
                    break
    finally:
        await context.close()
    return samples, errors


async def _memory_sampler(server: common.Server, every: float, out: list[dict]) -> None:
    start = time.monotonic()
    while True:
        out.append({"t_s": round(time.monotonic() - start, 1), **server.memory()})
        await asyncio.sleep(every)


async def drive(server: common.Server, plan: dict, sessions: int, seconds: float, max_steps: int) -> dict:
    memory: list[dict] = []
    async with async_playwright() as playwright:
        chromium = await browser.launch(playwright)
        sampler = asyncio.create_task(_memory_sampler(server, 2.0, memory))
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        try:
            results = await asyncio.gather(
                *(_session(i, chromium, server.url, plan, deadline, max_steps) for i in range(sessions))
            )
        finally:
            sampler.cancel()
            await chromium.close()
    elapsed = time.monotonic() - started
    samples = [s for session, _ in results for s in session]
    errors = [e for _, session_errors in results for e in session_errors]
    by_kind = {
        kind: common.summary([t for k, t in samples if k == kind]) for kind in sorted({k for k, _ in samples})
    }
    interactions = [t for k, t in samples if k != "open"]
    return {
        "sessions": sessions,
        "seconds": round(elapsed, 1),
        "interactions": common.summary(interactions) if interactions else None,
        "by_kind": by_kind,
        "errors": len(errors),
        "error_examples": errors[:10],
        "memory_over_time": memory,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="load", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="demo")
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--max-steps", type=int, default=40, help="interactions per session at most")
    parser.add_argument("--out", default=str(common.BENCH_DATA / "load_results.json"))
    args = parser.parse_args(argv)

    from joblog_dash import fmt, queries, reference
    from joblog_dash.strings import t

    data = common.ensure_data(args.scale)
    db = queries.open_db(data)
    plan = {
        "paths": [url for _script, url in common.page_paths()],
        "month_label": t("filter_month"),
        "group_label": t("filter_group"),
        "months": [fmt.month_short(m) for m in queries.months(db)[-36:]],
        "groups": [reference.group_label(g) for g in queries.benefit_groups(db)],
    }
    log = common.BENCH_DATA / "server-load.log"
    server = common.start_server(data, log=log)
    try:
        # A running server has served every page before: warm it once, as `make bench` does.
        asyncio.run(browser.visit_all(server.url, plan["paths"]))
        before = server.memory()
        result = asyncio.run(drive(server, plan, args.sessions, args.seconds, args.max_steps))
        after = server.memory()
    finally:
        server.stop()
    result = {
        "machine": common.machine(),
        "scale": args.scale,
        "rss_before": before,
        "rss_after": after,
        **result,
    }
    Path(args.out).write_text(json.dumps(result, indent=2), encoding="utf-8")
    i = result["interactions"] or {"median_ms": float("nan"), "p95_ms": float("nan"), "n": 0}
    print(
        f"{args.sessions} sessions for {result['seconds']} s on {args.scale} data: {i['n']} interactions, "
        f"p50 {i['median_ms']:.0f} ms, p95 {i['p95_ms']:.0f} ms (goal 2000), errors {result['errors']} (goal 0)"
    )
    for kind, s in result["by_kind"].items():
        print(f"  {kind:6} n={s['n']:4}  p50 {s['median_ms']:7.0f} ms  p95 {s['p95_ms']:7.0f} ms")
    print(
        f"server RSS before {before['rss_mb']:.0f} MB, after {after['rss_mb']:.0f} MB "
        f"(peak {after['peak_rss_mb']:.0f} MB); load average {result['machine']['load_average']}"
    )
    for example in result["error_examples"]:
        print("  error:", example)
    print(f"Written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
