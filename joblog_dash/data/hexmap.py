"""A hex tile map of Denmark: one equal-size hexagon per municipality, placed from the centroids.

Grid: pointy-top hexagons in axial coordinates (q, r), r growing northwards. With centre spacing 1 the
cell centre is x = q + r/2, y = r·√3/2 and the hexagon's circumradius is 1/√3.

Placement (`build_layout`):
1. Project each centroid to a plane: x = lon·cos(56°), y = lat (equal scale in both directions at 56° N),
   after moving Bornholm west to BORNHOLM_LON (at true distance it would make the map a third wider).
2. Scale so that mainland Denmark spans about `COLUMNS` cells: about one cell per municipality in Jylland.
3. Relax each island group (Jylland, Fyn, Sjælland with Lolland-Falster) on its own, Dorling-style, so
   crowded areas such as the capital expand into the surrounding sea instead of competing for a few cells.
4. Push Fyn east of Jylland and Sjælland east of Fyn until WATER_GAP cells separate them (the Belts stay
   water), and put Bornholm BORNHOLM_GAP cells east of Sjælland.
5. Assign municipalities to distinct cells minimising the total squared displacement, with
   scipy.optimize.linear_sum_assignment over all cells near the positions: a globally optimal,
   deterministic assignment.

`python -m joblog_dash.data.hexmap` rewrites data/reference/hex_layout.csv; the app reads the CSV.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np
import polars as pl

from joblog_dash.config import REFERENCE_DIR
from joblog_dash.data.reference import municipalities

LAYOUT_FILE = REFERENCE_DIR / "hex_layout.csv"
SQRT3 = math.sqrt(3.0)
HEX_SIZE = 1.0 / SQRT3  # circumradius for centre spacing 1
COLUMNS = 11  # width of mainland Denmark (Jylland to Sjælland) in cells before relaxation
BORNHOLM = 400
# Bornholm's centroid is moved to this longitude (degrees) before scaling: still clearly east of Sjælland
# with a sea gap, but without the 2.3° of Baltic that would make the map a third wider.
BORNHOLM_LON = 13.4
# Relaxation: points closer than MIN_GAP cells push apart; HOME_PULL draws them back each step.
MIN_GAP = 1.0
HOME_PULL = 0.02
RELAX_ITERATIONS = 400
# Fyn with Langeland and Ærø; drawn as its own island between Jylland and Sjælland.
FYN = frozenset({410, 420, 430, 440, 450, 461, 479, 480, 482, 492})
WATER_GAP = 1.7  # centre distance between island groups before gridding: about one empty cell between
BORNHOLM_GAP = 2.5
CANDIDATE_MARGIN = 4  # cells around the scaled positions offered to the assignment


def _relax(
    px: np.ndarray, py: np.ndarray, iterations: int = RELAX_ITERATIONS
) -> tuple[np.ndarray, np.ndarray]:
    """Dorling-style relaxation: push apart points closer than one cell, with a weak pull back home.

    Crowded areas (the capital, Fyn) expand into the sea around them while sparse areas keep their shape,
    so the later snap to the grid only has to move each municipality a little. Deterministic (no noise:
    coincident points cannot occur in the reference centroids).
    """
    home = np.stack([px, py], axis=1)
    pos = home.copy()
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.hypot(delta[..., 0], delta[..., 1])
        np.fill_diagonal(dist, np.inf)
        overlap = np.clip(MIN_GAP - dist, 0.0, None)
        push = (delta / dist[..., None]) * (overlap / 2.0)[..., None]
        pos = pos + push.sum(axis=1) * 0.5 + (home - pos) * HOME_PULL
    return pos[:, 0], pos[:, 1]


def island_group(code: int, region: str) -> str:
    """The land mass a municipality is drawn with: jylland, fyn, sjaelland or bornholm."""
    if code == BORNHOLM:
        return "bornholm"
    if code in FYN:
        return "fyn"
    if region in ("Region Hovedstaden", "Region Sjælland"):
        return "sjaelland"
    return "jylland"


def _shift_east(px: np.ndarray, py: np.ndarray, moving: np.ndarray, fixed: np.ndarray) -> None:
    """Move the `moving` points east (in place) until each is at least WATER_GAP from every `fixed` one."""
    dx = px[moving][:, None] - px[fixed][None, :]
    dy = py[moving][:, None] - py[fixed][None, :]
    # For a pair at vertical offset dy the horizontal offset must reach sqrt(gap² − dy²).
    need = np.sqrt(np.clip(WATER_GAP**2 - dy**2, 0.0, None)) - dx
    need = np.where(np.abs(dy) < WATER_GAP, need, 0.0)
    px[moving] += max(0.0, float(need.max()))


def projected_positions(relaxed: bool = True) -> pl.DataFrame:
    """code, px, py: centroids projected and scaled to cell units, then (if `relaxed`) relaxed per island
    group and the groups pushed apart to keep the straits as water.

    Steps: x = lon·cos(56°), y = lat; Bornholm moved to BORNHOLM_LON; scaled so mainland Denmark spans
    COLUMNS cells; each group (Jylland, Fyn, Sjælland with Lolland-Falster) relaxed on its own so the
    crowded capital area expands without pushing into Fyn; then Fyn is shifted east until it is WATER_GAP
    cells from Jylland, Sjælland until it is WATER_GAP from Fyn and Jylland, and Bornholm is put
    BORNHOLM_GAP cells east of Sjælland's easternmost point at its own latitude.
    """
    munis = municipalities()
    codes = munis["code"].to_numpy()
    lon = munis["lon"].to_numpy().copy()
    lat = munis["lat"].to_numpy()
    lon[codes == BORNHOLM] = BORNHOLM_LON
    px = lon * math.cos(math.radians(56.0))
    py = lat.copy()
    groups = np.array([island_group(c, reg) for c, reg in zip(codes, munis["region"].to_list(), strict=True)])
    mainland = groups != "bornholm"
    scale = COLUMNS / (px[mainland].max() - px[mainland].min())
    px, py = (px - px.min()) * scale, (py - py.min()) * scale
    if relaxed:
        for name in ("jylland", "fyn", "sjaelland"):
            members = groups == name
            px[members], py[members] = _relax(px[members], py[members])
        jyl, fyn, sjl, bornholm = (groups == g for g in ("jylland", "fyn", "sjaelland", "bornholm"))
        _shift_east(px, py, fyn, jyl)
        _shift_east(px, py, sjl, fyn | jyl)
        px[bornholm] = px[sjl].max() + BORNHOLM_GAP
    return pl.DataFrame({"code": codes, "px": px, "py": py})


def cell_centre(q: np.ndarray, r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Plot coordinates of axial cells (pointy-top, centre spacing 1)."""
    return q + r / 2.0, r * SQRT3 / 2.0


