"""Bounds for an XLSX workbook decided before openpyxl parses it: a few KB of zipped XML can describe a sheet
of 17 billion cells (values far apart) or gigabytes of text (one long shared string used in many cells).

`measure` streams the first worksheet's XML (and the shared-string table) through expat, keeping only
counters: the used range of the cells that hold a value, the total bytes of their text, the longest number.
`check` refuses a workbook whose used range or text exceeds caps derived from JOBLOG_MAX_IMPORT_MB, so what
openpyxl then builds (one row list per sheet row, as wide as the used range) stays small.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from array import array
from dataclasses import dataclass
from xml.parsers import expat

from joblog_dash.text.safety import printable

# Reading costs about 100 bytes and a few microseconds per cell of the used range, empty or not.
CELLS_PER_MB = 25_000  # used-range cells allowed per MB of JOBLOG_MAX_IMPORT_MB (200 MB: 5 million) ...
CELLS_PER_FILE_BYTE = 4  # ... and at most this many per byte of the file (a cell with a value costs ~5-10),
CELLS_FLOOR = 1_000_000  # but never fewer than this
MAX_COLUMNS = 1_000  # months across the columns for 80 years; a column costs polars far more than a row
TEXT_PER_MB = 4 * 1024 * 1024  # cell text bytes per MB of the limit (200 MB: 800 MB) ...
TEXT_PER_FILE_BYTE = 64  # ... and at most this many per byte of the file itself,
TEXT_FLOOR = 64 * 1024 * 1024  # but never less than this (small files with ordinary text)
MAX_NUMBER_CHARS = 40  # a number cell longer than this is no count (Python refuses int() over 4,300 digits)
MAX_PART_BYTES = 1024 * 1024  # workbook.xml and its relationships are small; anything bigger is not Excel's
MAX_OTHER_PART = 32 * 1024 * 1024  # any part besides the worksheets and the shared strings (unpacked)
CHUNK = 1 << 20
_CELL_REF = re.compile(r"([A-Z]{1,3})(\d{1,7})$")
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class XlsxRefused(ValueError):
    """The workbook is refused before parsing; the message is meant for the user (Danish)."""


@dataclass
class SheetSize:
    rows: int = 0  # last row holding a value
    columns: int = 0  # last column holding a value
    cells: int = 0  # cells holding a value
    text_bytes: int = 0  # characters of every value cell's text (a shared string counts each time it is used)
    declared: str = ""  # the sheet's own <dimension ref="..."> (informative: it may be wrong)
    shared_strings: int = 0

    @property
    def used_cells(self) -> int:
        return self.rows * self.columns


def _dk(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def caps(limit_bytes: int, file_bytes: int) -> tuple[int, int]:
    """(largest used range in cells, largest total cell text in bytes) for a file of `file_bytes`."""
    megabytes = max(limit_bytes / (1024 * 1024), 1)
    cells = min(int(CELLS_PER_MB * megabytes), max(CELLS_FLOOR, CELLS_PER_FILE_BYTE * file_bytes))
    text = min(int(TEXT_PER_MB * megabytes), max(TEXT_FLOOR, TEXT_PER_FILE_BYTE * file_bytes))
    return cells, text


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def _parser(start, end=None, text=None) -> expat.XMLParserType:  # noqa: ANN001 - expat callbacks
    """A namespace-aware expat parser that refuses any DTD (entity expansion has no place in a workbook)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)

    def no_dtd(*_args: object) -> None:
        raise XlsxRefused(
            "Excel-filen indeholder en dokumenttypeerklæring (DTD); det gør en rigtig Excel-fil ikke"
        )

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    parser.buffer_text = True
    return parser


def _feed(archive: zipfile.ZipFile, name: str, parser: expat.XMLParserType) -> None:
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise XlsxRefused(f"Excel-filens del {name} er urimeligt stor ({_dk(info.file_size)} bytes)")
    return archive.read(name)


