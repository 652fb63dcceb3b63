"""`make bench`: measure the data layer, the pages, the server and the browser against the budgets.

    python -m bench.run [--scales demo,full,stress] [--quick] [--no-browser] [--no-pages] [--out FILE]

Prints a table and writes bench/results.json. Budgets are goals reported against, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from bench import common, query_bench, report

BUDGETS = {
    "query_median_ms_full": 50,
    "query_ratio_to_floor_full": 2.0,
    "page_rerun_median_ms_demo": 150,
    "page_ratio_to_bare_demo": 3.0,
    "browser_p95_ms": 700,
    "server_rss_mb_demo": 300,
    "server_rss_mb_full": 600,
    # The goal table (demo data): printed by report.goals, one line per figure. Browser figures are also
    # judged against the stack's floor measured in the same run (bench/floor_app.py).
    "change_redrawn_median_ms": 400,
    "change_redrawn_p95_ms": 700,
    "change_p95_floor_ratio": 2.0,
    "shared_link_p95_ms": 1500,
    "shared_link_floor_ratio": 1.5,
    "unseen_rerun_median_ms": 100,
    "unseen_rerun_max_ms": 250,
    "worker_rss_mb": 350,
    "heatmap_spec_kb": 150,
}
CHANGE_MONTHS = 24  # the browser cycles through the latest months


@dataclass(frozen=True)
class Settings:
    query_repeats: int = 30
    reruns: int = 12
    warmup: int = 3
    month_changes: int = 10
    browser_changes: int = 24
    page_changes: int = 10  # per page, for "widget change -> every chart redrawn"
    shared_links: int = 3  # per page, each with a month of its own, in a new session
    pages: bool = True
    browser: bool = True

    @classmethod
    def quick(cls, pages: bool = True, browser: bool = True) -> Settings:
        return cls(3, 3, 1, 2, 3, 2, 1, pages, browser)


def measure_server(data: Path, settings: Settings, log: Path) -> dict[str, object]:
    """One server (one worker): RSS after visiting every page; the filter-change latency on Overblik; on
    every page, month changes until every chart is redrawn; shared links opened in new sessions."""
    from joblog_dash.data import queries, warehouse
    from joblog_dash.text import fmt
    from joblog_dash.text.strings import t

    all_months = queries.months(warehouse.open_db(data))[::-1]
    months = all_months[:CHANGE_MONTHS]
    options = [fmt.month_short(m) for m in months[1:]] + [fmt.month_short(months[0])]
    server = common.start_server(data, log=log)
    try:
        started = server.memory()
        paths = [url for _script, url in common.page_paths()]
        visits = asyncio.run(_visit(server.url, paths))
        after_pages = server.memory()
        try:  # one part timing out must not cost the others' figures
            samples = asyncio.run(_changes(server.url, t("filter_month"), options, settings.browser_changes))
        except Exception as exc:  # noqa: BLE001 - reported in the results
            samples = f"error: {type(exc).__name__}: {exc}"[:300]
        after_changes = server.memory()
        from bench import browser

        per_page = asyncio.run(
            browser.page_changes(server.url, paths, t("filter_month"), options, settings.page_changes)
        )
        # Shared links: every page with months of its own, older than the ones changed to above.
        older = all_months[CHANGE_MONTHS:]
        links = [
            f"{path}?maaned={fmt.month_key(older[(i * settings.shared_links + k) % len(older)])}"
            for i, path in enumerate(paths)
            for k in range(settings.shared_links)
        ]
        opened = asyncio.run(browser.shared_links(server.url, links))
        floor = measure_floor(data, t("filter_month"), options, settings, len(links))
        return {
            "rss_started": started,
            "rss_after_every_page": after_pages,
            "page_load_s": visits,
            "filter_change": common.summary(samples) if isinstance(samples, list) else samples,
            "rss_after_changes": after_changes,
            "page_changes": {
                path: common.summary(v) if isinstance(v, list) and v else v for path, v in per_page.items()
            },
            "shared_links_s": opened,
            "shared_link": common.summary(loads)
            if (loads := [v for v in opened.values() if isinstance(v, float)])
            else None,
            "rss_at_end": server.memory(),
            "floor": floor,
        }
    finally:
        server.stop()


def measure_floor(
    data: Path, label: str, options: list[str], settings: Settings, links: int
) -> dict[str, object]:
    """bench/floor_app.py (one selectbox, one small chart) timed as the pages are: the stack's floor."""
    from bench import browser

    log = common.BENCH_DATA / "server-floor.log"
    server = common.start_server(
        data, log=log, script="bench/floor_app.py", env={"JOBLOG_FLOOR_OPTIONS": json.dumps(options)}
    )
    try:
        found: dict[str, object] = {}
        try:
            samples = asyncio.run(
                browser.filter_changes(server.url, "", label, options, settings.page_changes)
            )
            found["change"] = common.summary(samples)
        except Exception as exc:  # noqa: BLE001 - reported in the results
            found["change"] = f"error: {type(exc).__name__}: {exc}"[:300]
        opened = asyncio.run(browser.shared_links(server.url, [f"?n={i}" for i in range(links)]))
        loads = [v for v in opened.values() if isinstance(v, float)]
        found["shared_link"] = common.summary(loads) if loads else opened
        return found
    finally:
        server.stop()


