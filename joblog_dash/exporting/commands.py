"""`joblog-dash export …` and `joblog-dash brief …`: the pages' downloads from the command line.

Bad arguments (unknown month, group, area or municipality) print one Danish line and exit with 2.

`export funnel` without `--format` writes issue 4's machine-readable CSV (UTF-8, ',' separated, dot
decimals, shares as fractions); `--format csv` gives the Danish-Excel CSV like every other kind and
`--format xlsx` the workbook. `export expected` (issue 14: expected versus actual) defaults to its machine
CSV the same way. The other kinds default to the Danish-Excel CSV. `export deck` writes the presentation as
PowerPoint or PDF, `export briefs --area KEY` the area's visit pack (a zip of PDF briefs); both need --out.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from joblog_dash.data import queries, reference, warehouse
from joblog_dash.exporting import brief, deck, deck_files, pack
from joblog_dash.exporting import files as exports
from joblog_dash.exporting import tables as export_tables
from joblog_dash.text import fmt
from joblog_dash.views import selection


def _db(args: argparse.Namespace) -> warehouse.JoblogDB:
    data_dir = Path(args.data_dir).resolve() if getattr(args, "data_dir", None) else None
    return warehouse.open_db(data_dir)


def _fail(message: str) -> int:
    print(f"Fejl: {message}", file=sys.stderr)
    return 2


def _write(payload: bytes, out: str | None, binary: bool) -> int:
    if out:
        path = Path(out)
        try:
            path.write_bytes(payload)
        except OSError as exc:
            return _fail(f"Kan ikke skrive {path}: {exc.strerror or exc}")
        print(f"Skrevet: {path} ({len(payload):,} bytes)".replace(",", "."), file=sys.stderr)
        return 0
    if binary and sys.stdout.isatty():
        return _fail("XLSX er binært og skrives ikke til terminalen; brug --out FIL.xlsx.")
    sys.stdout.buffer.write(payload)
    sys.stdout.buffer.flush()
    return 0


FILE_KINDS = ("deck", "briefs")  # whole documents rather than a table: --out is required


def _start(db: warehouse.JoblogDB, raw: str | None, month: date) -> date | None:
    """--from: a month of the dataset before --month (the deck's period; default 12 months)."""
    if raw is None:
        return None
    start = fmt.parse_month_key(raw)
    if start is None or start not in queries.months(db) or start >= month:
        raise selection.SelectionError(f"Ugyldig startmåned »{raw}«: skriv ÅÅÅÅ-MM, en måned før --month.")
    return start


def _compare(raw: str | None) -> tuple[int, ...]:
    """--compare 147,Aalborg: up to MAX_COMPARE municipalities (codes or names) to set beside the chosen one."""
    if not raw:
        return ()
    codes = []
    for item in (part.strip() for part in raw.split(",") if part.strip()):
        code = reference.resolve_municipality(item)
        if code is None:
            raise selection.SelectionError(f"Ukendt kommune »{item}« i --compare.")
        codes.append(code)
    if len(codes) > selection.MAX_COMPARE:
        raise selection.SelectionError(f"Højst {selection.MAX_COMPARE} kommuner i --compare.")
    return tuple(dict.fromkeys(codes))


def cmd_files(args: argparse.Namespace, db: warehouse.JoblogDB, sel: selection.Selection) -> int:
    """`export deck` (PowerPoint or PDF) and `export briefs` (a zip of one PDF brief per municipality)."""
    if not args.out:
        return _fail(f"export {args.kind} kræver --out FIL.")
    wanted = {"deck": ("pptx", "pdf"), "briefs": ("zip",)}[args.kind]
    fmt_ = args.format or Path(args.out).suffix.lower().lstrip(".")
    if fmt_ not in wanted:
        return _fail(
            f"export {args.kind} skrives som {' eller '.join(wanted)} (--format eller filens endelse)."
        )
    source = export_tables.source_text(db.manifest)
    try:
        if args.kind == "briefs":
            result = pack.build(
                db, sel, lambda done, total, name: print(f"{done}/{total} {name}", file=sys.stderr)
            )
            average = sum(result.seconds) / max(1, len(result.seconds))
            print(f"{len(result.names)} briefs, {average:.1f} s pr. brief", file=sys.stderr)
            return _write(result.payload, args.out, binary=True)
        slides = deck.build_deck(db, sel, follow_up=args.kommune is None)
        if fmt_ == "pptx":
            return _write(deck_files.to_pptx(slides, source, db.manifest.is_demo), args.out, binary=True)
        return _write(deck_files.to_pdf(slides, source, db.manifest.is_demo), args.out, binary=True)
    except brief.PdfUnavailable as exc:
        return _fail(str(exc))


def cmd_export(args: argparse.Namespace) -> int:
    db = _db(args)
    try:
        if args.kind in FILE_KINDS:
            if args.kind == "briefs" and not args.area:
                return _fail("export briefs kræver et område (--area), fx region-sjaelland.")
            sel = selection.from_arguments(db, args.month, args.group, args.area, args.kommune)
            sel = replace(sel, start=_start(db, args.start, sel.month), compare=_compare(args.compare))
            return cmd_files(args, db, sel)
        if args.kind == "profile" and args.kommune is None:
            return _fail("Profilen kræver en kommune (--kommune).")
        sel = selection.from_arguments(
            db, args.month, args.group, args.area, args.kommune, args.measure, not args.no_overdispersion,
            args.target, args.basis,
        )  # fmt: skip
        machine = export_tables.MACHINE_CSV
        fmt_ = args.format or ("machine" if args.kind in machine else "csv")
        if fmt_ not in ("csv", "xlsx", "machine"):
            return _fail(f"--format {fmt_} findes kun for deck (pptx, pdf) og briefs (zip).")
        if fmt_ == "machine":
            if args.kind not in machine:
                return _fail(f"--format machine findes kun for {' og '.join(machine)}.")
            return _write(machine[args.kind](db, sel), args.out, binary=False)
        frame, meta = export_tables.build(db, args.kind, sel)
    except selection.SelectionError as exc:
        return _fail(str(exc))
    if fmt_ == "xlsx":
        return _write(exports.to_xlsx(frame, meta), args.out, binary=True)
    return _write(exports.to_danish_csv(frame, meta), args.out, binary=False)


def cmd_brief(args: argparse.Namespace) -> int:
    db = _db(args)
    try:
        sel = selection.from_arguments(db, args.month, args.group, None, args.kommune)
        sel = replace(sel, compare=_compare(args.compare))
    except selection.SelectionError as exc:
        return _fail(str(exc))
    out = Path(args.out)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".html", ".htm"):
        return _fail("--out skal ende på .pdf eller .html.")
    result = brief.build(db, sel)
    if suffix == ".pdf":
        try:
            payload = brief.html_to_pdf(result.html)
        except brief.PdfUnavailable as exc:
            fallback = out.with_suffix(".html")
            fallback.write_text(result.html, encoding="utf-8")
            print(f"Fejl: {exc} HTML-udgaven er skrevet til {fallback}.", file=sys.stderr)
            return 1
        return _write(payload, str(out), binary=True)
    return _write(result.html.encode("utf-8"), str(out), binary=False)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser(
        "export",
        help="export a table as Danish-Excel CSV or XLSX (funnel, expected: machine CSV by default)",
        description=(
            "Writes the table behind a page to standard output (or --out). Without --format, funnel and "
            "expected give machine-readable CSV (',' and dot decimals, shares and ratios as plain decimals); "
            "everything else Danish-Excel CSV (';', decimal comma, UTF-8 with BOM)."
        ),
    )
    export.add_argument("kind", choices=[*export_tables.KINDS, *FILE_KINDS])
    export.add_argument("--month", help="ÅÅÅÅ-MM (default: newest month)")
    export.add_argument("--group", help="benefit group, e.g. kontanthjaelp")
    export.add_argument("--area", help="area key, e.g. region-sjaelland (default: hele-landet)")
    export.add_argument("--kommune", help="municipality code or name (profile)")
    export.add_argument("--measure", choices=list(selection.MEASURES), default="joblogged")
    export.add_argument(
        "--target", choices=list(selection.TARGETS), default="national",
        help="funnel: compare with the country (default, as the page) or with the chosen area's own share",
    )  # fmt: skip
    export.add_argument("--no-overdispersion", action="store_true", help="funnel: plain binomial limits")
    export.add_argument(
        "--basis", default="raw",
        help="municipalities, funnel: raw shares (default) or adjusted (for gender and age, as 'justeret')",
    )  # fmt: skip
    export.add_argument("--format", choices=["csv", "xlsx", "machine", "pptx", "pdf", "zip"])
    export.add_argument(
        "--from", dest="start", help="deck: first month of the period, ÅÅÅÅ-MM (default: 12 months)"
    )
    export.add_argument(
        "--compare", help="deck: municipalities beside --kommune on the last slide, e.g. 147,851"
    )
    export.add_argument(
        "--out", help="file to write (default: standard output; required for deck and briefs)"
    )
    export.add_argument("--data-dir", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    export.set_defaults(func=cmd_export)

    brief = sub.add_parser("brief", help="write the municipal visit brief as PDF or self-contained HTML")
    brief.add_argument("--kommune", required=True, help="municipality code or name, e.g. 360")
    brief.add_argument("--month", help="ÅÅÅÅ-MM (default: newest month)")
    brief.add_argument("--group", help="benefit group the brief is about (default: kontanthjaelp)")
    brief.add_argument("--compare", help="up to 8 municipalities side by side on a third page, e.g. 147,851")
    brief.add_argument("--out", required=True, help="brief.pdf or brief.html")
    brief.add_argument("--data-dir", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    brief.set_defaults(func=cmd_brief)
