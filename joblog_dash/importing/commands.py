"""`joblog-dash import | validate | versions | verify | rollback | admin-hash`: the command-line side of
changing data."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from joblog_dash import config
from joblog_dash.data import store
from joblog_dash.importing import isolate, service
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing import mapping as mapping_step
from joblog_dash.importing.readers import ReadError
from joblog_dash.importing.validate import Problem
from joblog_dash.text.safety import printable

UNIT_TEXT = {"percent": "i pct.", "fraction": "som brøk (0-1)"}


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in a container without /etc/passwd entry
        return "ukendt"


def _dk(number: object) -> str:
    return f"{number:,}".replace(",", ".") if isinstance(number, int) else str(number)


def _data_dir(args: argparse.Namespace) -> Path | None:
    return Path(args.data_dir).resolve() if getattr(args, "data_dir", None) else None


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[service.Progress]:
    """A tqdm bar on stderr driven by the service's progress(fraction, text) callback."""
    if not enabled:
        yield lambda _f, _t: None
        return
    from tqdm import tqdm

    with tqdm(total=100, unit="%", file=sys.stderr, leave=False, bar_format="{desc} {bar} {n_fmt}%") as bar:

        def update(fraction: float, text: str) -> None:
            bar.set_description_str(printable(text, limit=60))
            bar.update(max(0, round(fraction * 100) - bar.n))

        yield update


def _print_problems(problems: list[Problem], stream=sys.stdout) -> None:
    for problem in problems:
        print(f"  {problem}", file=stream)


def _print_report(report: service.ImportReport) -> None:
    if report.replaced_demo:
        print("Demodata er erstattet helt af rigtige tal (demo og rigtige tal blandes aldrig).")
    months = f"{report.months[0]} – {report.months[-1]}" if report.months else "-"
    print(
        f"Fil: {report.file} (sha256 {report.sha256[:12]}…), {_dk(report.rows_in_file)} rækker læst, "
        f"måneder {months} ({len(report.months)})."
    )
    if report.affected_months:
        print(f"Måneder der ændres: {', '.join(report.affected_months)}.")
    print(
        f"Rækker tilføjet: {_dk(report.added)}, ændret: {_dk(report.changed)}, fjernet: {_dk(report.removed)}. "
        f"Datasættet har nu {_dk(report.dataset_rows)} rækker."
    )
    if report.largest_changes:
        print("Største ændringer (personer / uden jobsøgning, før → nu):")
        for c in report.largest_changes:
            print(
                f"  {c['kommune']} {c['måned']} {c['ydelsesgruppe']} ({c['opdeling']}): "
                f"{_dk(c['personer før'])} → {_dk(c['personer nu'])} / "
                f"{_dk(c['uden jobsøgning før'])} → {_dk(c['uden jobsøgning nu'])}"
            )
    if report.warnings:
        print(f"{len(report.warnings)} advarsler:")
        _print_problems(report.warnings)


def _mapping(args: argparse.Namespace) -> mapping_step.Mapping | None:
    """The mapping from --profile, or the best guess adjusted by --map/--constant/--share/--wide; None when
    no mapping option is given (the file is read as Jobindsats or canonical). Raises MappingError/ReadError."""
    overrides = args.map or args.constant or args.share or args.wide or args.measure_column
    if args.profile:
        mapping = mapping_step.load_profile(args.profile, _data_dir(args))
    elif overrides or args.save_profile:
        mapping = isolate.run(service.guess_file_mapping, Path(args.file))
    else:
        return None
    mapping.columns.update(mapping_step.parse_assignments(args.map or []))
    mapping.constants.update(mapping_step.parse_assignments(args.constant or []))
    for measure, unit in mapping_step.parse_assignments(args.share or []).items():
        mapping.units[measure] = unit
    if args.wide:
        mapping.layout = "wide"
    if args.measure_column:
        mapping.measure_column = args.measure_column
    mapping.check()
    return mapping


def _save_profile(args: argparse.Namespace, mapping: mapping_step.Mapping | None) -> None:
    if args.save_profile and mapping is not None:
        path = mapping_step.save_profile(args.save_profile, mapping, _data_dir(args))
        print(f"Importprofilen '{path.stem}' er gemt; brug den næste gang med --profile {path.stem}.")


def _print_mapping(mapping: mapping_step.Mapping) -> None:
    layout = "bred (måneder på tværs)" if mapping.layout == "wide" else "lang"
    parts = [f"{ji.EXPORT_HEADERS[f]} ← '{printable(c, limit=60)}'" for f, c in mapping.columns.items()]
    parts += [f"{ji.EXPORT_HEADERS[f]} = '{printable(v, limit=60)}'" for f, v in mapping.constants.items()]
    parts += [
        f"{ji.EXPORT_HEADERS[m]} er andele {UNIT_TEXT[u]}" for m, u in mapping.units.items() if u != "count"
    ]
    if mapping.measure_column:
        parts.append(f"målene står i kolonnen '{printable(mapping.measure_column, limit=60)}'")
    print(f"Kortlægning ({layout}): " + "; ".join(parts))


