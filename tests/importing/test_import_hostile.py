"""Hostile files: each gets a clear Danish message (CLI exit 2 when the file cannot be read at all), never a
traceback, and never changes the dataset; the web upload stays usable after any of them."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from importfixtures import api_rows, csv_bytes, make_frame, row, tree_checksum, v3_json, write_dataset
from streamlit.testing.v1 import AppTest

from joblog_dash import cli
from joblog_dash.importing import jobindsats as ji
from joblog_dash.ui.upload import uploads_dir


@pytest.fixture
def dataset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    write_dataset(folder, make_frame(codes=[101, 147, 751, 461]))
    monkeypatch.setenv("JOBLOG_DATA_DIR", str(folder))
    return folder


def _deep_json(_tmp: Path) -> bytes:
    return b"[" * 100_000 + b"]" * 100_000


def _long_number_json(_tmp: Path) -> bytes:
    rows = api_rows(make_frame(codes=[147], months=None))
    text = v3_json(rows).decode()
    # The first count of the first row becomes a JSON number of 5,000 digits.
    return re.sub(r'("Jobparate kontanthjælpsmodtagere", )\d+', r"\g<1>" + "9" * 5000, text, count=1).encode()


def _workbook_without_sheet(tmp: Path) -> bytes:
    import xlsxwriter

    path = tmp / "ark.xlsx"
    with xlsxwriter.Workbook(path) as workbook:
        workbook.add_worksheet().write_row(0, 0, ["Område", "Periode"])
    stripped = tmp / "uden-ark.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(stripped, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", data, flags=re.S)
            target.writestr(info, data)
    return stripped.read_bytes()


HOSTILE = [
    ("dyb.json", _deep_json, "indlejret for dybt", 2),
    ("langt-tal.json", _long_number_json, "for stort til et antal", 1),
    ("uden-ark.xlsx", _workbook_without_sheet, "intet regneark", 2),
]


@pytest.mark.parametrize(("name", "content", "expected", "code"), HOSTILE, ids=[h[0] for h in HOSTILE])
@pytest.mark.parametrize("command", ["validate", "import"])
def test_cli_refuses_hostile_files_with_a_message(
    dataset: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    name: str,
    content,
    expected: str,
    code: int,
) -> None:
    path = tmp_path / name
    path.write_bytes(content(tmp_path))
    before = tree_checksum(dataset)
    assert cli.main(["--data-dir", str(dataset), command, str(path), "--quiet"]) == code
    err = capsys.readouterr().err
    assert expected in err and name in err
    assert tree_checksum(dataset) == before


def test_bad_profile_name_is_refused_before_anything_is_imported(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fin.csv"
    path.write_bytes(ji.to_jobindsats_csv(make_frame(codes=[147])))
    before = tree_checksum(dataset)
    for option in ("--save-profile=---", "--save-profile=", "--profile=///"):
        assert cli.main(["--data-dir", str(dataset), "import", str(path), "--quiet", option]) == 1
        captured = capsys.readouterr()
        assert "giv profilen et navn" in captured.err and "Importeret" not in captured.out
        assert tree_checksum(dataset) == before


def _upload_app() -> None:
    import streamlit as st

    from joblog_dash.ui.upload import render_upload_section

    render_upload_section()
    st.text("efter upload")  # stands for the rollback section and the audit log below it on Om tallene


def _texts(at: AppTest) -> str:
    kinds = ("markdown", "caption", "info", "success", "error", "text")
    return "\n".join(str(e.value) for kind in kinds for e in at.get(kind))


def _problem_messages(at: AppTest) -> str:
    return " ".join(" ".join(d.value["Problem"].astype(str)) for d in at.dataframe if "Problem" in d.value)


@pytest.mark.parametrize(("name", "content", "expected"), [(h[0], h[1], h[2]) for h in HOSTILE if h[3] == 2])
def test_web_upload_survives_an_unreadable_file(
    dataset: Path, tmp_path: Path, name: str, content, expected: str
) -> None:
    before = tree_checksum(dataset)
    at = AppTest.from_function(_upload_app, default_timeout=30).run()
    at.file_uploader(key="joblog_upload").upload(name, content(tmp_path), "application/octet-stream").run()
    for _rerun in range(2):  # every later rerun must still work
        assert not at.exception
        assert "kan ikke læses" in _texts(at) and expected in _problem_messages(at)
        assert "efter upload" in _texts(at)
        at.run()
    assert not list(uploads_dir(dataset).iterdir())  # an unreadable upload is removed at once
    assert tree_checksum(dataset) == before


def test_web_upload_survives_an_unexpected_error(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever goes wrong inside the upload section, the section says so and the rest of the page runs."""
    from joblog_dash.importing import isolate

    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("raw")

    monkeypatch.setattr(isolate, "run", broken)
    at = AppTest.from_function(_upload_app, default_timeout=30).run()
    content = csv_bytes([row()])
    at.file_uploader(key="joblog_upload").upload("fil.csv", content, "text/csv").run()
    for _rerun in range(2):
        assert not at.exception
        assert "kunne ikke behandles" in _problem_messages(at) and "efter upload" in _texts(at)
        at.run()
    assert not list(uploads_dir(dataset).iterdir())


