"""The mapping step: guess, apply (long, wide, shares), profiles, preview, and the CLI options."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from importfixtures import make_frame, tree_checksum, wide_xlsx, write_dataset

from joblog_dash import cli
from joblog_dash.data import store
from joblog_dash.importing import mapping as mp
from joblog_dash.importing import service
from joblog_dash.importing.readers import RawTable

KK = "kontanthjaelp"


def _counts(frame: pl.DataFrame) -> dict[tuple[int, str], tuple[int, ...]]:
    return {
        (r["municipality_code"], r["month"].strftime("%Y-%m")): (
            r["persons"],
            r["persons_0"],
            r["persons_1_5"],
            r["persons_6plus"],
            r["job_searches"],
        )
        for r in frame.iter_rows(named=True)
    }


# By hand (largest remainder over the three shares, normalised to their sum):
# København 2024-01: 1000 × 12,5/80/7,5 % = 125/800/75 exactly.
# København 2024-02: 1010 × 12,3/80,2/7,5 % = 124,23/810,02/75,75 -> floors 124/810/75 = 1009, 1 left for
#   the largest remainder (0,75: 6+) -> 124/810/76.
# Odense 2024-01: 333 × 10/60/30 % = 33,3/199,8/99,9 -> floors 33/199/99 = 331, 2 left for 0,9 (6+) and
#   0,8 (1-5) -> 33/200/100.
# Odense 2024-02: 0 jobsøgninger suppressed: 1-5 = 340 × 60 % = 204, 6+ = 340 × 30 % = 102, and the
#   validator derives 0 = 340 - 204 - 102 = 34.
# Job searches are not in the sheet: the lower bound (1-5) + 6 × (6+).
WIDE_EXPECTED = {
    (101, "2024-01"): (1000, 125, 800, 75, 800 + 6 * 75),
    (101, "2024-02"): (1010, 124, 810, 76, 810 + 6 * 76),
    (461, "2024-01"): (333, 33, 200, 100, 200 + 6 * 100),
    (461, "2024-02"): (340, 34, 204, 102, 204 + 6 * 102),
}


@pytest.mark.parametrize("months_as_dates", [True, False])
def test_wide_xlsx_with_title_rows_and_shares(tmp_path: Path, months_as_dates: bool) -> None:
    path = wide_xlsx(tmp_path / "benchmark.xlsx", months_as_dates)
    raw = service.read_file(path)
    assert raw.frame.columns[:2] == ["Kommune", "Nøgletal"] and raw.first_row == 4  # header on sheet row 3
    guess = mp.guess_mapping(raw.frame)
    assert guess.layout == "wide" and guess.columns == {"area": "Kommune"}
    assert guess.measure_column == "Nøgletal"
    assert set(guess.measure_values.values()) == {"persons", "persons_0", "persons_1_5", "persons_6plus"}
    assert guess.units == {"persons_0": "percent", "persons_1_5": "percent", "persons_6plus": "percent"}
    guess.constants["group"] = "Jobparate kontanthjælpsmodtagere"  # the sheet is for one group
    result = service.validate_file(path, mapping=guess)
    assert result.ok, [str(p) for p in result.problems]
    assert _counts(result.frame) == WIDE_EXPECTED
    assert result.stats["counts_from_shares"] == 11  # 3 × 3 apportioned + 2 rounded one by one
    # Largest rounding by hand: Odense 2024-01, 0 jobsøgninger 33 vs 33,3.
    assert result.stats["share_rounding_worst"] == pytest.approx(0.3)
    assert any("regnet ud af andele" in p.message for p in result.warnings)


def test_long_layout_with_other_headers_and_fraction_shares(tmp_path: Path) -> None:
    path = tmp_path / "udtraek.csv"
    path.write_text(
        "Kommunenavn;Måned;Målgruppe;Personer i alt;Andel uden jobsøgning;Andel 1-5 jobsøgninger;"
        "Andel 6+ jobsøgninger\n"
        "Aarhus;2024-03;Jobparate kontanthjælpsmodtagere;200;0,1;0,75;0,15\n"
        "Høje Taastrup;2024-03;Jobparate kontanthjælpsmodtagere;50;0,2;0,7;0,1\n",
        encoding="utf-8",
    )
    raw = service.read_file(path)
    guess = mp.guess_mapping(raw.frame)
    assert guess.layout == "long"
    assert guess.columns == {
        "area": "Kommunenavn",
        "period": "Måned",
        "group": "Målgruppe",
        "persons": "Personer i alt",
        "persons_0": "Andel uden jobsøgning",
        "persons_1_5": "Andel 1-5 jobsøgninger",
        "persons_6plus": "Andel 6+ jobsøgninger",
    }
    assert set(guess.units.values()) == {"fraction"}
    result = service.validate_file(path, mapping=guess)
    assert result.ok, [str(p) for p in result.problems]
    # 200 × 0,1/0,75/0,15 = 20/150/30; 50 × 0,2/0,7/0,1 = 10/35/5 (exact, no rounding).
    assert _counts(result.frame) == {
        (751, "2024-03"): (200, 20, 150, 30, 150 + 6 * 30),
        (169, "2024-03"): (50, 10, 35, 5, 35 + 6 * 5),
    }
    assert result.stats["share_rounding_worst"] == 0


def test_shares_that_do_not_add_up_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "forkert.csv"
    path.write_text(
        "Kommune;Periode;Personer;Andel uden jobsøgning (pct.);Andel 1-5 jobsøgninger (pct.);"
        "Andel 6+ jobsøgninger (pct.)\nOdense;2024M01;100;10;60;10\n",
        encoding="utf-8",
    )
    mapping = mp.guess_mapping(service.read_file(path).frame)
    mapping.constants["group"] = KK
    result = service.validate_file(path, mapping=mapping)
    assert not result.ok
    assert any("summerer til 80,0 pct." in p.message and p.row == 2 for p in result.errors)


def test_mapping_naming_a_missing_column_is_refused_with_the_columns_found(tmp_path: Path) -> None:
    raw = RawTable(pl.DataFrame({"Kommune": ["Odense"], "Tal": ["1"]}), "csv-jobindsats", 2)
    mapped = mp.apply_mapping(raw, mp.Mapping(columns={"area": "Kommune", "persons": "Personer"}), "f.csv")
    assert mapped.raw is None
    assert "'Personer'" in mapped.problems[0].message and "fandt: Kommune, Tal" in mapped.problems[0].message


def test_wide_rows_report_the_source_row(tmp_path: Path) -> None:
    path = wide_xlsx(tmp_path / "benchmark.xlsx")
    mapping = mp.guess_mapping(service.read_file(path).frame)
    mapping.constants["group"] = KK
    mapping.measure_values = {k: v for k, v in mapping.measure_values.items() if v != "persons"}
    result = service.validate_file(path, mapping=mapping)
    assert not result.ok  # shares without persons cannot become counts
    assert any("andele kræver" in p.message for p in result.errors)


def test_profiles_save_load_sanitise_and_refuse_bad_files(tmp_path: Path) -> None:
    mapping = mp.Mapping(
        layout="wide", columns={"area": "Kommune"}, constants={"group": KK}, measure_column="Nøgletal"
    )
    saved = mp.save_profile("../../STAR benchmark!", mapping, tmp_path)
    assert saved == tmp_path / "import_profiles" / "star-benchmark.json"
    assert mp.list_profiles(tmp_path) == ["star-benchmark"]
    assert mp.load_profile("STAR benchmark", tmp_path) == mapping
    with pytest.raises(mp.MappingError, match="findes ikke .*star-benchmark"):
        mp.load_profile("andet", tmp_path)
    with pytest.raises(mp.MappingError, match="navn"):
        mp.profile_name("../..")
    (tmp_path / "import_profiles" / "ødelagt.json").write_text("{", encoding="utf-8")
    with pytest.raises(mp.MappingError, match="kan ikke læses"):
        mp.load_profile("ødelagt", tmp_path)
    (tmp_path / "import_profiles" / "forkert.json").write_text(
        json.dumps({"columns": {"kommune": "A"}}), encoding="utf-8"
    )
    with pytest.raises(mp.MappingError, match="ukendte felter"):
        mp.load_profile("forkert", tmp_path)


def test_preview_reports_changes_and_months_and_writes_nothing(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    old = make_frame(months=[date(2024, 1, 1)], codes=[101, 461])
    write_dataset(data_dir, old)
    before = tree_checksum(data_dir)
    path = wide_xlsx(tmp_path / "benchmark.xlsx")
    mapping = mp.guess_mapping(service.read_file(path).frame)
    mapping.constants["group"] = KK
    report = service.import_file(path, data_dir, dry_run=True, mapping=mapping)
    # January: both municipalities' cells are replaced (changed); February is new (added).
    assert (report.added, report.changed, report.removed) == (2, 2, 0)
    assert report.affected_months == ["2024-01", "2024-02"] and report.version is None
    assert report.rows_in_file == 8  # rows in the sheet, not the 4 rows after the months are unpivoted
    assert {c["kommune"] for c in report.largest_changes} == {"København", "Odense"}
    assert tree_checksum(data_dir) == before
    done = service.import_file(path, data_dir, mapping=mapping, profile="star-benchmark", actor="a@b.dk")
    entry = store.current_manifest(data_dir).files[-1]
    assert done.version and entry["profile"] == "star-benchmark" and entry["actor"] == "a@b.dk"
    # Importing the same file again changes nothing: no month is affected.
    again = service.import_file(path, data_dir, dry_run=True, mapping=mapping)
    assert again.affected_months == [] and again.unchanged


def test_cli_save_and_reuse_a_profile(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "data"
    path = wide_xlsx(tmp_path / "benchmark.xlsx")
    base = ["--data-dir", str(data_dir)]
    code = cli.main(
        [
            *base,
            "import",
            str(path),
            "--dry-run",
            "--quiet",
            "--constant",
            f"group={KK}",
            "--save-profile",
            "Star",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0 and "Prøvekørsel" in out and "Importprofilen 'star' er gemt" in out
    assert "Måneder der ændres: 2024-01, 2024-02" in out
    assert not (data_dir / "joblog" / "CURRENT").exists()
    assert cli.main([*base, "import", str(path), "--quiet", "--profile", "star"]) == 0
    assert _counts(pl.read_parquet(store.current_paths(data_dir)[0])) == WIDE_EXPECTED
    assert "CLI (" in store.current_manifest(data_dir).files[-1]["actor"]
    assert cli.main([*base, "import-profiles"]) == 0 and capsys.readouterr().out.strip().endswith("star")
    assert cli.main([*base, "import", str(path), "--quiet", "--profile", "mangler"]) == 1
    assert "findes ikke" in capsys.readouterr().err
    assert cli.main([*base, "validate", str(path), "--quiet", "--map", "kommune=Kommune"]) == 1
    assert "felt=værdi" in capsys.readouterr().err


def test_guess_for_a_jobindsats_file_gives_the_same_rows_as_reading_it_directly(tmp_path: Path) -> None:
    """The upload always goes through the mapping step: for Jobindsats' own layout it must change nothing."""
    from joblog_dash.data import reference
    from joblog_dash.importing import jobindsats as ji

    expected = make_frame(genders=("Kvinder", "Mænd"), groups=("kontanthjaelp", "dagpenge"))
    path = tmp_path / "eksport.csv"
    path.write_bytes(ji.to_jobindsats_csv(expected))
    guess = mp.guess_mapping(service.read_file(path).frame)
    assert guess.layout == "long" and guess.units == {}
    assert guess.columns == {
        f: ji.EXPORT_HEADERS[f] for f in ("area", "period", "group", "gender", *ji.MEASURES)
    }
    mapped, direct = service.validate_file(path, mapping=guess), service.validate_file(path)
    assert mapped.ok and direct.ok and mapped.frame.equals(direct.frame) and direct.frame.equals(expected)
    assert reference.TOTAL in set(direct.frame["age_group"])


