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
    from joblog_dash.importing import service

    def broken(_path: object) -> None:
        raise KeyError("raw")

    monkeypatch.setattr(service, "read_file", broken)
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