def test_removing_the_file_from_the_widget_removes_it_from_disk(dataset: Path) -> None:
    at = AppTest.from_function(_upload_app, default_timeout=30).run()
    content = csv_bytes([row(area="Nordfynn")])  # refused for its content: kept while the user maps
    at.file_uploader(key="joblog_upload").upload("fil.csv", content, "text/csv").run()
    assert len(list(uploads_dir(dataset).iterdir())) == 1
    at.file_uploader(key="joblog_upload").clear().run()
    assert not at.exception and not list(uploads_dir(dataset).iterdir())


def test_json_integers_too_long_for_python_stay_text() -> None:
    from joblog_dash.importing.readers import read_jobindsats_json

    frame, _kind = read_jobindsats_json(b'{"columns": ["a", "b"], "rows": [[' + b"9" * 5000 + b", 12]]}")
    assert frame["a"].to_list() == ["9" * 5000] and frame["b"].to_list() == ["12"]


HOSTILE_LABEL = "![x](http://example.invalid/x.png) [klik](http://example.invalid) **fed** <img src=x>"


def test_measure_labels_from_the_file_are_not_markdown(dataset: Path) -> None:
    """A wide sheet's measure names become widget labels: they must show literally (no image, no link)."""
    lines = [
        "Kommune;Nøgletal;2024M01;2024M02",
        "København;Antal personer;1000;1010",
        "København;Andel uden jobsøgning (pct.);12,5;12,3",
        f"København;{HOSTILE_LABEL};1;2",
    ]
    at = AppTest.from_function(_upload_app, default_timeout=30).run()
    at.file_uploader(key="joblog_upload").upload("bred.csv", "\n".join(lines).encode(), "text/csv").run()
    assert not at.exception
    labels = [w.label for w in at.selectbox if re.fullmatch(r"joblog_map_value_\d+_\d+", w.key or "")]
    (label,) = [lab for lab in labels if "klik" in lab]
    # Every Markdown/HTML character of the file's text is backslash-escaped.
    assert r"\!\[x\]\(http" in label and r"\[klik\]" in label and r"\*\*fed\*\*" in label
    assert r"\<img" in label
    assert not re.search(r"(?<!\\)[\[\]()!*<>]", label), label
    # Bare addresses are linked by GitHub-flavoured Markdown even when escaped: they must be broken up.
    assert "http://" not in label.replace("\\", "")


def test_escaped_text_has_no_bare_address_left() -> None:
    from joblog_dash.text.safety import escape_markdown

    for text in ("se http://x.dk/a", "HTTPS://x.dk", "www.x.dk", "skriv til a@b.dk", "ftp://x"):
        plain = escape_markdown(text).replace("\\", "")
        assert not re.search(r"(?i)\w://|www\.|\w@", plain), plain
        assert plain.replace("\u2060", "") == text  # only invisible word joiners are added


HUGE = "9" * 5000
ODD_CELLS = [  # (column, value) -> refused for that column with a short message, never a traceback
    ("Område", "²"),
    ("Område", "١٠١"),  # Arabic-Indic digits for 101: not a municipality code here
    ("Område", HUGE),
    ("Område", f"{HUGE} København"),
    ("Alder", f"{HUGE}-50"),
    ("Alder", f"{HUGE}+"),
    ("Periode", "²⁰¹⁸M01"),
    ("Antal personer", "²"),
    ("Antal personer", HUGE),
]


@pytest.mark.parametrize(("column", "value"), ODD_CELLS, ids=[f"{c}-{v[:6]}" for c, v in ODD_CELLS])
def test_odd_digits_and_huge_numbers_in_cells_are_refused_clearly(
    tmp_path: Path, column: str, value: str
) -> None:
    from importfixtures import HEADER

    from joblog_dash.importing import service

    header = [*HEADER[:3], "Alder", *HEADER[3:]]
    cells = dict(zip(header, [*row()[:3], "30-39 år", *row()[3:]], strict=True))
    cells[column] = value
    path = tmp_path / "fil.csv"
    path.write_bytes(csv_bytes([[cells[h] for h in header]], header=header))
    result = service.validate_file(path)
    assert not result.ok
    (problem,) = result.errors
    assert problem.column == column and problem.row == 2
    assert len(problem.message) < 200, problem.message


