"""Read an export file (CSV, JSON, XLSX or parquet) into an all-text table, without judging its content."""

from __future__ import annotations

import json
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import polars as pl

from joblog_dash.data import schema
from joblog_dash.importing import xlsxguard

DEFAULT_MAX_IMPORT_MB = 200
# XLSX is zipped XML; its unpacked size may be this many times the size limit (guards against zip bombs).
XLSX_EXPANSION_FACTOR = 6
SUFFIXES = (".csv", ".txt", ".json", ".xlsx", ".parquet")


class ReadError(ValueError):
    """The file cannot be read at all; the message is meant for the user (Danish)."""


@dataclass
class RawTable:
    frame: pl.DataFrame  # every column String, headers as in the file
    # "csv-canonical", "csv-jobindsats", "json-jobindsats" (API v2), "json-jobindsats-v3", "xlsx", "parquet",
    # "mapped" (a table produced by mapping.apply_mapping)
    format: str
    first_row: int  # row number the user sees for the frame's first row (CSV line, sheet row, ...)
    encoding: str = ""


def max_import_bytes() -> int:
    """Size limit for one import file: `JOBLOG_MAX_IMPORT_MB` (default 200 MB)."""
    try:
        megabytes = float(os.environ.get("JOBLOG_MAX_IMPORT_MB", DEFAULT_MAX_IMPORT_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_IMPORT_MB
    if not 0 < megabytes < 1024 * 1024:  # also nan and inf
        megabytes = DEFAULT_MAX_IMPORT_MB
    return int(megabytes * 1024 * 1024)


def check_size(size: int, name: str) -> None:
    limit = max_import_bytes()
    if size > limit:
        size_mb = f"{size / 1024 / 1024:.1f}".replace(".", ",")
        raise ReadError(
            f"filen fylder {size_mb} MB; grænsen er {limit / 1024 / 1024:.0f} MB (JOBLOG_MAX_IMPORT_MB). "
            "Filen er ikke læst. Del eksporten op i flere filer, fx én pr. år."
        )


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: UTF-8 (with or without BOM), else Windows-1252 (Excel's Danish default)."""
    if b"\x00" in data[:4096]:
        raise ReadError("filen ligner ikke en tekstfil (indeholder binære data); er det den rigtige fil?")
    try:
        return data.decode("utf-8-sig"), "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise ReadError(
            f"tegnkodningen kan ikke genkendes (hverken UTF-8 eller Windows-1252, byte {exc.start})"
        ) from exc


def _cell_text(value: object) -> str | None:
    """A cell value as text; integral floats lose their '.0', other floats get a decimal comma."""
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, datetime):  # Excel date cells: a month written as a date
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return str(value)


def _frame_from_rows(header: Sequence[object], rows: Sequence[Sequence[object]]) -> pl.DataFrame:
    # A blank header (e.g. above the municipality names in a wide sheet) gets a name the user can pick.
    names = [
        _cell_text(h).strip() if h is not None and str(h).strip() else f"Kolonne {i + 1}"
        for i, h in enumerate(header)
    ]
    width = len(names)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows:
        cells = list(row)[:width] + [None] * (width - len(row))
        for i, cell in enumerate(cells):
            columns[i].append(_cell_text(cell))
    if len(set(names)) != len(names):
        duplicated = sorted({n for n in names if names.count(n) > 1})
        raise ReadError(f"kolonneoverskriften {', '.join(repr(d) for d in duplicated)} står der flere gange")
    return pl.DataFrame({n: pl.Series(n, c, dtype=pl.String) for n, c in zip(names, columns, strict=True)})


def _header_line(lines: list[str]) -> int:
    """Index of the header line: Jobindsats sometimes puts a title and a blank line above the table.

    A line naming the area and period columns wins; otherwise the first line with at least as many
    separators as most of the first 20 non-blank lines have (a title line has fewer; the most common count,
    not the largest, so that a data line with a quoted separator cannot pass for the header).
    """
    head = lines[:20]
    for i, line in enumerate(head):
        cells = {c.strip().strip('"').lower() for c in re.split(r"[;,\t]", line)}
        if (
            {"område", "area"} & cells and {"periode", "period", "tid"} & cells
        ) or "municipality_code" in cells:
            return i
    counts = [max(line.count(s) for s in (";", ",", "\t")) for line in head]
    filled = [n for n, line in zip(counts, head, strict=True) if line.strip()]
    usual = max(set(filled), key=filled.count, default=0)
    return next((i for i, n in enumerate(counts) if n >= usual and n > 0), 0)


def read_csv_bytes(data: bytes) -> tuple[pl.DataFrame, int, bool]:
    """(frame, first data line number, is canonical) for UTF-8 CSV with ';', ',' or tab separators.

    Takes bytes so that a large UTF-8 file goes to polars without extra copies as Python text.
    """
    if not data.strip(b" \t\r\n\xef\xbb\xbf"):
        raise ReadError("filen er tom")
    head = data[:65536].decode("utf-8", errors="ignore").splitlines(keepends=True)
    skip = _header_line(head)
    header = head[skip]
    separator = max((";", ",", "\t"), key=header.count)
    if header.count(separator) == 0:
        raise ReadError("kan ikke finde kolonneseparatoren (semikolon, komma eller tabulator) i overskriften")
    body = data[len("".join(head[:skip]).encode("utf-8")) :] if skip else data
    try:
        frame = pl.read_csv(body, separator=separator, infer_schema=False, truncate_ragged_lines=False)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReadError(f"CSV-filen kan ikke læses: {first}") from exc
    frame = frame.rename({c: c.lstrip("\ufeff").strip() for c in frame.columns})
    canonical = "municipality_code" in frame.columns and "month" in frame.columns
    return frame, skip + 2, canonical


def utf8_bytes(data: bytes) -> tuple[bytes, str]:
    """The file as UTF-8 bytes and its original encoding (UTF-8 with/without BOM, else Windows-1252)."""
    if b"\x00" in data[:4096]:
        raise ReadError("filen ligner ikke en tekstfil (indeholder binære data); er det den rigtige fil?")
    try:
        data.decode("utf-8")  # validation only; the text itself is not kept
    except UnicodeDecodeError:
        text, encoding = decode(data)
        return text.encode("utf-8"), encoding
    return data, "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"


MAX_JSON_DIGITS = 30


def _json_int(text: str) -> int | str:
    return int(text) if len(text) <= MAX_JSON_DIGITS else text


def _json_label(variable: object, where: str) -> str:
    if isinstance(variable, str) and variable.strip():
        return variable
    if isinstance(variable, dict):
        for key in ("Label", "label", "Name", "name", "title", "id"):
            if isinstance(variable.get(key), str) and variable[key].strip():
                return variable[key]
    raise ReadError(f"JSON-filen: hvert element i '{where}' skal være et navn eller have 'Name'/'Label'")


def _json_rows(rows: object, labels: list[str], where: str) -> list[list[object]]:
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ReadError(f"JSON-filen: '{where}' skal være en liste af rækker (lister)")
    ragged = next((i for i, r in enumerate(rows) if len(r) != len(labels)), None)
    if ragged is not None:
        raise ReadError(
            f"JSON-filen: række {ragged + 1} i '{where}' har {len(rows[ragged])} værdier, men der er "
            f"{len(labels)} kolonner"
        )
    return rows


def read_jobindsats_json(data: bytes) -> tuple[pl.DataFrame, str]:
    """(frame, format) for Jobindsats API answers.

    v3: `{"columns": [...], "rows": [[...]]}` with JSON numbers and null for missing cells (columns are names
    or objects with a label). v2 (retired after 30 September 2026): a list whose first element has
    `Variables` [{Name, Label}] and `Data` rows.
    """
    text, _ = decode(data)
    try:
        # Integers stay text past MAX_JSON_DIGITS (Python refuses int() over 4,300 digits; no count needs 20).
        payload = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"JSON-filen er ugyldig (linje {exc.lineno}, kolonne {exc.colno}: {exc.msg})"
        ) from exc
    except RecursionError as exc:
        raise ReadError(
            "JSON-filen er indlejret for dybt (lister i lister) til at være en Jobindsats-tabel"
        ) from exc
    if isinstance(payload, dict) and isinstance(payload.get("columns"), list) and "rows" in payload:
        labels = [_json_label(c, "columns") for c in payload["columns"]]
        return _frame_from_rows(labels, _json_rows(payload["rows"], labels, "rows")), "json-jobindsats-v3"
    table = payload[0] if isinstance(payload, list) and payload else payload
    if not isinstance(table, dict) or not isinstance(table.get("Variables"), list) or "Data" not in table:
        raise ReadError(
            "JSON-filen har ikke Jobindsats' form: API v3 {'columns': [...], 'rows': [[...]]} eller API v2 "
            "[{'Variables': [...], 'Data': [[...]]}]"
        )
    labels = [_json_label(v, "Variables") for v in table["Variables"]]
    return _frame_from_rows(labels, _json_rows(table["Data"], labels, "Data")), "json-jobindsats"


