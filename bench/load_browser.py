"""`make load --browsers`: the same walk in 20 Chromium contexts (measures the browsers on a small machine).

Kept for a machine with cores to spare: each session is its own browser context (own cookies and
websocket) in one Chromium, timed until the app is idle with its charts drawn. On the 2-core development
machine twenty renderers saturate the CPU before the server does (116 s to open the first page), so
`bench.load` drives protocol-level websocket clients by default (bench/stclient.py).
"""

from __future__ import annotations

import asyncio
import random
import time
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