def test_municipality_codes_are_ascii_digits() -> None:
    from joblog_dash.data import reference

    assert reference.resolve_municipality("0101") == reference.resolve_municipality("101") == 101
    for text in ("²", "١٠١", "9" * 5000, "00101"):
        assert reference.resolve_municipality(text) is None


# --- Spreadsheet bombs: tiny XLSX files written here, each read in a child under limits -------------------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _cell(ref: str, kind: str, value: object) -> str:
    if kind == "inline":
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'
    return f'<c r="{ref}" t="s"><v>{value}</v></c>' if kind == "s" else f'<c r="{ref}"><v>{value}</v></c>'


def bomb_xlsx(
    path: Path,
    cells: list[tuple[str, str, object]],
    shared: tuple[str, ...] = (),
    dimension: str | None = None,
    prologue: str = "",
) -> Path:
    """A minimal workbook by hand (Excel's own parts, nothing else): cells as (ref, kind, value)."""
    rows: dict[int, list[str]] = {}
    for ref, kind, value in cells:
        rows.setdefault(int(re.sub(r"\D", "", ref)), []).append(_cell(ref, kind, value))
    body = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = f'{prologue}<worksheet xmlns="{_MAIN}">{dim}<sheetData>{body}</sheetData></worksheet>'
    strings = "".join(f"<si><t>{s}</t></si>" for s in shared)
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kinds}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kinds}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{kinds}.sharedStrings+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_DOC}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_DOC}"><sheets>'
            '<sheet name="Ark1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_DOC}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_DOC}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": f'<sst xmlns="{_MAIN}">{strings}</sst>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return path


HEAD = [("A1", "inline", "Område"), ("B1", "inline", "Periode")]
LAUGHS = (
    '<!DOCTYPE worksheet [<!ENTITY a "hahahahahahahahahahaha">'
    + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
    + "]>"
)
BOMBS = {  # name: (cells, shared strings, declared dimension, prologue, expected message)
    "far-apart": (
        [("A1", "inline", "Område"), ("XFD1", "inline", "x"), ("A10000", "inline", "y")],
        (),
        "A1:XFD10000",
        "",
        "16.384 kolonner",
    ),
    "one-string-400-times": (
        [*HEAD, *((f"A{i}", "s", 0) for i in range(2, 402))],
        ("x" * 10_000_000,),
        None,
        "",
        "MB tekst",
    ),
    "lying-dimension": ([*HEAD, ("XFD1048576", "n", 1)], (), "A1:B1", "", "1.048.576 rækker"),
    "long-number": ([*HEAD, ("A2", "n", "9" * 5000)], (), None, "", "5.000 tegn"),
    "entities": ([("A1", "inline", "&j;")], (), None, LAUGHS, "DTD"),
}


@pytest.mark.parametrize("name", list(BOMBS))
def test_spreadsheet_bombs_are_refused_within_limits(tmp_path: Path, name: str) -> None:
    """Each bomb is a few KB; read in a child with 1 GB of address space (the bare child maps about 670 MB)
    and a minute, it must end in its own clear refusal, not in the child running out of memory or time."""
    from joblog_dash.importing import isolate, readers

    cells, shared, dimension, prologue, expected = BOMBS[name]
    path = bomb_xlsx(tmp_path / f"{name}.xlsx", cells, shared, dimension, prologue)
    assert path.stat().st_size < 20_000
    with pytest.raises(readers.ReadError) as refused:
        isolate.run(readers.read_table, path, memory=1024 * 1024 * 1024, seconds=60)
    assert not isinstance(refused.value, isolate.LimitExceeded), str(refused.value)
    assert expected in str(refused.value) and "Excel" in str(refused.value)


def test_a_sheet_claiming_the_whole_grid_is_read_cheaply(tmp_path: Path) -> None:
    from joblog_dash.importing import isolate, readers

    cells = [*HEAD, ("A2", "inline", "København"), ("B2", "inline", "2018M01")]
    path = bomb_xlsx(tmp_path / "stor.xlsx", cells, dimension="A1:XFD1048576")
    raw = isolate.run(readers.read_table, path, memory=1024 * 1024 * 1024, seconds=60)
    assert raw.frame.to_dicts() == [{"Område": "København", "Periode": "2018M01"}]


