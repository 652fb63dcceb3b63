"""Each accepted format and encoding gives the same canonical rows; labels, numbers and totals are mapped."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from importfixtures import HEADER, csv_bytes, make_frame, row

from joblog_dash.data import reference, store
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing import service


def _validate(path: Path):
    result = service.validate_file(path)
    assert result.ok, [str(p) for p in result.problems]
    return result


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_jobindsats_csv_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    expected = make_frame(genders=("Kvinder", "Mænd"))
    text = ji.to_jobindsats_csv(expected).decode("utf-8-sig")
    path = tmp_path / "eksport.csv"
    path.write_bytes(text.encode(encoding))
    result = _validate(path)
    assert result.frame.equals(expected)
    assert (
        result.stats["encoding"]
        == {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8", "cp1252": "windows-1252"}[encoding]
    )


def test_canonical_csv_and_parquet(tmp_path: Path) -> None:
    expected = make_frame(groups=("kontanthjaelp", "dagpenge"))
    expected.write_csv(tmp_path / "kanonisk.csv")
    expected.write_parquet(tmp_path / "kanonisk.parquet")
    assert _validate(tmp_path / "kanonisk.csv").frame.equals(expected)
    assert _validate(tmp_path / "kanonisk.parquet").frame.equals(expected)


def test_jobindsats_api_json_with_decimal_comma_strings(tmp_path: Path) -> None:
    expected = make_frame()
    variables = [{"Name": f"v{i}", "Label": label} for i, label in enumerate(HEADER)]
    data = []
    for r in expected.iter_rows(named=True):
        data.append(
            [
                reference.municipality_name(r["municipality_code"]),
                r["month"].strftime("%YM%m"),
                "Jobparate kontanthjælpsmodtagere",
                f"{r['persons']:,}".replace(",", ".") + ",0",  # '1.049,0': thousands dot and decimal comma
                str(r["persons_0"]),
                r["persons_1_5"],  # a JSON number
                float(r["persons_6plus"]),
                f"{r['job_searches']},00",
            ]
        )
    path = tmp_path / "api.json"
    path.write_text(
        json.dumps([{"Variables": variables, "Data": data}], ensure_ascii=False), encoding="utf-8"
    )
    assert _validate(path).frame.equals(expected)


def test_xlsx_first_sheet(tmp_path: Path) -> None:
    import xlsxwriter

    expected = make_frame(genders=("Kvinder", "Mænd"))
    table = ji.to_jobindsats_frame(expected)
    path = tmp_path / "eksport.xlsx"
    with xlsxwriter.Workbook(path) as workbook:
        sheet = workbook.add_worksheet("Tabel")
        sheet.write_row(0, 0, table.columns)
        for i, values in enumerate(table.iter_rows(), start=1):
            # Counts as real numbers, as Excel users would have them.
            sheet.write_row(
                i, 0, [int(v.replace(".", "")) if v[0].isdigit() and "M" not in v else v for v in values]
            )
        workbook.add_worksheet("Noter").write(0, 0, "ignored")
    assert _validate(path).frame.equals(expected)


def test_name_variants_codes_and_thousands(tmp_path: Path) -> None:
    names = {
        "Århus": 751,
        "Aarhus Kommune": 751,
        "0101": 101,
        "147": 147,
        "Høje Taastrup": 169,
        "Nordfyn": 480,
        "Bornholms Regionskommune": 400,
        "461 Odense": 461,
        "Odense (461)": 461,
        "  københavn  ": None,
    }
    rows = [row(area=n, period=f"2018M{i + 1:02d}") for i, n in enumerate(names)]
    rows.append(row(group="Ydelsesgrupper i alt"))  # a total over groups: left out with a warning
    path = tmp_path / "navne.csv"
    path.write_bytes(csv_bytes(rows))
    result = _validate(path)
    assert any("alle ydelsesgrupper" in p.message for p in result.warnings)
    frame = result.frame
    assert sorted(frame["municipality_code"].to_list()) == sorted(
        [751, 751, 101, 147, 169, 480, 400, 461, 461, 101]
    )
    assert set(frame["persons"].to_list()) == {1234}
    assert set(frame["job_searches"].to_list()) == {2500}


def test_title_lines_above_header_and_comma_quoted_fields(tmp_path: Path) -> None:
    body = csv_bytes([row()]).decode("utf-8-sig")
    path = tmp_path / "med_titel.csv"
    path.write_text("Jobindsats: Joblog\n\n" + body, encoding="utf-8")
    result = _validate(path)
    assert result.frame["persons"].to_list() == [1234]


def test_suppressed_cells_derived_or_replaced_by_totals(tmp_path: Path) -> None:
    head = [*HEADER[:3], "Køn", *HEADER[3:]]
    rows = [
        # 101: one suppressed category per row is derived from the others.
        ["København", "2018M01", "A-dagpenge", "Kvinder", "100", "..", "80", "10", "300"],
        ["København", "2018M01", "A-dagpenge", "Mænd", "-", "5", "50", "5", "200"],
        # 147: two suppressed cells in a breakdown row -> the complete 'Køn i alt' row is stored instead.
        ["Frederiksberg", "2018M01", "A-dagpenge mv.", "Kvinder", "10", "..", "..", "1", "20"],
        ["Frederiksberg", "2018M01", "A-dagpenge mv.", "Mænd", "20", "2", "17", "1", "40"],
        ["Frederiksberg", "2018M01", "A-dagpenge mv.", "Køn i alt", "30", "4", "24", "2", "60"],
        # 751: suppressed without a total -> left out with a warning; job searches suppressed -> lower bound.
        ["Aarhus", "2018M01", "A-dagpenge", "Kvinder", "", "", "3", "1", "9"],
        ["Aarhus", "2018M01", "A-dagpenge", "Mænd", "12", "2", "9", "1", ".."],
    ]
    path = tmp_path / "diskretion.csv"
    path.write_bytes(csv_bytes(rows, header=head))
    result = _validate(path)
    frame = result.frame.sort("municipality_code", "gender")
    got = {
        (r["municipality_code"], r["gender"]): (
            r["persons"],
            r["persons_0"],
            r["persons_1_5"],
            r["persons_6plus"],
            r["job_searches"],
        )
        for r in frame.iter_rows(named=True)
    }
    assert got == {
        (101, "Kvinder"): (100, 10, 80, 10, 300),
        (101, "Mænd"): (60, 5, 50, 5, 200),
        (147, reference.TOTAL): (30, 4, 24, 2, 60),
        (751, "Mænd"): (12, 2, 9, 1, 9 + 6),
    }
    assert result.stats["derived_cells"] == 2
    assert result.stats["job_searches_estimated"] == 1
    assert any("udeladt" in p.message for p in result.warnings)


def test_totals_rows_are_checks_never_double_counted(tmp_path: Path) -> None:
    head = [*HEADER[:3], "Køn", "Alder", *HEADER[3:]]
    cells = {
        ("Kvinder", "16-24 år"): 10,
        ("Kvinder", "50-59 år"): 4,
        ("Kvinder", "60 år+"): 6,
        ("Mænd", "16-24 år"): 20,
        ("Mænd", "50 år og derover"): 30,
    }
    rows = [
        ["Odense", "2018M03", "Jobparate kontanthjælpsmodtagere", g, a, str(n), "0", str(n), "0", str(n)]
        for (g, a), n in cells.items()
    ]
    rows += [
        [
            "Odense",
            "2018M03",
            "Jobparate kontanthjælpsmodtagere",
            "Køn i alt",
            "Alder i alt",
            "70",
            "0",
            "70",
            "0",
            "70",
        ],
        [
            "Odense",
            "2018M03",
            "Jobparate kontanthjælpsmodtagere",
            "Kvinder",
            "Alder i alt",
            "20",
            "0",
            "20",
            "0",
            "20",
        ],
        [
            "Odense",
            "2018M03",
            "Jobparate kontanthjælpsmodtagere",
            "Køn i alt",
            "16-24 år",
            "30",
            "0",
            "30",
            "0",
            "30",
        ],
    ]
    path = tmp_path / "totaler.csv"
    path.write_bytes(csv_bytes(rows, header=head))
    frame = _validate(path).frame
    assert frame["persons"].sum() == 70  # the totals rows are not added on top
    assert frame.filter(pl.col("age_group") == "50+")["persons"].sort().to_list() == [10, 30]
    assert set(frame["gender"]) == {"Kvinder", "Mænd"} and set(frame["origin"]) == {reference.TOTAL}


def test_aggregate_rows_checked_and_not_stored(tmp_path: Path) -> None:
    codes = reference.municipalities()["code"].to_list()
    frame = make_frame(months=[date(2018, 5, 1)], codes=codes)
    csv = ji.to_jobindsats_csv(frame).decode("utf-8-sig").splitlines()
    total = frame.select(
        pl.col(c).sum() for c in ("persons", "persons_0", "persons_1_5", "persons_6plus", "job_searches")
    ).row(0)
    hovedstaden = frame.join(
        pl.DataFrame(
            {
                "municipality_code": reference.municipality_codes_in(
                    reference.area_by_key("region-hovedstaden")
                )
            },
            schema={"municipality_code": pl.Int32},
        ),
        on="municipality_code",
    )
    region = hovedstaden.select(
        pl.col(c).sum() for c in ("persons", "persons_0", "persons_1_5", "persons_6plus", "job_searches")
    ).row(0)
    csv.append(";".join(["Hele landet", "2018M05", "Jobparate kontanthjælpsmodtagere", *map(str, total)]))
    csv.append(
        ";".join(["Region Hovedstaden", "2018M05", "Jobparate kontanthjælpsmodtagere", *map(str, region)])
    )
    path = tmp_path / "med_landstal.csv"
    path.write_text("\n".join(csv), encoding="utf-8")
    result = _validate(path)
    assert result.frame.equals(frame)
    assert result.stats["aggregate_rows_checked"] == 2


def test_import_without_job_searches_column_estimates_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "uden_soegninger.csv"
    path.write_bytes(csv_bytes([row(counts=("1.234", "200", "1.000", "34"))], header=HEADER[:-1]))
    report = service.import_file(path, data_dir=tmp_path / "data")
    facts, manifest_path = store.current_paths(tmp_path / "data")
    assert pl.read_parquet(facts)["job_searches"].to_list() == [1000 + 6 * 34]
    details = store.read_manifest(manifest_path).details
    assert details["job_searches_estimated_rows"] == 1 and "nedre grænse" in details["job_searches_note"]
    assert report.stats["job_searches_column"] is False
