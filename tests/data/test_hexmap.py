"""Tests for the hex tile map layout of the 98 municipalities."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from joblog_dash.data import hexmap
from joblog_dash.data.reference import municipalities


@pytest.fixture(scope="module")
def layout() -> pl.DataFrame:
    return hexmap.build_layout()


def _centre(layout: pl.DataFrame, code: int) -> tuple[float, float]:
    row = layout.filter(pl.col("code") == code).row(0, named=True)
    return row["x"], row["y"]


def test_every_municipality_once_in_distinct_cells(layout):
    assert layout.height == 98
    assert sorted(layout["code"].to_list()) == sorted(municipalities()["code"].to_list())
    assert layout.select("q", "r").unique().height == 98


def test_hexagons_do_not_overlap(layout):
    xy = layout.select("x", "y").to_numpy()
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    np.fill_diagonal(dist, np.inf)
    assert dist.min() >= 1.0 - 1e-6  # centre spacing of adjacent cells is exactly 1


def test_cell_centres_match_axial_coordinates(layout):
    x, y = hexmap.cell_centre(layout["q"].to_numpy(), layout["r"].to_numpy())
    np.testing.assert_allclose(layout["x"].to_numpy(), x, atol=1e-6)
    np.testing.assert_allclose(layout["y"].to_numpy(), y, atol=1e-6)


def test_committed_csv_equals_build(layout):
    hexmap.load_layout.cache_clear()
    assert hexmap.load_layout().equals(layout)


def test_geography_is_recognisable(layout):
    east = layout.sort("x", descending=True)
    assert east["code"][0] == 400  # Bornholm
    bornholm_x = east["x"][0]
    assert bornholm_x - east["x"][1] >= 2.0  # with open water before it
    north = layout.sort("y", descending=True)["code"][0]
    assert north in (813, 860)  # Frederikshavn or Hjørring
    # Fyn (Odense) lies between Jylland (Kolding, Esbjerg, Vejle) and Sjælland (Roskilde, København, Slagelse).
    x_of = dict(zip(layout["code"].to_list(), layout["x"].to_list(), strict=True))
    assert max(x_of[c] for c in (621, 561, 630)) < x_of[461] < min(x_of[c] for c in (265, 101, 330))


def test_neighbours_stay_near(layout):
    assert math.dist(_centre(layout, 101), _centre(layout, 147)) <= 1.0 + 1e-6  # København, Frederiksberg
    assert math.dist(_centre(layout, 751), _centre(layout, 746)) <= 1.0 + 1e-6  # Aarhus, Skanderborg
    moved = hexmap.displacement(layout)["distance"]
    assert moved.mean() < 0.6 and moved.max() < 1.5  # snapping to the grid moves a municipality < 1 cell
    # Each municipality's nearest neighbour by true centroid sits within two cells on the map.
    munis = municipalities().join(layout, on="code")
    px = munis["lon"].to_numpy() * math.cos(math.radians(56))
    py = munis["lat"].to_numpy()
    true = np.hypot(px[:, None] - px[None, :], py[:, None] - py[None, :])
    np.fill_diagonal(true, np.inf)
    nearest = true.argmin(axis=1)
    xy = munis.select("x", "y").to_numpy()
    on_map = np.hypot(*(xy - xy[nearest]).T)
    assert np.mean(on_map <= 2.0 + 1e-6) > 0.8


def test_hexagon_vertices_closed_pointy_top():
    xs, ys = hexmap.hexagon_vertices(2.0, 3.0)
    assert len(xs) == 7 and xs[0] == pytest.approx(xs[-1]) and ys[0] == pytest.approx(ys[-1])
    assert (xs[0], ys[0]) == pytest.approx((2.0, 3.0 + hexmap.HEX_SIZE))  # top vertex
    # Adjacent hexagons (spacing 1) share an edge: half the width of a hexagon is 1/2.
    assert max(xs) - min(xs) == pytest.approx(1.0)


def test_fyn_and_bornholm_are_islands(layout):
    munis = municipalities().join(layout, on="code")
    groups = np.array(
        [
            hexmap.island_group(c, r)
            for c, r in zip(munis["code"].to_list(), munis["region"].to_list(), strict=True)
        ]
    )
    xy = munis.select("x", "y").to_numpy()
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    for island in ("fyn", "bornholm"):
        inside = groups == island
        assert dist[np.ix_(inside, ~inside)].min() > 1.5  # no shared edge with another land mass