def _candidate_cells(px: np.ndarray, py: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r_lo = math.floor(py.min() / (SQRT3 / 2)) - CANDIDATE_MARGIN
    r_hi = math.ceil(py.max() / (SQRT3 / 2)) + CANDIDATE_MARGIN
    qs, rs = [], []
    for r in range(r_lo, r_hi + 1):
        q_lo = math.floor(px.min() - r / 2) - CANDIDATE_MARGIN
        q_hi = math.ceil(px.max() - r / 2) + CANDIDATE_MARGIN
        for q in range(q_lo, q_hi + 1):
            qs.append(q)
            rs.append(r)
    q_arr, r_arr = np.array(qs), np.array(rs)
    cx, cy = cell_centre(q_arr, r_arr)
    # Keep only cells within reach of some municipality: fewer columns for the assignment.
    near = np.min(np.hypot(cx[:, None] - px[None, :], cy[:, None] - py[None, :]), axis=1) <= CANDIDATE_MARGIN
    return q_arr[near], r_arr[near]


def build_layout() -> pl.DataFrame:
    """code, q, r, x, y for the 98 municipalities (x, y = cell centre in plot units, spacing 1)."""
    pos = projected_positions()
    px, py = pos["px"].to_numpy(), pos["py"].to_numpy()
    q, r = _candidate_cells(px, py)
    cx, cy = cell_centre(q, r)
    cost = (px[:, None] - cx[None, :]) ** 2 + (py[:, None] - cy[None, :]) ** 2
    # Imported here: the layout is built offline (write_layout); scipy.optimize costs a serving process
    # ~45 MB for a module every map imports (issue 11).
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(cost)
    order = np.argsort(rows)
    chosen = cols[order]
    q_sel, r_sel = q[chosen], r[chosen]
    # Shift so the smallest q and r are 0: stable small integers in the CSV.
    q_sel, r_sel = q_sel - q_sel.min(), r_sel - r_sel.min()
    x, y = cell_centre(q_sel, r_sel)
    return pl.DataFrame(
        {
            "code": pos["code"].cast(pl.Int32),
            "q": pl.Series(q_sel, dtype=pl.Int32),
            "r": pl.Series(r_sel, dtype=pl.Int32),
            "x": np.round(x, 6),
            "y": np.round(y, 6),
        }
    )


def displacement(layout: pl.DataFrame | None = None) -> pl.DataFrame:
    """code, distance (cells) between each municipality's cell and its scaled position, after the best
    common translation (the layout's origin is arbitrary)."""
    layout = layout if layout is not None else build_layout()
    joined = projected_positions().join(layout, on="code")
    dx = joined["x"].to_numpy() - joined["px"].to_numpy()
    dy = joined["y"].to_numpy() - joined["py"].to_numpy()
    dx, dy = dx - dx.mean(), dy - dy.mean()
    return pl.DataFrame({"code": joined["code"], "distance": np.hypot(dx, dy)})


@cache
def load_layout() -> pl.DataFrame:
    """The committed layout (data/reference/hex_layout.csv)."""
    return pl.read_csv(
        LAYOUT_FILE,
        schema_overrides={"code": pl.Int32, "q": pl.Int32, "r": pl.Int32, "x": pl.Float64, "y": pl.Float64},
    )


def hexagon_vertices(x: float, y: float, size: float = HEX_SIZE) -> tuple[list[float], list[float]]:
    """Closed outline (7 points) of a pointy-top hexagon centred at (x, y) with circumradius `size`."""
    angles = [math.radians(90 + 60 * i) for i in range(7)]
    return [x + size * math.cos(a) for a in angles], [y + size * math.sin(a) for a in angles]


def write_layout() -> pl.DataFrame:
    layout = build_layout()
    layout.write_csv(LAYOUT_FILE)
    load_layout.cache_clear()
    return layout


if __name__ == "__main__":
    written = write_layout()
    print(f"Wrote {written.height} cells to {LAYOUT_FILE}")