def _parts(archive: zipfile.ZipFile) -> tuple[str | None, str | None]:
    """(path of the first worksheet, path of the shared-string table) inside the zip."""
    names = set(archive.namelist())
    workbook = next((n for n in ("xl/workbook.xml", "/xl/workbook.xml") if n in names), None)
    if workbook is None:
        raise XlsxRefused("filen er ikke en gyldig Excel-fil (.xlsx): xl/workbook.xml mangler")
    folder = posixpath.dirname(workbook)
    rels_name = posixpath.join(folder, "_rels", posixpath.basename(workbook) + ".rels")
    targets: dict[str, tuple[str, str]] = {}
    if rels_name in names:

        def relation(name: str, attrs: dict[str, str]) -> None:
            if _local(name) == "Relationship" and "Id" in attrs:
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
                targets[attrs["Id"]] = (attrs.get("Type", ""), posixpath.normpath(path))

        _parser(relation).Parse(_small_part(archive, rels_name), True)
    sheets: list[str] = []

    def sheet(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            sheets.append(attrs.get(f"{_REL} id", ""))

    _parser(sheet).Parse(_small_part(archive, workbook), True)
    worksheets = [targets[r][1] for r in sheets if r in targets and targets[r][0].endswith("/worksheet")]
    if not worksheets and sheets:
        raise XlsxRefused("Excel-filens første ark kan ikke findes i filen")
    first = worksheets[0] if worksheets else None
    if first is not None and first not in names:
        raise XlsxRefused("Excel-filens første ark mangler i filen")
    shared = next((p for kind, p in targets.values() if kind.endswith("/sharedStrings")), None)
    return first, shared if shared in names else None


def _shared_string_lengths(archive: zipfile.ZipFile, name: str, most: int, text_cap: int) -> array:
    """The length of every shared string; refuses a table with more strings or text than any sheet needs."""
    lengths = array("q")
    state = {"depth_rph": 0, "in_t": False, "total": 0}

    def start(tag: str, _attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "si":
            if len(lengths) >= most:
                raise XlsxRefused(
                    f"Excel-filen har over {_dk(most)} forskellige tekster; det er over grænsen"
                )
            lengths.append(0)
        elif local == "rPh":
            state["depth_rph"] += 1
        elif local == "t" and not state["depth_rph"]:
            state["in_t"] = True

    def end(tag: str) -> None:
        local = _local(tag)
        if local == "rPh":
            state["depth_rph"] -= 1
        elif local == "t":
            state["in_t"] = False

    def text(data: str) -> None:
        if state["in_t"] and lengths:
            lengths[-1] += len(data)
            state["total"] += len(data)
            if state["total"] > text_cap:
                raise XlsxRefused(_too_much_text(state["total"], text_cap))

    _feed(archive, name, _parser(start, end, text))
    return lengths


def _too_much_text(found: int, cap: int) -> str:
    return (
        f"Excel-filens celler rummer over {_dk(found // (1024 * 1024))} MB tekst (grænsen er "
        f"{_dk(cap // (1024 * 1024))} MB, fra JOBLOG_MAX_IMPORT_MB). Filen er ikke læst. Gem arket som CSV."
    )


def _too_wide(size: SheetSize, cap: int) -> str:
    return (
        f"Excel-arket spænder over {_dk(size.rows)} {'række' if size.rows == 1 else 'rækker'} × "
        f"{_dk(size.columns)} {'kolonne' if size.columns == 1 else 'kolonner'} "
        f"(= {_dk(size.used_cells)} celler, fra A1 til den sidste celle med indhold); grænsen er {_dk(cap)} "
        f"celler for denne fil og {_dk(MAX_COLUMNS)} kolonner. Filen er ikke læst. Slet indhold langt fra "
        "tabellen, eller gem arket som CSV."
    )


def measure(archive: zipfile.ZipFile, file_bytes: int, limit_bytes: int) -> SheetSize:
    """Stream the first sheet and count; stops (XlsxRefused) as soon as a cap is passed."""
    cell_cap, text_cap = caps(limit_bytes, file_bytes)
    sheet_name, shared_name = _parts(archive)
    for info in archive.infolist():  # styles, theme, properties: openpyxl parses them whole when it opens
        name = info.filename.lstrip("/")
        if name != shared_name and not name.startswith("xl/worksheets/") and info.file_size > MAX_OTHER_PART:
            raise XlsxRefused(
                f"Excel-filens del {printable(name, limit=60)} fylder {_dk(info.file_size // (1024 * 1024))} MB "
                "udpakket; det er ikke en almindelig Excel-fil. Gem arket som CSV."
            )
    if sheet_name is None:
        raise XlsxRefused("Excel-filen har intet regneark")
    size = SheetSize()
    lengths = _shared_string_lengths(archive, shared_name, cell_cap, text_cap) if shared_name else array("q")
    size.shared_strings = len(lengths)
    cell = {"row": 0, "col": 0, "type": "n", "value": [], "in": None, "has": False}
    row_number = [0]

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "c":
            ref = _CELL_REF.match(attrs.get("r", ""))
            if ref:
                cell["row"], cell["col"] = int(ref[2]), _column_number(ref[1])
            else:  # cells without a reference follow the previous one
                cell["row"], cell["col"] = row_number[0], cell["col"] + 1
            cell["type"], cell["value"], cell["has"] = attrs.get("t", "n"), [], False
        elif local == "row":
            number = attrs.get("r", "")
            row_number[0] = int(number) if number.isascii() and number.isdecimal() else row_number[0] + 1
            cell["col"] = 0
        elif local == "v" or (local == "t" and cell["in"] == "is"):
            cell["in"], cell["has"] = "v" if local == "v" else "t", True
        elif local == "is":
            cell["in"] = "is"
        elif local == "dimension":
            size.declared = attrs.get("ref", "")[:40]

    def end(tag: str) -> None:
        local = _local(tag)
        if local in ("v", "t") and cell["in"] in ("v", "t"):
            cell["in"] = "is" if local == "t" else None
        elif local == "is":
            cell["in"] = None
        elif local == "c":
            _count(cell)

    def text(data: str) -> None:
        if cell["in"] in ("v", "t"):
            cell["value"].append(data)

    def _count(found: dict) -> None:
        value = "".join(found["value"])
        if not found["has"] or (not value and found["type"] != "inlineStr"):
            return
        if found["type"] == "s":
            index = int(value) if value.isascii() and value.isdecimal() and len(value) < 12 else -1
            if not 0 <= index < len(lengths):
                raise XlsxRefused(f"Excel-filens celle {_ref(found)} peger på en tekst, der ikke findes")
            length = lengths[index]
        else:
            length = len(value)
            if found["type"] == "n" and length > MAX_NUMBER_CHARS:
                raise XlsxRefused(
                    f"Excel-filens celle {_ref(found)} har et tal på {_dk(length)} tegn; det er ikke et antal"
                )
        size.cells += 1
        size.text_bytes += length
        size.rows, size.columns = max(size.rows, found["row"]), max(size.columns, found["col"])
        if size.used_cells > cell_cap or size.columns > MAX_COLUMNS:
            raise XlsxRefused(_too_wide(size, cell_cap))
        if size.text_bytes > text_cap:
            raise XlsxRefused(_too_much_text(size.text_bytes, text_cap))

    _feed(archive, sheet_name, _parser(start, end, text))
    return size


def _ref(found: dict) -> str:
    letters, number = "", found["col"]
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{found['row']}"


def check(path, limit_bytes: int) -> SheetSize:  # noqa: ANN001 - a path or an open file
    """Measure the workbook at `path`; raises XlsxRefused (Danish message) when it is over a cap or broken."""
    try:
        with zipfile.ZipFile(path) as archive:
            file_bytes = sum(i.compress_size for i in archive.infolist())
            return measure(archive, file_bytes, limit_bytes)
    except (zipfile.BadZipFile, KeyError, EOFError, expat.ExpatError, NotImplementedError) as exc:
        raise XlsxRefused(f"filen er ikke en gyldig Excel-fil (.xlsx): {type(exc).__name__}") from exc
