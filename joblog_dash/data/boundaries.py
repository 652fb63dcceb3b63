"""Optional municipality boundaries (GeoJSON) for a true choropleth, read from config.boundaries_file().

The file is a FeatureCollection of Polygon/MultiPolygon features with a municipality code property
(`kommunekode`, `KOMKODE`, `code`, ...; "0101" and 101 both mean København). Everything wrong with it is
reported as a BoundaryError with a Danish message for the page, never a traceback. Only exterior rings
are kept: filled scatter polygons cannot draw holes, and Danish municipalities have no enclaves worth one.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from joblog_dash import config
from joblog_dash.data import reference

CODE_PROPERTIES = ("kommunekode", "KOMKODE", "komkode", "kommune_kode", "code", "kode", "municipality_code")
MAX_BYTES = 200 * 1024 * 1024
# Longitude/latitude coordinates are drawn with x = lon·cos(56°) so that a degree east and a degree north
# have their true relative length at Danish latitudes; projected coordinates (metres) are drawn as they are.
LON_SCALE = math.cos(math.radians(56.0))

Ring = tuple[tuple[float, ...], tuple[float, ...]]


class BoundaryError(ValueError):
    """The boundary file cannot be used; the message says why, in Danish."""


@dataclass(frozen=True)
class Boundaries:
    shapes: dict[int, tuple[Ring, ...]]  # municipality code -> exterior rings (x, y) in drawing units
    unknown: tuple[str, ...]  # codes in the file that are not one of the 98 municipalities
    missing: tuple[int, ...]  # municipalities without a shape
    source: str


def _code(properties: object) -> int | None:
    if not isinstance(properties, dict):
        return None
    for key in CODE_PROPERTIES:
        value = properties.get(key)
        if value is None:
            continue
        text = str(value).strip()
        if text.isdigit():
            return int(text)
        return -1  # present but not a number
    return None


def _rings(geometry: object, index: int) -> list[list[tuple[float, float]]]:
    if not isinstance(geometry, dict):
        raise BoundaryError(f"Objekt nr. {index + 1} i grænsefilen har ingen geometri.")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        polygons = [coords]
    elif kind == "MultiPolygon":
        polygons = coords
    else:
        raise BoundaryError(
            f"Objekt nr. {index + 1} i grænsefilen er af typen {kind!r}; kun Polygon og MultiPolygon kan bruges."
        )
    rings = []
    try:
        for polygon in polygons:
            exterior = polygon[0]
            ring = [(float(p[0]), float(p[1])) for p in exterior]
            if len(ring) < 3 or not all(math.isfinite(v) for p in ring for v in p):
                raise ValueError
            rings.append(ring)
    except (TypeError, ValueError, IndexError, KeyError) as exc:
        raise BoundaryError(f"Objekt nr. {index + 1} i grænsefilen har ugyldige koordinater.") from exc
    return rings


def parse(document: object, source: str = "") -> Boundaries:
    """Validate a parsed GeoJSON document and join its features to the 98 municipalities by code."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundaryError("Grænsefilen skal være en GeoJSON FeatureCollection.")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError("Grænsefilen indeholder ingen objekter (features).")
    known = set(reference.municipalities()["code"].to_list())
    collected: dict[int, list[list[tuple[float, float]]]] = {}
    unknown: list[str] = []
    for index, feature in enumerate(features):
        if not isinstance(feature, dict):
            raise BoundaryError(f"Objekt nr. {index + 1} i grænsefilen er ikke et GeoJSON Feature.")
        code = _code(feature.get("properties"))
        if code is None:
            raise BoundaryError(
                f"Objekt nr. {index + 1} i grænsefilen mangler en kommunekode "
                f"(egenskaben skal hedde en af: {', '.join(CODE_PROPERTIES)})."
            )
        rings = _rings(feature.get("geometry"), index)
        if code not in known:
            unknown.append(str(code) if code >= 0 else "?")
            continue
        collected.setdefault(code, []).extend(rings)
    if not collected:
        raise BoundaryError("Ingen af objekterne i grænsefilen har en kendt kommunekode.")
    points = [p for rings in collected.values() for ring in rings for p in ring]
    geographic = all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points)
    scale = LON_SCALE if geographic else 1.0
    shapes = {
        code: tuple((tuple(x * scale for x, _ in ring), tuple(y for _, y in ring)) for ring in rings)
        for code, rings in sorted(collected.items())
    }
    return Boundaries(
        shapes=shapes,
        unknown=tuple(unknown),
        missing=tuple(sorted(known - set(shapes))),
        source=source,
    )


def load(path: Path) -> Boundaries:
    """Read and validate a boundary file; BoundaryError (Danish message) if it cannot be used."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise BoundaryError(f"Grænsefilen {path} findes ikke eller kan ikke læses.") from exc
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=2)
def _load_cached(path: str, mtime_ns: int, size: int) -> Boundaries:
    if size > MAX_BYTES:
        raise BoundaryError(f"Grænsefilen {path} er for stor ({size // 1_000_000} MB).")
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, UnicodeDecodeError) as exc:
        raise BoundaryError(f"Grænsefilen {path} kan ikke læses: {exc}.") from exc
    except json.JSONDecodeError as exc:
        raise BoundaryError(
            f"Grænsefilen {path} er ikke gyldig JSON (linje {exc.lineno}, kolonne {exc.colno})."
        ) from exc
    return parse(document, source=path)


def configured() -> Boundaries | None:
    """The configured boundaries (JOBLOG_BOUNDARIES), None if none are configured; BoundaryError if bad."""
    path = config.boundaries_file()
    return load(path) if path is not None else None
