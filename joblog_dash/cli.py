"""Command line: `joblog-dash <command>`. Each command's work lives in its own module."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from joblog_dash import config
from joblog_dash.data import demo, store, warehouse
from joblog_dash.exporting import commands as export_commands
from joblog_dash.importing import commands as import_commands
from joblog_dash.text import fmt
from joblog_dash.views import warm


def _data_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.data_dir).resolve() if getattr(args, "data_dir", None) else None


def _cmd_demo(args: argparse.Namespace) -> int:
    manifest = demo.build_demo(data_dir=_data_dir(args), seed=args.seed, scale=args.scale, progress=True)
    print(
        # Danish thousands separator on the number only (not on the sentence's commas).
        f"Demodata skrevet: version {manifest.version}, {f'{manifest.rows:,}'.replace(',', '.')} rækker, "
        f"{manifest.first_month} – {manifest.last_month}."
    )
    if config.stored_views() and not args.no_prebuild:
        _prebuild(_data_dir(args))
    return 0


def _prebuild(data_dir: Path | None) -> None:
    """Build and store the views every worker reads for the current version (views.warm.prebuild)."""
    db = warehouse.open_db(data_dir)
    try:
        built = warm.prebuild(db)
    except Exception as exc:  # noqa: BLE001 - the dataset is written; the workers build views on demand
        print(f"Visningerne blev ikke bygget på forhånd ({type(exc).__name__}); de bygges ved første brug.")
        return
    print(
        f"Visninger bygget på forhånd: {built['files']} filer, {fmt.number(built['bytes'] / 1e6, 1)} MB, "
        f"{fmt.number(built['seconds'], 0)} s."
    )


def _cmd_prebuild(args: argparse.Namespace) -> int:
    _prebuild(_data_dir(args))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="joblog-dash", description="Joblog dashboard tools")
    parser.add_argument("--data-dir", help="data directory (default: $JOBLOG_DATA_DIR or ./data)")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="build the synthetic, calibrated demo dataset")
    demo.add_argument("--seed", type=int, default=2018)
    demo.add_argument("--scale", choices=["demo", "full", "stress"], default="demo")
    # SUPPRESS as default: a None default would overwrite a --data-dir given before the command.
    demo.add_argument("--data-dir", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    demo.add_argument("--no-prebuild", action="store_true", help="do not build the stored views")
    demo.set_defaults(func=_cmd_demo)

    prebuild = sub.add_parser("prebuild", help="build the views every worker reads for the current version")
    prebuild.add_argument("--data-dir", help=argparse.SUPPRESS, default=argparse.SUPPRESS)
    prebuild.set_defaults(func=_cmd_prebuild)

    import_commands.register(sub)

    export_commands.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except store.DatasetMissingError as exc:
        print(f"Fejl: {exc.detail}", file=sys.stderr)  # the operator may see where (server paths)
        return 2
    except store.WriteError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
