"""The printed table of a bench run, each figure beside its budget."""

from __future__ import annotations


def _mark(value: float | None, budget: float | None) -> str:
    if value is None or budget is None:
        return ""
    return "ok" if value <= budget else "OVER"


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if value >= 10 else f"{value:.2f}"
    return str(value)


def table(results: dict) -> str:
    budgets = results["budgets"]
    m = results["machine"]
    lines = [
        f"Machine: {m['cores']} cores, {m['memory_gb']} GB, {m['cpu']}; load average {m['load_average']}",
    ]
    for scale, r in results["scales"].items():
        full = scale == "full"
        lines += ["", f"== {scale}: {r['rows']:,} rows, open {r['open_s']:.2f} s ==", ""]
        lines.append(f"{'query':22} {'median ms':>10} {'p95 ms':>9} {'floor ms':>9} {'/floor':>7}  budget")
        for name, q in r["queries"].items():
            mark = ""
            if full:
                ok = q["median_ms"] <= budgets["query_median_ms_full"] and (
                    q["ratio_to_floor"] <= budgets["query_ratio_to_floor_full"]
                )
                mark = "ok" if ok else "OVER"
            lines.append(
                f"{name:22} {_fmt(q['median_ms']):>10} {_fmt(q['p95_ms']):>9} "
                f"{_fmt(q['floor_median_ms']):>9} {_fmt(q['ratio_to_floor']):>7}  {mark}"
            )
        if "pages" in r:
            lines += ["", f"{'page rerun':28} {'median ms':>10} {'p95 ms':>9} {'bare ms':>8} {'/bare':>6} "
                      f"{'month chg ms':>12} {'first ms':>9}  budget"]  # fmt: skip
            for script, p in r["pages"].items():
                if "error" in p:
                    lines.append(f"{script:28} ERROR {p['error'][:90]}")
                    continue
                mark = ""
                if scale == "demo":
                    ok = p["median_ms"] <= budgets["page_rerun_median_ms_demo"] and (
                        p["ratio_to_bare"] <= budgets["page_ratio_to_bare_demo"]
                    )
                    mark = "ok" if ok else "OVER"
                change = p["month_change"]["median_ms"] if p.get("month_change") else None
                lines.append(
                    f"{script:28} {_fmt(p['median_ms']):>10} {_fmt(p['p95_ms']):>9} {_fmt(p['bare_median_ms']):>8} "
                    f"{_fmt(p['ratio_to_bare']):>6} {_fmt(change):>12} {_fmt(p['first_run_ms']):>9}  {mark}"
                )
        if "server" in r and "error" in r["server"]:
            lines += ["", f"server/browser: ERROR {r['server']['error'][:100]}"]
        elif "server" in r:
            s = r["server"]
            rss = s["rss_after_every_page"]
            budget = budgets.get(f"server_rss_mb_{scale}")
            change = s["filter_change"]
            lines += [
                "",
                f"server RSS after every page: {rss['rss_mb']:.0f} MB (peak {rss['peak_rss_mb']:.0f} MB; "
                f"started {s['rss_started']['rss_mb']:.0f} MB; after changes {s['rss_after_changes']['rss_mb']:.0f} MB)"
                f"  budget {budget or '-'} MB {_mark(rss['peak_rss_mb'], budget)}",
                f"browser filter change -> charts redrawn: p50 {change['median_ms']:.0f} ms, p95 {change['p95_ms']:.0f} ms"
                f" (n={change['n']})  budget p95 {budgets['browser_p95_ms']} ms "
                f"{_mark(change['p95_ms'], budgets['browser_p95_ms'])}"
                if isinstance(change, dict)
                else f"browser filter change on Overblik: {change}",
            ]
        errors = {k: v for k, v in r.get("server", {}).get("page_load_s", {}).items() if isinstance(v, str)}
        if errors:
            lines.append(f"pages failing in the browser: {errors}")
        lines.append(f"load average during the run: {r['load_average_start']} -> {r['load_average_end']}")
    return "\n".join(lines)


def _ok(value: float | None, budget: float) -> str:
    return "" if value is None else ("ok" if value <= budget else "OVER")