async def _visit(url: str, paths: list[str]) -> dict[str, float]:
    from bench import browser

    return await browser.visit_all(url, paths)


async def _changes(url: str, label: str, options: list[str], n: int) -> list[float]:
    from bench import browser

    return await browser.filter_changes(url, "", label, options, n)


def measure_scale(scale: str, data: Path, settings: Settings) -> dict[str, object]:
    print(f"[{scale}] queries ...", flush=True)
    result: dict[str, object] = {"data_dir": str(data), "load_average_start": os.getloadavg()[:3]}
    result.update(query_bench.run(data, repeats=settings.query_repeats))
    if settings.pages:
        from bench import page_bench

        print(f"[{scale}] page reruns (AppTest) ...", flush=True)
        result["pages"] = page_bench.run(
            data, reruns=settings.reruns, warmup=settings.warmup, changes=settings.month_changes
        )
    if settings.browser:
        print(f"[{scale}] server memory and browser ...", flush=True)
        log = common.BENCH_DATA / f"server-{scale}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        try:
            result["server"] = measure_server(data, settings, log)
        except Exception as exc:  # noqa: BLE001 - reported, and the other figures are kept
            result["server"] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
    result["load_average_end"] = os.getloadavg()[:3]
    return result


def _write(out: Path, results: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.is_file():  # `make load` and `make soak` write their parts of the same file
        earlier = json.loads(out.read_text(encoding="utf-8"))
        results = {**{k: earlier[k] for k in ("load", "soak") if k in earlier}, **results}
    out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="demo,full", help="comma-separated: demo, full, stress")
    parser.add_argument("--quick", action="store_true", help="few repeats (checks the harness, not speed)")
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-pages", action="store_true")
    parser.add_argument("--out", default=str(common.ROOT / "bench" / "results.json"))
    parser.add_argument("--repeats", type=int, help="query repeats (default 30; fewer for stress)")
    parser.add_argument("--merge", action="store_true", help="update the scales of an existing results file")
    parser.add_argument("--page-changes", type=int, help="browser month changes per page (default 10)")
    parser.add_argument("--links", type=int, help="shared links opened per page (default 3)")
    args = parser.parse_args(argv)
    pages, browser = not args.no_pages, not args.no_browser
    settings = Settings.quick(pages, browser) if args.quick else Settings(pages=pages, browser=browser)
    if args.repeats:
        settings = replace(settings, query_repeats=args.repeats)
    if args.page_changes:
        settings = replace(settings, page_changes=args.page_changes)
    if args.links:
        settings = replace(settings, shared_links=args.links)
    started = time.perf_counter()
    results = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": common.machine(),
        "settings": asdict(settings),
        "budgets": BUDGETS,
        "scales": {},
    }
    for scale in [s.strip() for s in args.scales.split(",") if s.strip()]:
        measured = measure_scale(scale, common.ensure_data(scale), settings)
        if args.merge and Path(args.out).is_file():
            # Keep the other scales and, for this scale, the parts not measured now (e.g. --no-pages).
            earlier = json.loads(Path(args.out).read_text(encoding="utf-8"))
            results["scales"] = {**earlier.get("scales", {}), **results["scales"]}
            measured = {**earlier.get("scales", {}).get(scale, {}), **measured}
        results["scales"][scale] = measured
        results["seconds"] = round(time.perf_counter() - started, 1)
        _write(Path(args.out), results)  # after every scale, so a late failure keeps the earlier figures
    out = Path(args.out)
    print(report.table(results))
    print(report.goals(results))
    print(f"\nWritten to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