def test_spreadsheet_caps_follow_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from joblog_dash.importing import readers

    header = [(f"{col}1", "inline", f"Felt {col}") for col in "ABCDEFGHIJKLMNO"]
    cells = [(f"{col}{r}", "n", r) for r in range(2, 2001) for col in "ABCDEFGHIJKLMNO"]  # 30,000 in all
    path = bomb_xlsx(tmp_path / "mellem.xlsx", [*header, *cells])
    assert readers.read_table(path).frame.shape == (1999, 15)
    monkeypatch.setenv("JOBLOG_MAX_IMPORT_MB", "1")  # 25,000 cells
    with pytest.raises(readers.ReadError, match="grænsen er 25.000 celler"):
        readers.read_table(path)


# --- Imports run in a child process under limits --------------------------------------------------------


def test_cli_import_over_the_memory_limit_stops_with_a_message(
    dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "fin.csv"
    path.write_bytes(ji.to_jobindsats_csv(make_frame(codes=[147])))
    before = tree_checksum(dataset)
    monkeypatch.setenv("JOBLOG_IMPORT_MEMORY_MB", "300")  # less than the bare child maps
    assert cli.main(["--data-dir", str(dataset), "import", str(path), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "kræver mere end 300 MB hukommelse" in err and "Intet er importeret" in err
    assert tree_checksum(dataset) == before
    monkeypatch.delenv("JOBLOG_IMPORT_MEMORY_MB")  # the same file within the default limit imports
    assert cli.main(["--data-dir", str(dataset), "import", str(path), "--quiet"]) == 0


def test_a_step_past_its_wall_clock_is_killed() -> None:
    import time

    from joblog_dash.importing import isolate

    with pytest.raises(isolate.LimitExceeded, match="mere end 2 sekunder"):
        isolate.run(time.sleep, 600, seconds=2)


def test_the_worker_never_parses_an_upload_and_keeps_only_a_sample(
    dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Parsing happens in the child: with the reader broken in this process the upload still works, and the
    session holds the first SAMPLE_ROWS rows, not the file's table."""
    from importfixtures import make_big_frame

    from joblog_dash.importing import readers, service
    from joblog_dash.ui.upload import STATE

    def not_here(*_args: object) -> None:
        raise AssertionError("the worker process parsed the upload")

    monkeypatch.setattr(readers, "read_table", not_here)
    big = make_big_frame(1)  # 98 municipalities: 14,700 rows, more than SAMPLE_ROWS
    content = ji.to_jobindsats_csv(big)
    at = AppTest.from_function(_upload_app, default_timeout=120).run()
    at.file_uploader(key="joblog_upload").upload("stor.csv", content, "text/csv").run()
    assert not at.exception
    assert at.session_state[STATE]["raw"].frame.height == service.SAMPLE_ROWS < big.height
    assert f"af {big.height:,} rækker".replace(",", ".") in _texts(at)
    assert "Filen er i orden" in _texts(at), _problem_messages(at)


def test_web_upload_over_the_memory_limit_leaves_the_page_working(
    dataset: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOBLOG_IMPORT_MEMORY_MB", "300")
    before = tree_checksum(dataset)
    at = AppTest.from_function(_upload_app, default_timeout=60).run()
    content = ji.to_jobindsats_csv(make_frame(codes=[147]))
    at.file_uploader(key="joblog_upload").upload("fil.csv", content, "text/csv").run()
    assert not at.exception and "efter upload" in _texts(at)
    assert "kræver mere end 300 MB hukommelse" in _problem_messages(at)
    assert not list(uploads_dir(dataset).iterdir()) and tree_checksum(dataset) == before


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] not in "ZX"
    except OSError:
        return False


def _wait_for(condition, seconds: float) -> bool:  # condition: () -> bool
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)  # polling a condition with a deadline, not a sleep standing in for sync
    return condition()


def _cpu_seconds(pid: int) -> float:
    import os

    try:
        fields = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def test_killing_the_cli_kills_its_import(dataset: Path, tmp_path: Path) -> None:
    """kill -9 of `joblog-dash import` must stop the import, not leave its child writing a version."""
    import os
    import signal
    import subprocess
    import sys

    from importfixtures import make_big_frame

    path = tmp_path / "stor.csv"
    path.write_bytes(ji.to_jobindsats_csv(make_big_frame(12)))  # 176,400 rows: seconds of reading first
    before = tree_checksum(dataset)
    command = [
        sys.executable,
        "-m",
        "joblog_dash.cli",
        "--data-dir",
        str(dataset),
        "import",
        str(path),
        "--quiet",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert _wait_for(lambda: _children(process.pid), 120)
        (child,) = _children(process.pid)
        # Half a second of CPU: its imports are loaded, so it has its call and is reading the file.
        assert _wait_for(lambda: _cpu_seconds(child) >= 0.5, 60)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert _wait_for(lambda: not _running(child), 120)  # without the link it would import, then end
    finally:
        if process.poll() is None:
            process.kill()
    assert tree_checksum(dataset) == before
