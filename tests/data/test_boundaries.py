"""Boundary GeoJSON: a tiny hand-made file of squares joined on municipality code; bad files give clear errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from joblog_dash.data import boundaries


def square(x: float, y: float, size: float = 0.1) -> list[list[float]]:
    return [[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]


def feature(props: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


TINY = collection(
    feature(
        {"kommunekode": "0101", "navn": "København"}, {"type": "Polygon", "coordinates": [square(12.5, 55.6)]}
    ),
    feature({"KOMKODE": 147}, {"type": "Polygon", "coordinates": [square(12.4, 55.6)]}),
    feature(
        {"kommunekode": "0400"},
        {"type": "MultiPolygon", "coordinates": [[square(14.8, 55.1)], [square(15.0, 55.2, 0.05)]]},
    ),
)


def write(tmp_path: Path, document: object, name: str = "b.geojson") -> Path:
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def test_tiny_file_joins_on_code_and_keeps_every_part(tmp_path: Path) -> None:
    loaded = boundaries.load(write(tmp_path, TINY))
    assert set(loaded.shapes) == {101, 147, 400}
    assert len(loaded.shapes[400]) == 2  # both parts of the MultiPolygon
    assert len(loaded.missing) == 95 and 101 not in loaded.missing
    assert loaded.unknown == ()
    xs, ys = loaded.shapes[101][0]
    # lon/lat: x is scaled by cos(56°), y kept
    assert xs[0] == pytest.approx(12.5 * math.cos(math.radians(56)))
    assert ys[:3] == (55.6, 55.6, 55.7)


def test_projected_coordinates_are_kept_as_they_are(tmp_path: Path) -> None:
    doc = collection(
        feature({"code": 101}, {"type": "Polygon", "coordinates": [square(720000, 6170000, 1000)]})
    )
    xs, _ = boundaries.load(write(tmp_path, doc)).shapes[101][0]
    assert xs[0] == 720000


def test_unknown_codes_are_reported_not_drawn(tmp_path: Path) -> None:
    doc = collection(
        feature({"kommunekode": "0101"}, {"type": "Polygon", "coordinates": [square(12.5, 55.6)]}),
        feature({"kommunekode": "9999"}, {"type": "Polygon", "coordinates": [square(10, 56)]}),
    )
    loaded = boundaries.load(write(tmp_path, doc))
    assert set(loaded.shapes) == {101}
    assert loaded.unknown == ("9999",)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "ikke gyldig JSON"),
        ({"type": "Feature"}, "FeatureCollection"),
        (collection(), "ingen objekter"),
        (collection(feature({"navn": "X"}, {"type": "Polygon", "coordinates": [square(1, 1)]})), "mangler en kommunekode"),
        (collection(feature({"kommunekode": "0101"}, {"type": "Point", "coordinates": [1, 1]})), "Polygon og MultiPolygon"),
        (collection(feature({"kommunekode": "0101"}, {"type": "Polygon", "coordinates": [[[1, "a"]]]})), "ugyldige koordinater"),
        (collection(feature({"kommunekode": "0101"}, None)), "ingen geometri"),
        (collection(feature({"kommunekode": "9999"}, {"type": "Polygon", "coordinates": [square(1, 1)]})), "kendt kommunekode"),
    ],
)  # fmt: skip
def test_bad_files_raise_a_clear_danish_error(tmp_path: Path, content: object, message: str) -> None:
    with pytest.raises(boundaries.BoundaryError, match=message):
        boundaries.load(write(tmp_path, content))


def test_missing_file_is_a_boundary_error(tmp_path: Path) -> None:
    with pytest.raises(boundaries.BoundaryError, match="findes ikke"):
        boundaries.load(tmp_path / "nowhere.geojson")


def test_configured_reads_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JOBLOG_BOUNDARIES", raising=False)
    assert boundaries.configured() is None
    monkeypatch.setenv("JOBLOG_BOUNDARIES", str(write(tmp_path, TINY)))
    assert set(boundaries.configured().shapes) == {101, 147, 400}  # type: ignore[union-attr]