UNREADABLE_EXIT = 2  # the file could not be read at all; 1 = read, but refused for its content


def _check_profile_names(args: argparse.Namespace) -> None:
    """Profile names are checked before anything is read or written (a bad name must not fail after the
    import committed)."""
    for name in (args.profile, args.save_profile):
        if name is not None:
            mapping_step.profile_name(name)


def cmd_validate(args: argparse.Namespace) -> int:
    try:
        _check_profile_names(args)
        mapping = _mapping(args)
    except mapping_step.MappingError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return 1
    except ReadError as exc:
        print(f"Fejl: {exc}", file=sys.stderr)
        return UNREADABLE_EXIT
    if mapping is not None:
        _print_mapping(mapping)
    try:
        with _progress_bar(not args.quiet) as progress:
            validation = isolate.run(
                service.validate_light,
                Path(args.file),
                mapping=mapping,
                progress=None if args.quiet else progress,
            )
    except ReadError as exc:  # the child ran out of memory or time
        print(f"Fejl: {Path(args.file).name}: {exc}", file=sys.stderr)
        return UNREADABLE_EXIT
    if validation.ok:
        stats = validation.stats
        print(
            f"OK: {validation.file} kan importeres: {_dk(stats.get('rows'))} rækker, "
            f"{stats.get('municipalities')} kommuner, {stats.get('first_month')} – {stats.get('last_month')}."
        )
        _print_problems(validation.warnings)
        _save_profile(args, mapping)
        return 0
    print(f"{validation.file} kan ikke importeres ({len(validation.errors)} fejl):", file=sys.stderr)
    _print_problems(validation.problems, sys.stderr)
    return UNREADABLE_EXIT if validation.stats.get(service.UNREADABLE) else 1


def cmd_import(args: argparse.Namespace) -> int:
    try:
        _check_profile_names(args)
        mapping = _mapping(args)
    except mapping_step.MappingError as exc:
        print(f"Intet er importeret: {exc}", file=sys.stderr)
        return 1
    except ReadError as exc:
        print(f"Intet er importeret: {exc}", file=sys.stderr)
        return UNREADABLE_EXIT
    if mapping is not None:
        _print_mapping(mapping)
    try:
        with _progress_bar(not args.quiet) as progress:
            report = isolate.run(
                service.import_file,
                Path(args.file),
                _data_dir(args),
                progress=None if args.quiet else progress,
                dry_run=args.dry_run,
                mapping=mapping,
                profile=mapping_step.profile_name(args.profile) if args.profile else None,
                actor=f"CLI ({_user()})",
            )
    except service.ImportRefused as refused:
        print(
            f"Intet er importeret; de nuværende data er uændrede. {len(refused.problems)} problemer:",
            file=sys.stderr,
        )
        _print_problems(refused.problems, sys.stderr)
        return UNREADABLE_EXIT if refused.unreadable else 1
    except ReadError as exc:  # the child ran out of memory or time
        print(
            f"Intet er importeret; de nuværende data er uændrede. {Path(args.file).name}: {exc}",
            file=sys.stderr,
        )
        return UNREADABLE_EXIT
    _print_report(report)
    _save_profile(args, mapping)
    if report.dry_run:
        print("Prøvekørsel (--dry-run): intet er skrevet.")
    elif report.version is None:
        print("Ingen ændringer: filen giver de samme tal som det nuværende datasæt; intet er skrevet.")
    else:
        print(f"Importeret som version {report.version}. Fortryd med `joblog-dash rollback`.")
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    versions = store.list_versions(_data_dir(args))
    if not versions:
        print(store.missing_message(_data_dir(args)))
        return 0
    current = store.current_version(_data_dir(args))
    for manifest in versions:
        mark = "*" if manifest.version == current else " "
        kind = "demo" if manifest.is_demo else "rigtige tal"
        print(
            f"{mark} {manifest.version}  {kind:<11}  {_dk(manifest.rows):>10} rækker  "
            f"{manifest.first_month[:7]} – {manifest.last_month[:7]}  {printable(manifest.source, limit=60)}"
        )
    print("* = aktiv version")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    """Check every version (checksums, footers, row invariants, unique keys); non-zero when any is damaged
    or none is there. Versions that never became current are checked too and shown as such."""
    data_dir = _data_dir(args)
    current = store.current_version(data_dir)
    folders = store.version_folders(data_dir)
    if not folders:
        print(store.missing_message(data_dir), file=sys.stderr)
        return 1
    pending = set(store.pending_versions(data_dir))
    damaged = 0
    if current and current not in {f.name for f in folders}:
        print(f"CURRENT peger på version {printable(current, limit=80)}, som ikke findes.")
        damaged += 1
    for folder in folders:
        result = store.verify_folder(folder, thorough=True)
        mark = "*" if folder.name == current else " "
        note = " (aldrig gjort aktiv; vises ikke)" if folder.name in pending else ""
        if result.ok:
            checked = "" if result.checksummed else " (ingen kontrolsum: kun rækkerne er kontrolleret)"
            print(f"{mark} {folder.name}  ok{checked}{note}")
            continue
        damaged += 1
        print(f"{mark} {folder.name}  BESKADIGET{note}")
        for problem in result.problems:
            detail = f" [{printable(problem.detail, limit=300)}]" if problem.detail else ""
            print(f"    {problem.file} {problem.reason}{detail}")
    print("* = aktiv version")
    if damaged:
        print(f"{damaged} version(er) er beskadiget.", file=sys.stderr)
        return 1
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    try:
        manifest = service.rollback(args.version, _data_dir(args))
    except service.ImportRefused as refused:
        _print_problems(refused.problems, sys.stderr)
        return 1
    print(
        f"Aktiv version er nu {manifest.version} ({printable(manifest.source, limit=80)}, "
        f"{_dk(manifest.rows)} rækker)."
    )
    return 0