def test_wide_sheet_with_one_measure_and_no_measure_column(tmp_path: Path) -> None:
    raw = RawTable(
        pl.DataFrame({"Kommune": ["Odense", "Aarhus"], "2024M01": ["10", "20"], "2024M02": ["11", "21"]}),
        "xlsx",
        2,
    )
    guess = mp.guess_mapping(raw.frame)
    assert guess.layout == "wide" and guess.measure_column is None and guess.wide_measure == "persons"
    assert "Ydelsesgruppe" in mp.apply_mapping(raw, guess, "f.xlsx").problems[0].message
    guess.constants["group"] = KK
    mapped = mp.apply_mapping(raw, guess, "f.xlsx")
    # One row per municipality and month, the source row kept: Odense is sheet row 2, Aarhus row 3.
    assert mapped.raw.frame.select("_row", "Område", "Periode", "Ydelsesgruppe", "Antal personer").rows() == [
        (2, "Odense", "2024M01", KK, "10"),
        (2, "Odense", "2024M02", KK, "11"),
        (3, "Aarhus", "2024M01", KK, "20"),
        (3, "Aarhus", "2024M02", KK, "21"),
    ]


def test_csv_header_found_below_a_title_even_with_a_quoted_separator_in_the_data(tmp_path: Path) -> None:
    path = tmp_path / "udtraek.csv"
    path.write_text(
        "Udtræk fra ministeriet; november\n\n"
        "Kommune;Måned;Personer\n"
        'Odense;2024-01;"10;5"\n'
        "Aarhus;2024-01;20\nVejle;2024-01;30\n",
        encoding="utf-8",
    )
    raw = service.read_file(path)
    assert raw.frame.columns == ["Kommune", "Måned", "Personer"] and raw.first_row == 4
    assert raw.frame["Personer"].to_list() == ["10;5", "20", "30"]