def goals(results: dict) -> str:
    """The goal table, every figure `make bench` measures (load and soak: `make load`), per scale; the
    goals are set for demo data, and every browser figure is also given as a ratio to the stack's floor
    measured in the same run."""
    b = results["budgets"]
    lines: list[str] = []
    for scale, r in results["scales"].items():
        lines += [
            "",
            f"== goals, {scale} data (goals are for demo data; browser figures beside the floor) ==",
        ]
        server = r.get("server", {})
        changes = server.get("page_changes", {})
        floor = server.get("floor", {})
        floor_change = floor.get("change") if isinstance(floor.get("change"), dict) else None
        floor_link = floor.get("shared_link") if isinstance(floor.get("shared_link"), dict) else None
        change_goal = b["change_redrawn_p95_ms"]
        if floor_change:
            change_goal = min(change_goal, b["change_p95_floor_ratio"] * floor_change["p95_ms"])
        lines.append(
            f"widget change -> every chart redrawn (browser; goal p95 <= {b['change_p95_floor_ratio']:g} x the "
            f"floor's p95 and <= {b['change_redrawn_p95_ms']} ms, here {change_goal:.0f} ms):"
        )
        for path, s in changes.items():
            if isinstance(s, dict):
                ratio = f"  p95 {s['p95_ms'] / floor_change['p95_ms']:4.1f} x floor" if floor_change else ""
                lines.append(
                    f"  {path:24} median {s['median_ms']:7.0f}  p95 {s['p95_ms']:7.0f}  (n={s['n']}){ratio}  "
                    f"{_ok(s['p95_ms'], change_goal)}"
                )
            else:
                lines.append(f"  {path:24} {s}")
        if any("praesentation" in p for p in changes):
            lines.append(
                "  (praesentation: the 'Næste' button, its only widget; the sidebar is hidden there)"
            )
        if not changes:
            lines.append("  not measured (--no-browser or the server failed)")
        if floor_change:
            f = floor_change
            lines.append(
                f"  {'floor (bench/floor_app)':24} median {f['median_ms']:7.0f}  p95 {f['p95_ms']:7.0f}  "
                f"(n={f['n']})  Streamlit + one small chart, nothing of ours"
            )
        elif floor.get("change"):
            lines.append(f"  {'floor (bench/floor_app)':24} {floor['change']}")
        link = server.get("shared_link")
        if link:
            worst = max((v for v in server["shared_links_s"].values() if isinstance(v, float)), default=None)
            link_goal = b["shared_link_p95_ms"]
            ratio = ""
            if floor_link:
                link_goal = b["shared_link_floor_ratio"] * floor_link["p95_ms"]
                ratio = f", p95 {link['p95_ms'] / floor_link['p95_ms']:.1f} x floor"
            lines.append(
                f"open a shared link (new session) -> charts drawn: median {link['median_ms']:.0f} ms, "
                f"p95 {link['p95_ms']:.0f} ms, max {worst * 1000 if worst else 0:.0f} ms (n={link['n']}){ratio}  "
                f"goal p95 <= {link_goal:.0f} ms {_ok(link['p95_ms'], link_goal)}"
            )
            failed = {k: v for k, v in server["shared_links_s"].items() if isinstance(v, str)}
            if failed:
                lines.append(f"  failed links: {failed}")
            if floor_link:
                f = floor_link
                lines.append(
                    f"  floor (bench/floor_app): median {f['median_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms "
                    f"(n={f['n']}): a new browser loading Streamlit's frontend and plotly.js"
                )
        lines.append(
            f"server rerun with unseen filters (AppTest; goal median <= {b['unseen_rerun_median_ms']} ms, "
            f"max <= {b['unseen_rerun_max_ms']} ms):"
        )
        for script, p in r.get("pages", {}).items():
            change = p.get("month_change") if isinstance(p, dict) else None
            if not change:
                lines.append(
                    f"  {script:28} {p.get('error', 'no month filter')[:80] if isinstance(p, dict) else p}"
                )
                continue
            ok = (
                change["median_ms"] <= b["unseen_rerun_median_ms"]
                and change["max_ms"] <= b["unseen_rerun_max_ms"]
            )
            lines.append(
                f"  {script:28} median {change['median_ms']:7.0f}  max {change['max_ms']:7.0f}  (n={change['n']})  "
                f"{'ok' if ok else 'OVER'}"
            )
        rss = server.get("rss_after_every_page")
        if rss:
            lines.append(
                f"RSS of one worker after every page: {rss['rss_mb']:.0f} MB (peak {rss['peak_rss_mb']:.0f} MB; "
                f"{server['rss_at_end']['rss_mb']:.0f} MB after all browser runs)  goal <= {b['worker_rss_mb']} MB "
                f"{_ok(rss['peak_rss_mb'], b['worker_rss_mb'])}"
            )
        lines.append("bytes sent per page view (plotly figure specs, KB):")
        for script, p in r.get("pages", {}).items():
            if isinstance(p, dict) and "spec_bytes" in p:
                biggest = max(p["spec_bytes"].items(), key=lambda kv: kv[1], default=("-", 0))
                lines.append(
                    f"  {script:28} {p['spec_bytes_total'] / 1000:7.1f}  ({len(p['spec_bytes'])} charts; "
                    f"largest {biggest[0]} {biggest[1] / 1000:.1f})"
                )
                if "groups_heatmap" in p["spec_bytes"]:
                    kb = p["spec_bytes"]["groups_heatmap"] / 1000
                    lines.append(
                        f"  {'heat map (groups_heatmap)':28} {kb:7.1f}  goal <= {b['heatmap_spec_kb']} KB "
                        f"{_ok(kb, b['heatmap_spec_kb'])}"
                    )
        lines.append("20/60 sessions and the soak: `make load` (bench/load.py)")
    return "\n".join(lines)