def header_row_index(rows: Sequence[Sequence[object]]) -> int:
    """Index of the header row in a sheet: title rows above the table fill fewer cells than the header.

    The first row that fills at least half as many cells as the fullest of the first 30 rows (and at least
    two) is the header.
    """
    filled = [sum(1 for c in r if c is not None and str(c).strip() != "") for r in rows[:30]]
    need = max(2, (max(filled, default=0) + 1) // 2)
    return next((i for i, n in enumerate(filled) if n >= need), 0)


def read_xlsx(path: Path) -> tuple[pl.DataFrame, int]:
    """(frame, sheet row of the first data row) for the first sheet of an .xlsx workbook; title rows above
    the header are skipped (see header_row_index)."""
    import openpyxl

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ReadError("filen er ikke en gyldig Excel-fil (.xlsx)") from exc
    if unpacked > XLSX_EXPANSION_FACTOR * max_import_bytes():
        raise ReadError(
            f"Excel-filen fylder {unpacked / 1024 / 1024:.0f} MB udpakket; det er over grænsen. "
            "Gem den som CSV eller del den op."
        )
    try:  # the used range and the text, counted before openpyxl builds anything
        size = xlsxguard.check(path, max_import_bytes())
    except xlsxguard.XlsxRefused as exc:
        raise ReadError(str(exc)) from exc
    if size.cells == 0:
        raise ReadError("Excel-filens første ark er tomt")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise ReadError(f"Excel-filen kan ikke åbnes: {type(exc).__name__}") from exc
    try:
        if not workbook.worksheets:
            raise ReadError("Excel-filen har intet regneark")
        sheet = workbook.worksheets[0]
        # Rows as wide as the cells with a value reach, not as the sheet's own <dimension> claims (it may lie).
        sheet.reset_dimensions()
        # Tuples as openpyxl gives them: every empty row is one shared tuple, not a list of its own.
        rows = list(sheet.iter_rows(max_row=size.rows, max_col=size.columns, values_only=True))
    except ReadError:
        raise
    except Exception as exc:  # a broken cell (e.g. a number too long for Python) surfaces while iterating
        raise ReadError(f"Excel-filens celler kan ikke læses: {type(exc).__name__}") from exc
    finally:
        workbook.close()
    if not any(c is not None and str(c).strip() != "" for r in rows for c in r):
        raise ReadError("Excel-filens første ark er tomt")
    header = header_row_index(rows)
    body = rows[header + 1 :]
    while body and all(c is None or str(c).strip() == "" for c in body[-1]):
        body.pop()  # formatted but empty rows below the table
    width = max((i + 1 for i, c in enumerate(rows[header]) if c is not None and str(c).strip()), default=0)
    return _frame_from_rows(rows[header][:width], [r[:width] for r in body]), header + 2


def read_table(path: Path) -> RawTable:
    """Read `path` into an all-text table; raises ReadError with a user-facing message."""
    path = Path(path)
    if not path.is_file():
        raise ReadError("filen findes ikke")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ReadError(f"filtypen '{suffix or '(ingen)'}' understøttes ikke; brug {', '.join(SUFFIXES)}")
    check_size(path.stat().st_size, path.name)
    if suffix == ".xlsx":
        frame, first_row = read_xlsx(path)
        return RawTable(frame, "xlsx", first_row)
    if suffix == ".parquet":
        try:
            frame = pl.read_parquet(path)
        except Exception as exc:  # pyarrow/polars raise several types for corrupt files
            raise ReadError(f"parquet-filen kan ikke læses: {type(exc).__name__}") from exc
        missing = [c for c in schema.COLUMNS if c not in frame.columns]
        if missing:
            raise ReadError(f"parquet-filen mangler kanoniske kolonner: {', '.join(missing)}")
        return RawTable(frame.select(pl.col(c).cast(pl.String) for c in frame.columns), "parquet", 1)
    data = path.read_bytes()
    if suffix == ".json":
        frame, kind = read_jobindsats_json(data)
        return RawTable(frame, kind, 1)
    utf8, encoding = utf8_bytes(data)
    del data
    frame, first_row, canonical = read_csv_bytes(utf8)
    return RawTable(frame, "csv-canonical" if canonical else "csv-jobindsats", first_row, encoding)
