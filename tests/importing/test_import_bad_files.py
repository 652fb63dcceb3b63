"""A corpus of bad files: each is refused with its own message and leaves the dataset byte-identical."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from importfixtures import HEADER, csv_bytes, make_frame, row, tree_checksum, write_dataset

from joblog_dash.data import reference
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing import service

KK = "Jobparate kontanthjælpsmodtagere"


def _all_municipalities_with_wrong_national_total() -> bytes:
    frame = make_frame(months=[date(2018, 5, 1)], codes=reference.municipalities()["code"].to_list())
    lines = ji.to_jobindsats_csv(frame).decode("utf-8-sig").splitlines()
    persons = frame["persons"].sum() + 1
    lines.append(
        f"Hele landet;2018M05;{KK};{persons};{frame['persons_0'].sum() + 1};{frame['persons_1_5'].sum()};"
        f"{frame['persons_6plus'].sum()};{frame['job_searches'].sum()}"
    )
    return "\n".join(lines).encode()


def _xlsx_missing_column(tmp: Path) -> bytes:
    import xlsxwriter

    path = tmp / "x.xlsx"
    with xlsxwriter.Workbook(path) as workbook:
        sheet = workbook.add_worksheet()
        sheet.write_row(0, 0, ["Område", "Ydelsesgruppe", *HEADER[3:]])
        sheet.write_row(1, 0, ["København", KK, 10, 1, 8, 1, 20])
    return path.read_bytes()


def _parquet_without_columns(tmp: Path) -> bytes:
    path = tmp / "x.parquet"
    make_frame().drop("origin").write_parquet(path)
    return path.read_bytes()


def _canonical_with_unknown_code(tmp: Path) -> bytes:
    frame = make_frame().with_columns(pl.lit(999, pl.Int32).alias("municipality_code"))
    return frame.write_csv().encode()


GENDER_HEAD = [*HEADER[:3], "Køn", *HEADER[3:]]
# (case id, file name, content (bytes or builder), expected text in one message, expected row, expected column)
CORPUS: list[tuple[str, str, bytes | Callable[[Path], bytes], str, int | None, str | None]] = [
    ("empty", "tom.csv", b"", "tom", None, None),
    ("header-only", "kun_overskrift.csv", csv_bytes([]), "ingen datarækker", None, None),
    (
        "no-area-column",
        "uden_omraade.csv",
        csv_bytes([row()[1:]], header=HEADER[1:]),
        "påkrævede kolonne",
        None,
        "Område",
    ),
    (
        "too-few-measures",
        "faa_maal.csv",
        csv_bytes([row()[:4]], header=HEADER[:4]),
        "mangler målekolonner",
        None,
        None,
    ),
    (
        "unknown-municipality",
        "ukendt.csv",
        csv_bytes([row(), row(area="Nordfynn")]),
        "mente du 'Nordfyns'",
        3,
        "Område",
    ),
    (
        "code-name-disagree",
        "kode_navn.csv",
        csv_bytes([row(area="101 Odense")]),
        "ukendt kommune",
        2,
        "Område",
    ),
    (
        "bad-month",
        "maaned13.csv",
        csv_bytes([row(period="2018M13")]),
        "ugyldig periode '2018M13'",
        2,
        "Periode",
    ),
    ("future-month", "fremtid.csv", csv_bytes([row(period="2099M01")]), "ugyldig periode", 2, "Periode"),
    (
        "unknown-group",
        "gruppe.csv",
        csv_bytes([row(group="Førtidspensionister")]),
        "ukendt ydelsesgruppe",
        2,
        "Ydelsesgruppe",
    ),
    (
        "negative",
        "negativ.csv",
        csv_bytes([row(counts=("-5", "1", "1", "1", "20"))]),
        "negativ",
        2,
        "Antal personer",
    ),
    (
        "decimal",
        "decimal.csv",
        csv_bytes([row(counts=("12,5", "1", "10", "1", "20"))]),
        "ikke et helt tal",
        2,
        "Antal personer",
    ),
    (
        "text-count",
        "tekst.csv",
        csv_bytes([row(counts=("mange", "1", "10", "1", "20"))]),
        "ikke et tal",
        2,
        "Antal personer",
    ),
    (
        "bad-thousands",
        "tusind.csv",
        csv_bytes([row(counts=("1.23", "1", "1", "1", "20"))]),
        "tusindtalsseparator",
        2,
        "Antal personer",
    ),
    (
        "too-large",
        "stort_tal.csv",
        csv_bytes([row(counts=("99999999999", "1", "1", "1", "20"))]),
        "for stort",
        2,
        "Antal personer",
    ),
    (
        "categories",
        "summerer.csv",
        csv_bytes([row(counts=("100", "10", "80", "5", "200"))]),
        "summerer ikke",
        2,
        "Antal personer",
    ),
    (
        "duplicate",
        "dublet.csv",
        csv_bytes([row(), row(area="Kbh", period="2018M02"), row()]).replace(b"Kbh", "København".encode()),
        "dubletrække",
        4,
        None,
    ),
    (
        "searches-low",
        "faa_soeg.csv",
        csv_bytes([row(counts=("100", "10", "80", "10", "100"))]),
        "færre",
        2,
        "Antal registrerede jobsøgninger",
    ),
    (
        "searches-high",
        "mange_soeg.csv",
        csv_bytes([row(counts=("100", "10", "80", "10", "9999"))]),
        "flere end muligt",
        2,
        "Antal registrerede jobsøgninger",
    ),
    (
        "aggregate-mismatch",
        "landstal.csv",
        lambda _t: _all_municipalities_with_wrong_national_total(),
        "summen af kommunerne",
        100,
        "Antal personer",
    ),
    (
        "only-aggregates",
        "kun_land.csv",
        csv_bytes([row(area="Hele landet")]),
        "ingen kommunerækker",
        None,
        "Område",
    ),
    (
        "total-mismatch",
        "koen.csv",
        csv_bytes(
            [
                ["Odense", "2018M01", KK, "Kvinder", "10", "1", "9", "0", "9"],
                ["Odense", "2018M01", KK, "Mænd", "20", "2", "18", "0", "18"],
                ["Odense", "2018M01", KK, "Køn i alt", "31", "3", "28", "0", "28"],
            ],
            header=GENDER_HEAD,
        ),
        "Køn i alt har 31",
        4,
        "Antal personer",
    ),
    (
        "unknown-gender",
        "koen_ukendt.csv",
        csv_bytes([["Odense", "2018M01", KK, "Ukendt", "10", "1", "9", "0", "9"]], header=GENDER_HEAD),
        "ukendt værdi 'Ukendt'",
        2,
        "Køn",
    ),
    (
        "html-name",
        "html.csv",
        csv_bytes([row(area="<script>alert(1)</script>")]),
        "'<script>alert(1)</script>'",
        2,
        "Område",
    ),
    ("binary", "binaer.csv", b"PK\x03\x04\x00\x00garbage\x00" * 50, "binære data", None, None),
    ("bad-encoding", "kodning.csv", csv_bytes([row()]) + b"\x81\x8d\x90", "tegnkodningen", None, None),
    ("unsupported-type", "tal.pdf", b"%PDF-1.4", "understøttes ikke", None, None),
    ("broken-json", "api.json", b'[{"Variables": [', "JSON-filen er ugyldig", None, None),
    ("json-shape", "form.json", json.dumps({"rows": []}).encode(), "Jobindsats' form", None, None),
    (
        "json-ragged",
        "skaev.json",
        json.dumps(
            [{"Variables": [{"Name": "a", "Label": "Område"}], "Data": [["København", "x"]]}]
        ).encode(),
        "række 1",
        None,
        None,
    ),
    ("broken-xlsx", "ark.xlsx", b"not a zip file at all", "ikke en gyldig Excel-fil", None, None),
    ("xlsx-missing-period", "ark2.xlsx", _xlsx_missing_column, "påkrævede kolonne", None, "Periode"),
    (
        "parquet-columns",
        "kanon.parquet",
        _parquet_without_columns,
        "mangler kanoniske kolonner: origin",
        None,
        None,
    ),
    (
        "canonical-unknown-code",
        "kanon.csv",
        _canonical_with_unknown_code,
        "ukendt kommune eller område '999'",
        2,
        "municipality_code",
    ),
]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    write_dataset(data_dir)
    return data_dir


@pytest.mark.parametrize(
    ("case", "name", "content", "expected", "row_no", "column"), CORPUS, ids=[c[0] for c in CORPUS]
)
def test_bad_file_refused_with_its_message_and_data_unchanged(
    dataset: Path,
    tmp_path: Path,
    case: str,
    name: str,
    content,
    expected: str,
    row_no: int | None,
    column: str | None,
) -> None:
    path = tmp_path / name
    path.write_bytes(content(tmp_path) if callable(content) else content)
    before = tree_checksum(dataset)
    with pytest.raises(service.ImportRefused) as refused:
        service.import_file(path, data_dir=dataset)
    problems = [p for p in refused.value.problems if p.severity == "fejl"]
    matching = [p for p in problems if expected in p.message]
    assert matching, f"{case}: no message with {expected!r} in {[str(p) for p in problems]}"
    assert all(p.file == name for p in matching)
    assert any(p.row == row_no and p.column == column for p in matching), [str(p) for p in matching]
    assert tree_checksum(dataset) == before


def test_corpus_size() -> None:
    assert len(CORPUS) >= 20 and len({c[0] for c in CORPUS}) == len(CORPUS)


def test_size_limit_refuses_before_reading(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOBLOG_MAX_IMPORT_MB", "0.001")  # about 1 KB
    path = tmp_path / "stor.csv"
    path.write_bytes(csv_bytes([row()] * 100))
    before = tree_checksum(dataset)
    with pytest.raises(service.ImportRefused) as refused:
        service.import_file(path, data_dir=dataset)
    assert "JOBLOG_MAX_IMPORT_MB" in str(refused.value) and "ikke læst" in str(refused.value)
    assert tree_checksum(dataset) == before


def test_cli_reports_row_and_column_without_traceback(dataset: Path, tmp_path: Path) -> None:
    path = tmp_path / "ukendt.csv"
    path.write_bytes(csv_bytes([row(), row(area="Nordfynn")]))
    before = tree_checksum(dataset)
    for command in (["validate", str(path)], ["import", str(path)]):
        done = subprocess.run(
            [sys.executable, "-m", "joblog_dash.cli", "--data-dir", str(dataset), *command, "--quiet"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1
        assert "ukendt.csv, række 3, kolonne 'Område'" in done.stderr and "Nordfyns" in done.stderr
        assert "Traceback" not in done.stderr
    assert tree_checksum(dataset) == before
