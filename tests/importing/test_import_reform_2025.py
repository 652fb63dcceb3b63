"""Exports from after the kontanthjælp reform (1 July 2025) map onto the new structure; old exports import as
before. Expected frames are built independently (importfixtures.make_frame) and compared whole."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from importfixtures import api_rows, make_frame, v3_csv

from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing import service

AFTER = [date(2025, 7, 1), date(2025, 8, 1)]
ACROSS = [date(2025, 5, 1), date(2025, 6, 1), date(2025, 7, 1), date(2025, 8, 1)]
CODES = [101, 751, 825]


def _validate(tmp_path: Path, rows: list[list[object]]):
    path = tmp_path / "eksport.csv"
    path.write_bytes(v3_csv(rows))
    return service.validate_file(path)


@pytest.mark.parametrize(
    ("label", "group"),
    [
        ("Uddannelsesparate kontanthjælpsmodtagere under 30", "uddannelsesparate"),
        ("Uddannelsesparate kontanthjælpsmodtagere under 30 år uden uddannelse", "uddannelsesparate"),
        ("Kontanthjælp, uddannelsesparate under 30", "uddannelsesparate"),
        ("Kontanthjælp, uddannelses- og aktivitetsparate, uddannelsesparate", "uddannelsesparate"),
        ("Uddannelsesparate u. 30", "uddannelsesparate"),
        ("uddannelsesparate", "uddannelsesparate"),
        ("Kontanthjælp, job- og aktivitetsparate, jobparate", "kontanthjaelp"),
        ("Job- og aktivitetsparate kontanthjælpsmodtagere, jobparate", "kontanthjaelp"),
        ("Jobparate kontanthjælpsmodtagere", "kontanthjaelp"),
        # The names from before the reform still map as they always did.
        ("Åbenlyst uddannelsesparate uddannelseshjælpsmodtagere", "uddannelseshjaelp"),
        ("Uddannelseshjælp, åbenlyst uddannelsesparate", "uddannelseshjaelp"),
        ("A-dagpenge mv.", "dagpenge"),
    ],
)
def test_new_and_old_group_names(label: str, group: str) -> None:
    assert ji.benefit_group(label) == group


def test_an_export_after_the_reform_maps_onto_the_new_structure(tmp_path: Path) -> None:
    expected = make_frame(months=AFTER, codes=CODES, groups=("kontanthjaelp", "uddannelsesparate"))
    rows = api_rows(expected)  # the new name: "Uddannelsesparate kontanthjælpsmodtagere under 30"
    result = _validate(tmp_path, rows)
    assert result.ok, [str(p) for p in result.problems]
    assert result.frame.sort(result.frame.columns).equals(expected.sort(expected.columns))
    assert not result.warnings


def test_the_old_name_after_the_reform_is_stored_as_the_continuing_series(tmp_path: Path) -> None:
    # An export spanning the reform that kept the old name: June under uddannelseshjælp, July on under the
    # uddannelsesparate under 30 (the same series), with a warning saying so.
    old = make_frame(months=ACROSS, codes=CODES, groups=("uddannelseshjaelp",))
    result = _validate(tmp_path, api_rows(old))
    assert result.ok, [str(p) for p in result.problems]
    stored = dict(
        ((m, c), g)
        for m, c, g in result.frame.select("month", "municipality_code", "benefit_group").iter_rows()
    )
    assert {g for (m, _), g in stored.items() if m < date(2025, 7, 1)} == {"uddannelseshjaelp"}
    assert {g for (m, _), g in stored.items() if m >= date(2025, 7, 1)} == {"uddannelsesparate"}
    assert result.frame.drop("benefit_group").equals(old.drop("benefit_group"))
    (warning,) = result.warnings
    assert "6 rækker gemmes under Uddannelsesparate kontanthjælpsmodtagere under 30 fra jul. 2025" in str(
        warning
    )


def test_an_old_export_imports_as_before(tmp_path: Path) -> None:
    expected = make_frame(months=[date(2018, 1, 1), date(2018, 2, 1)], codes=CODES,
                          groups=("kontanthjaelp", "uddannelseshjaelp", "dagpenge"))  # fmt: skip
    result = _validate(tmp_path, api_rows(expected))
    assert result.ok and not result.warnings
    assert result.frame.sort(result.frame.columns).equals(expected.sort(expected.columns))