def cmd_profiles(args: argparse.Namespace) -> int:
    names = mapping_step.list_profiles(_data_dir(args))
    print("\n".join(names) if names else "Ingen gemte importprofiler. Gem en med --save-profile NAVN.")
    return 0


def _mapping_options(parser: argparse.ArgumentParser) -> None:
    fields = ", ".join(mapping_step.FIELDS)
    group = parser.add_argument_group("mapping step (files in another layout)")
    group.add_argument("--profile", help="use a saved import profile (mapping)")
    group.add_argument("--save-profile", metavar="NAME", help="save the mapping used as a named profile")
    group.add_argument(
        "--map", action="append", metavar="FIELD=COLUMN", help=f"the column holding a field ({fields})"
    )
    group.add_argument(
        "--constant", action="append", metavar="FIELD=VALUE", help="one value for the whole file"
    )
    group.add_argument(
        "--share",
        action="append",
        metavar="MEASURE=percent|fraction",
        help="a measure given as a share of persons",
    )
    group.add_argument("--wide", action="store_true", help="months run across the columns")
    group.add_argument("--measure-column", help="wide layout: the column naming each row's measure")


MIN_PASSWORD_LENGTH = 12


def cmd_admin_hash(args: argparse.Namespace) -> int:
    """Print the secrets.toml lines holding a hash of a new administrator password (never the password)."""
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Ny administratoradgangskode: ")
        if getpass.getpass("Gentag adgangskoden: ") != password:
            print("Adgangskoderne er ikke ens; intet er lavet.", file=sys.stderr)
            return 1
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"Adgangskoden skal have mindst {MIN_PASSWORD_LENGTH} tegn; intet er lavet.", file=sys.stderr)
        return 1
    print("# Indsæt i .streamlit/secrets.toml (kun hashen gemmes, aldrig adgangskoden):", file=sys.stderr)
    print(f"[{config.ADMIN_SECRETS_SECTION}]")
    print(f'{config.ADMIN_SECRETS_KEY} = "{config.hash_admin_password(password)}"')
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add the import commands to the `joblog-dash` parser."""
    # SUPPRESS as default too: a None default would overwrite a --data-dir given before the command.
    hidden = {"help": argparse.SUPPRESS, "default": argparse.SUPPRESS}
    imp = sub.add_parser("import", help="import a STAR/Jobindsats export (CSV, JSON, XLSX, parquet)")
    imp.add_argument("file")
    imp.add_argument("--dry-run", action="store_true", help="validate and show the changes without writing")
    imp.add_argument("--quiet", action="store_true", help="no progress bar")
    imp.add_argument("--data-dir", **hidden)
    _mapping_options(imp)
    imp.set_defaults(func=cmd_import)
    val = sub.add_parser("validate", help="check an export and list its problems without writing anything")
    val.add_argument("file")
    val.add_argument("--quiet", action="store_true", help="no progress bar")
    val.add_argument("--data-dir", **hidden)
    _mapping_options(val)
    val.set_defaults(func=cmd_validate)
    pro = sub.add_parser("import-profiles", help="list the saved import profiles (mappings)")
    pro.add_argument("--data-dir", **hidden)
    pro.set_defaults(func=cmd_profiles)
    ver = sub.add_parser("versions", help="list the stored dataset versions")
    ver.add_argument("--data-dir", **hidden)
    ver.set_defaults(func=cmd_versions)
    chk = sub.add_parser("verify", help="check every stored version (checksums, rows); non-zero if damaged")
    chk.add_argument("--data-dir", **hidden)
    chk.set_defaults(func=cmd_verify)
    rol = sub.add_parser("rollback", help="make an earlier version current (default: the one before)")
    rol.add_argument("version", nargs="?")
    rol.add_argument("--data-dir", **hidden)
    rol.set_defaults(func=cmd_rollback)
    adm = sub.add_parser("admin-hash", help="print the secrets.toml lines for a new administrator password")
    adm.add_argument("--stdin", action="store_true", help="read the password from the first line of stdin")
    adm.set_defaults(func=cmd_admin_hash)
