"""Jobindsats' conventions in the reader: API v3 JSON and CSV, 'Area', period codes, missing cells,
rounded counts, aggregate and non-municipal rows, and every spelling of the 98 names."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from importfixtures import V3_HEADER, api_rows, make_frame, v3_csv, v3_json

from joblog_dash.data import reference
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing import service

MONTHS = [date(2018, 1, 1), date(2018, 2, 1), date(2018, 3, 1)]
CODES = [101, 169, 480, 820, 400]  # København, Høje-Taastrup, Nordfyns, Vesthimmerlands, Bornholm
KK = "Jobparate kontanthjælpsmodtagere"


def _write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _ok(path: Path):
    result = service.validate_file(path)
    assert result.ok, [str(p) for p in result.problems]
    return result


def test_v3_json_with_area_header_json_numbers_and_null(tmp_path: Path) -> None:
    expected = make_frame(months=MONTHS, codes=CODES)
    rows = api_rows(expected)  # newest period first: not sorted
    rows[0][4] = None  # persons_0 null: derived as persons - (1-5) - (6+), never read as 0
    rows[1][3] = float(rows[1][3])  # 1049.0 as a JSON number is a count
    # Odense with two nulls cannot be derived: left out, not stored as 0.
    rows.append(["Odense", "2018M01", KK, 50, None, None, 5, 40])
    result = _ok(_write(tmp_path, "svar.json", v3_json(rows)))
    assert result.stats["format"] == "json-jobindsats-v3"
    assert result.frame.equals(expected)
    assert result.stats["derived_cells"] == 1 and result.stats["rows_left_out_suppressed"] == 1
    assert 461 not in result.frame["municipality_code"].to_list()


def test_v3_json_columns_as_objects(tmp_path: Path) -> None:
    expected = make_frame(codes=[101])
    columns = [{"name": f"c{i}", "label": label} for i, label in enumerate(V3_HEADER)]
    path = _write(tmp_path, "svar.json", v3_json(api_rows(expected), header=columns))
    assert _ok(path).frame.equals(expected)


@pytest.mark.parametrize("missing", ["", "..", "-", "null"])
def test_v3_csv_missing_cells_are_missing_never_zero(tmp_path: Path, missing: str) -> None:
    expected = make_frame(months=MONTHS, codes=CODES)
    rows = api_rows(expected)
    rows[2][5] = None  # persons_1_5 written as `missing` below
    content = v3_csv(rows).decode().replace(";;", f";{missing};", 1).encode()
    if missing == "":
        content = v3_csv(rows)
    result = _ok(_write(tmp_path, "svar.csv", content))
    assert result.frame.equals(expected)  # read as 0 the categories would not add up and it would fail
    assert result.stats["derived_cells"] == 1


def test_csv_with_title_lines_and_area_header(tmp_path: Path) -> None:
    expected = make_frame(codes=[101, 147])
    body = v3_csv(api_rows(expected)).decode()
    path = _write(tmp_path, "titel.csv", ("Joblog, udtræk fra Jobindsats\n\n" + body).encode())
    assert _ok(path).frame.equals(expected)


@pytest.mark.parametrize(
    ("code", "kind"),
    [("2024Q3", "et kvartal"), ("2024QMAT03", "løbende år"), ("2024H1", "et halvår"), ("2024", "helt år")],
)
def test_non_monthly_periods_refused_saying_the_dashboard_is_monthly(
    tmp_path: Path, code: str, kind: str
) -> None:
    rows = [["København", code, KK, 100, 10, 80, 10, 200]]
    result = service.validate_file(_write(tmp_path, "kvartal.csv", v3_csv(rows)))
    assert not result.ok
    (problem,) = [p for p in result.errors if p.column == "Periode"]
    assert kind in problem.message and "pr. måned" in problem.message and problem.row == 2


@pytest.mark.parametrize("label", ["2018M01", "2018-01", "januar 2018", "jan. 2018", "2018-01-01 00:00:00"])
def test_monthly_period_spellings(label: str) -> None:
    assert ji.period(label) == date(2018, 1, 1)


def _rounded_rows(frederiksberg_persons: int) -> list[list[object]]:
    # persons, 0, 1-5, 6+, job searches; every count a multiple of 10 (14 non-zero counts).
    return [
        ["København", "2018M01", KK, 100, 20, 70, 10, 200],  # adds up exactly
        ["Frederiksberg", "2018M01", KK, frederiksberg_persons, 20, 80, 0, 160],  # categories sum to 100
        ["Odense", "2018M01", KK, 50, 10, 30, 10, 100],
        ["Aarhus", "2018M01", KK, 30, 10, 20, 0, 10],  # 10 searches < 20 persons with 1-5: clamped to 20
    ]


def test_counts_rounded_to_tens_are_detected_and_reported(tmp_path: Path) -> None:
    result = _ok(_write(tmp_path, "afrundet.csv", v3_csv(_rounded_rows(110))))
    assert result.stats["rounded_to_tens"] is True
    assert result.stats["persons_set_to_sum_rows"] == 1 and result.stats["job_searches_clamped_rows"] == 1
    assert any("afrundet til nærmeste 10" in p.message for p in result.warnings)
    got = {
        r[0]: r[1:] for r in result.frame.select("municipality_code", "persons", "job_searches").iter_rows()
    }
    # By hand: Frederiksberg 20 + 80 + 0 = 100 persons; Aarhus at least 20 searches (20 persons with 1-5).
    assert got == {101: (100, 200), 147: (100, 160), 461: (50, 100), 751: (30, 20)}


def test_rounded_counts_still_refused_beyond_the_tolerance(tmp_path: Path) -> None:
    result = service.validate_file(_write(tmp_path, "afrundet.csv", v3_csv(_rounded_rows(130))))
    assert not result.ok
    assert [p.row for p in result.errors if "summerer ikke" in p.message] == [3]


def test_unrounded_file_gets_no_tolerance(tmp_path: Path) -> None:
    rows = _rounded_rows(110)
    rows[2] = ["Odense", "2018M01", KK, 51, 11, 30, 10, 100]
    result = service.validate_file(_write(tmp_path, "ikke_afrundet.csv", v3_csv(rows)))
    assert not result.ok and result.stats["rounded_to_tens"] is False
    assert [p.row for p in result.errors if "summerer ikke" in p.message] == [3]


def _national(frame: pl.DataFrame, extra: list[tuple[int, ...]]) -> list[object]:
    """Hele landet row: the sum over the municipalities plus the given extra rows, column by column."""
    sums = [frame[m].sum() + sum(e[i] for e in extra) for i, m in enumerate(ji.MEASURES)]
    return ["Hele landet", "2018M05", KK, *sums]


UOPLYST = (20, 5, 10, 5, 40)
CHRISTIANSOE = (3, 1, 2, 0, 4)


def test_uoplyst_and_christiansoe_counted_in_the_national_check_and_never_stored(tmp_path: Path) -> None:
    frame = make_frame(months=[date(2018, 5, 1)], codes=reference.municipalities()["code"].to_list())
    rows = api_rows(frame)
    rows += [
        ["Uoplyst område", "2018M05", KK, *UOPLYST],
        ["411 Christiansø", "2018M05", KK, *CHRISTIANSOE],
        _national(frame, [UOPLYST, CHRISTIANSOE]),
        ["RAR Fyn", "2018M05", KK, None, None, None, None, None],
    ]
    result = _ok(_write(tmp_path, "land.csv", v3_csv(rows)))
    assert result.frame.equals(frame)
    assert result.stats["non_municipal_rows"] == 2 and result.stats["aggregate_rows_checked"] == 2
    assert any("Christiansø og Uoplyst område" in p.message for p in result.warnings)


def test_national_total_without_the_unknown_area_is_checked_exactly(tmp_path: Path) -> None:
    frame = make_frame(months=[date(2018, 5, 1)], codes=reference.municipalities()["code"].to_list())
    # Hele landet includes Uoplyst område, but the file leaves that row out: refused, with a hint.
    rows = [*api_rows(frame), _national(frame, [UOPLYST])]
    result = service.validate_file(_write(tmp_path, "land.csv", v3_csv(rows)))
    assert not result.ok
    messages = [p.message for p in result.errors]
    assert any("summen af kommunerne" in m and "Uoplyst område" in m for m in messages)


JOBINDSATS_SPELLINGS = [
    ("København", 101),
    ("Høje-Taastrup", 169),
    ("Nordfyns", 480),
    ("Vesthimmerlands", 820),
    ("Bornholm", 400),
    ("Københavns Kommune", 101),
    ("Århus", 751),
    ("Høje Taastrup", 169),
    ("Bornholms Regionskommune", 400),
    ("Regionskommunen Bornholm", 400),
    ("Nordfyns Kommune", 480),
    ("Vesthimmerlands Kommune", 820),
    ("Lyngby-Taarbæk Kommune", 173),
    ("Kgs. Lyngby", 173),
    ("Brønderslev-Dronninglund", 810),
    ("Ringkøbing Skjern", 760),
    ("Aabenraa", 580),
    ("Ålborg", 851),
]


@pytest.mark.parametrize(("label", "code"), JOBINDSATS_SPELLINGS)
def test_jobindsats_spellings(label: str, code: int) -> None:
    assert ji.municipality(label) == code


def test_each_of_the_98_names_in_every_common_form() -> None:
    wrong = []
    for code, name in reference.municipalities().select("code", "name").iter_rows():
        ascii_name = name.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
        for form in (
            name,
            f"{name} Kommune",
            name.replace("-", " "),
            ascii_name,
            name.upper(),
            f"{code} {name}",
        ):
            if ji.municipality(form) != code:
                wrong.append(form)
    assert wrong == []


def test_christiansoe_and_unknown_area_are_not_municipalities() -> None:
    for label in ("Christiansø", "411", "411 Christiansø", "Uoplyst område"):
        assert ji.municipality(label) is None
        assert ji.non_municipal(label) in {"Christiansø", "Uoplyst område"}


def test_table_without_joblog_measures_says_what_was_found_needed_and_that_mapping_helps(
    tmp_path: Path,
) -> None:
    header = ["Area", "Periode", "Ydelsesgruppe", "Antal fuldtidspersoner", "Andel af befolkningen"]
    rows = [["København", "2024M01", KK, "1234", "2,5"]]
    result = service.validate_file(_write(tmp_path, "benchmark.csv", v3_csv(rows, header=header)))
    assert not result.ok
    (message,) = [p.message for p in result.errors]
    assert (
        "Fundne kolonner: Area, Periode, Ydelsesgruppe, Antal fuldtidspersoner, Andel af befolkningen"
        in message
    )
    assert "mindst tre af de fire antal-kolonner" in message and "Antal personer uden registreret" in message
    assert "ligner en Jobindsats-tabel med andre mål" in message
    assert "kortlægningstrinnet" in message
