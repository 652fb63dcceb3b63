"""Read an export file (CSV, JSON, XLSX or parquet) into an all-text table, without judging its content."""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from joblog_dash.data import schema

DEFAULT_MAX_IMPORT_MB = 200
# XLSX is zipped XML; its unpacked size may be this many times the size limit (guards against zip bombs).
XLSX_EXPANSION_FACTOR = 6
SUFFIXES = (".csv", ".txt", ".json", ".xlsx", ".parquet")


class ReadError(ValueError):
    """The file cannot be read at all; the message is meant for the user (Danish)."""


@dataclass
class RawTable:
    frame: pl.DataFrame  # every column String, headers as in the file
    format: str  # "csv-canonical", "csv-jobindsats", "json-jobindsats", "xlsx", "parquet"
    first_row: int  # row number the user sees for the frame's first row (CSV line, sheet row, ...)
    encoding: str = ""


def max_import_bytes() -> int:
    """Size limit for one import file: `JOBLOG_MAX_IMPORT_MB` (default 200 MB)."""
    try:
        megabytes = float(os.environ.get("JOBLOG_MAX_IMPORT_MB", DEFAULT_MAX_IMPORT_MB))
    except ValueError:
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
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value).replace(".", ",")
    return str(value)


def _frame_from_rows(header: list[object], rows: list[list[object]]) -> pl.DataFrame:
    names = [("" if h is None else str(h)).strip() for h in header]
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
    """Index of the header line: Jobindsats sometimes puts a title and a blank line above the table."""
    for i, line in enumerate(lines[:20]):
        lowered = line.lower()
        if ("område" in lowered and "periode" in lowered) or "municipality_code" in lowered:
            return i
    return 0


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


def read_jobindsats_json(data: bytes) -> pl.DataFrame:
    """Jobindsats API v2: a list whose first element has `Variables` [{Name, Label}] and `Data` rows."""
    text, _ = decode(data)
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReadError(
            f"JSON-filen er ugyldig (linje {exc.lineno}, kolonne {exc.colno}: {exc.msg})"
        ) from exc
    table = payload[0] if isinstance(payload, list) and payload else payload
    if not isinstance(table, dict) or not isinstance(table.get("Variables"), list) or "Data" not in table:
        raise ReadError(
            "JSON-filen har ikke Jobindsats' form: en liste hvis første element har 'Variables' og 'Data'"
        )
    labels = []
    for variable in table["Variables"]:
        if not isinstance(variable, dict) or not (variable.get("Label") or variable.get("Name")):
            raise ReadError("JSON-filen: hvert element i 'Variables' skal have 'Name' og 'Label'")
        labels.append(str(variable.get("Label") or variable.get("Name")))
    rows = table["Data"]
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ReadError("JSON-filen: 'Data' skal være en liste af rækker (lister)")
    ragged = next((i for i, r in enumerate(rows) if len(r) != len(labels)), None)
    if ragged is not None:
        raise ReadError(
            f"JSON-filen: række {ragged + 1} i 'Data' har {len(rows[ragged])} værdier, men der er "
            f"{len(labels)} variable"
        )
    return _frame_from_rows(labels, rows)


def read_xlsx(path: Path) -> pl.DataFrame:
    """First sheet of an .xlsx workbook; the first non-empty row is the header."""
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
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for broken workbooks
        raise ReadError(f"Excel-filen kan ikke åbnes: {type(exc).__name__}") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    while rows and all(c is None or str(c).strip() == "" for c in rows[0]):
        rows.pop(0)
    if not rows:
        raise ReadError("Excel-filens første ark er tomt")
    return _frame_from_rows(rows[0], rows[1:])


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
        return RawTable(read_xlsx(path), "xlsx", 2)
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
        return RawTable(read_jobindsats_json(data), "json-jobindsats", 1)
    utf8, encoding = utf8_bytes(data)
    del data
    frame, first_row, canonical = read_csv_bytes(utf8)
    return RawTable(frame, "csv-canonical" if canonical else "csv-jobindsats", first_row, encoding)
