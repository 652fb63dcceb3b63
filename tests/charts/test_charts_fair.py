"""Chart builders for the fair comparison: funnel plot, hex map, GeoJSON choropleth, p-chart, letter chart."""

from __future__ import annotations

import json
import math
from datetime import date

import numpy as np
import polars as pl
import pytest

from joblog_dash.analysis import fair, followup, stats
from joblog_dash.charts import funnel, maps, signals, style
from joblog_dash.charts.spec import SpecFigure
from joblog_dash.data import boundaries, hexmap, reference
from joblog_dash.text import fmt


def snapshot(persons: dict[int, int], logged: dict[int, int]) -> pl.DataFrame:
    """A queries.snapshot-like frame for the given municipalities."""
    munis = reference.municipalities()
    rows = []
    for code in munis["code"].to_list():
        n = persons.get(code, 0)
        x = logged.get(code, 0)
        rows.append({"municipality_code": code, "persons": n, "persons_0": n - x, "persons_6plus": x // 2})
    frame = pl.DataFrame(rows).with_columns(pl.col("municipality_code").cast(pl.Int32))
    return frame.join(
        munis.select(pl.col("code").alias("municipality_code"), "name", "region"), on="municipality_code"
    )


@pytest.fixture(scope="module")
def country() -> pl.DataFrame:
    """All 98 municipalities with 50–2000 persons around 75 %, three clearly low, two clearly high,
    Læsø (825) with 3 persons and Fanø (563) with 4 (two primary suppressions, no secondary)."""
    rng = np.random.default_rng(7)
    codes = reference.municipalities()["code"].to_list()
    persons = {c: int(rng.integers(50, 2000)) for c in codes}
    logged = {c: int(rng.binomial(persons[c], 0.75)) for c in codes}
    for code in (101, 147, 151):
        persons[code] = 2000
        logged[code] = 1000  # 50 %
    for code in (153, 155):
        persons[code] = 2000
        logged[code] = 1900  # 95 %
    persons[825], logged[825] = 3, 3
    persons[563], logged[563] = 4, 1
    return snapshot(persons, logged)


def test_funnel_points_limits_symbols_and_title(country: pl.DataFrame) -> None:
    data = fair.funnel_data(country, "joblogged", overdispersion=True)
    fig = funnel.funnel_figure(data, "sub", "Hele landet")
    spec = json.loads(fig.to_json())
    point_traces = [tr for tr in spec["data"] if tr.get("customdata")]
    codes = [c[0] for tr in point_traces for c in tr["customdata"]]
    # Every municipality with persons except the two suppressed ones, once each.
    assert sorted(codes) == sorted(set(reference.municipalities()["code"].to_list()) - {825, 563})
    symbols = {tr["marker"]["symbol"] for tr in point_traces}
    assert symbols == {"triangle-down", "circle", "triangle-up"}  # never colour alone
    under = next(tr for tr in point_traces if tr["marker"]["symbol"] == "triangle-down")
    assert {c[0] for c in under["customdata"]} >= {101, 147, 151}
    assert spec["layout"]["title"]["text"].startswith(
        f"{fair.verdict_counts(data.table)['under']} kommuner ligger under forventet niveau"
    )
    # Hover: Danish share, Wilson interval, persons, z and verdict.
    hover = next(c[1] for c in under["customdata"] if c[0] == 101)
    low, high = stats.wilson_interval(np.array([1000]), np.array([2000]))
    assert "Andel: 50,0 pct." in hover and "2.000" in hover and "under forventet niveau" in hover
    assert f"{fmt.number(low[0] * 100, 1)}–{fmt.number(high[0] * 100, 1)} pct." in hover
    assert "z-score: −" in hover
    # Limit lines: lower limits rise and upper limits fall with n (the funnel narrows).
    for name in ("99,8 pct.-grænser", "95 pct.-grænser"):
        trace = next(tr for tr in spec["data"] if tr["name"] == name)
        gap = trace["x"].index(None)
        lower, upper = np.array(trace["y"][:gap]), np.array(trace["y"][gap + 1 :])
        assert np.all(np.diff(lower) >= -1e-12) and np.all(np.diff(upper) <= 1e-12)
        assert np.all(lower < upper)


def test_exact_limits_narrow_up_to_the_binomial_wiggle(country: pl.DataFrame) -> None:
    # Without the adjustment the limits are interpolated binomial quantiles: they narrow with n but may
    # wiggle by a few thousandths of a percentage point where the discrete quantile steps.
    spec = json.loads(
        funnel.funnel_figure(fair.funnel_data(country, "joblogged", overdispersion=False), "s", "l").to_json()
    )
    trace = next(tr for tr in spec["data"] if tr["name"] == "95 pct.-grænser")
    gap = trace["x"].index(None)
    lower, upper = np.array(trace["y"][:gap]), np.array(trace["y"][gap + 1 :])
    assert np.all(np.diff(lower) >= -1e-4) and np.all(np.diff(upper) <= 1e-4)
    assert lower[-1] - lower[0] > 0.1 and upper[0] - upper[-1] > 0.1


def test_overdispersion_widens_the_funnel(country: pl.DataFrame) -> None:
    plain = fair.funnel_data(country, "joblogged", overdispersion=False)
    adjusted = fair.funnel_data(country, "joblogged", overdispersion=True)
    assert adjusted.result.tau2 > 0
    n = [1000.0]
    assert adjusted.result.curve(n)["upper_95"][0] > plain.result.curve(n)["upper_95"][0]
    counts = fair.verdict_counts
    assert sum(counts(adjusted.table).values()) <= sum(counts(plain.table).values())


def test_funnel_area_target(country: pl.DataFrame) -> None:
    area = reference.area_by_key("region-hovedstaden")
    codes = reference.municipality_codes_in(area)  # type: ignore[arg-type]
    national = fair.funnel_data(country, "joblogged", codes, target_kind="national")
    own = fair.funnel_data(country, "joblogged", codes, target_kind="area")
    assert set(national.table["code"].to_list()) == set(codes) == set(own.table["code"].to_list())
    rows = country.filter(pl.col("municipality_code").is_in(codes))
    expected = (rows["persons"].sum() - rows["persons_0"].sum()) / rows["persons"].sum()
    assert own.result.target == pytest.approx(expected)
    assert national.result.target != pytest.approx(expected)


def test_funnel_table_hides_suppressed(country: pl.DataFrame) -> None:
    table = funnel.funnel_table(fair.funnel_data(country, "joblogged"))
    laesoe = table.filter(pl.col("Kommune") == "Læsø").row(0, named=True)
    assert laesoe["Andel med jobsøgning"] == "for få personer" and laesoe["z"] is None


def cells_by_code(spec: dict) -> dict[int, tuple[dict, int]]:
    """Every hex cell (a point of a trace with customdata) by municipality code: (trace, point index)."""
    found: dict[int, tuple[dict, int]] = {}
    for trace in spec["data"]:
        for i, custom in enumerate(trace.get("customdata") or []):
            assert custom[0] not in found, custom[0]  # each municipality once
            found[custom[0]] = (trace, i)
    return found


def cell_colour(trace: dict, i: int) -> object:
    colour = trace["marker"]["color"]
    return colour[i] if isinstance(colour, list) else colour


def test_hex_map_has_98_hexagons_codes_and_grey_suppressed(country: pl.DataFrame) -> None:
    data = fair.funnel_data(country, "joblogged")
    values = maps.map_values(data.table)
    fig = maps.hex_figure(values, "joblogged", maps.map_title(values, "joblogged"))
    assert type(fig) is SpecFigure and len(fig.to_dict()["data"]) <= 4  # one trace of cells, not 98
    spec = json.loads(fig.to_json())  # validated by plotly here
    cells = cells_by_code(spec)
    assert sorted(cells) == sorted(hexmap.load_layout()["code"].to_list())
    assert all(tr["marker"]["symbol"] == "hexagon" for tr, _ in cells.values())
    layout = hexmap.load_layout()
    for code, (trace, i) in cells.items():
        row = layout.filter(pl.col("code") == code).row(0, named=True)
        assert (trace["x"][i], trace["y"][i]) == pytest.approx((row["x"], row["y"]))
    coloured, i101 = cells[101]
    assert coloured["marker"]["showscale"] is True and coloured["marker"]["colorscale"]
    assert cell_colour(coloured, i101) == pytest.approx(0.5)  # København: 1000 of 2000
    for code in (825, 563):
        trace, i = cells[code]
        assert cell_colour(trace, i) == style.SUPPRESSED_COLOUR
        # Hatched as well as grey: a diagonal stroke drawn over the cell, without hover of its own.
        hatch = [tr for tr in spec["data"] if tr["marker"]["symbol"] == "line-ne"]
        assert len(hatch) == 1 and hatch[0]["hoverinfo"] == "skip"
        points = list(zip(hatch[0]["x"], hatch[0]["y"], strict=True))
        assert (trace["x"][i], trace["y"][i]) in points
        assert trace.get("showlegend", True) and "få personer" in trace["name"].lower()
    hover = {code: tr["customdata"][i][1] for code, (tr, i) in cells.items()}
    assert "for få personer" in hover[825] and "%" not in hover[825]
    assert "Andel: 50,0 pct." in hover[101] and "Personer: 2.000" in hover[101]
    assert spec["layout"]["yaxis"]["scaleanchor"] == "x"
    assert spec["layout"]["xaxis"]["visible"] is False


def test_hex_markers_are_as_wide_as_the_tile_spacing(country: pl.DataFrame) -> None:
    """plotly.js draws symbol 'hexagon' pointy-top with circumradius size/2, so its width is size·√3/2 px;
    with the height setting the scale (scaleanchor), one x unit (the centre spacing) is plot height px /
    y-range units."""
    values = maps.map_values(fair.funnel_data(country, "joblogged").table)
    spec = maps.hex_figure(values, "joblogged", "t", "sub").to_dict()
    layout = spec["layout"]
    plot_px = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    low, high = layout["yaxis"]["range"]
    size = spec["data"][0]["marker"]["size"]
    assert size * math.sqrt(3) / 2 == pytest.approx(plot_px / (high - low), abs=0.1)


def test_hex_map_fades_municipalities_outside_the_area(country: pl.DataFrame) -> None:
    codes = reference.municipality_codes_in(reference.area_by_key("region-nordjylland"))  # type: ignore[arg-type]
    data = fair.funnel_data(country, "joblogged", codes)
    values = maps.map_values(data.table, codes)
    spec = json.loads(maps.hex_figure(values, "joblogged", "t").to_json())
    cells = cells_by_code(spec)
    assert len(cells) == 98
    outside = [c for c in cells if c not in codes]
    assert all(cell_colour(*cells[c]) == maps.OUTSIDE_FILL for c in outside)
    assert all(cell_colour(*cells[c]) != maps.OUTSIDE_FILL for c in codes)


def test_choropleth_from_tiny_geojson(country: pl.DataFrame) -> None:
    def square(x: float, y: float) -> list[list[float]]:
        return [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]

    doc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"kommunekode": "0101"},
             "geometry": {"type": "Polygon", "coordinates": [square(12.5, 55.6)]}},
            {"type": "Feature", "properties": {"kommunekode": "0825"},
             "geometry": {"type": "MultiPolygon", "coordinates": [[square(11.0, 57.2)], [square(11.2, 57.3)]]}},
        ],
    }  # fmt: skip
    shapes = boundaries.parse(doc)
    values = maps.map_values(fair.funnel_data(country, "joblogged").table)
    spec = json.loads(maps.choropleth_figure(shapes, values, "joblogged", "t").to_json())
    polygons = {tr["meta"]["code"]: tr for tr in spec["data"] if tr.get("fill") == "toself"}
    assert set(polygons) == {101, 825}
    assert polygons[101]["x"].count(None) == 0 and polygons[825]["x"].count(None) == 1  # two parts
    assert polygons[825]["fillcolor"] == style.SUPPRESSED_COLOUR
    centres = next(tr for tr in spec["data"] if tr.get("customdata"))
    assert [c[0] for c in centres["customdata"]] == [101, 825]
    # The centre of København's square (x scaled by cos 56°).
    assert centres["y"][0] == pytest.approx(55.65)
    assert not any(tr["type"].startswith(("scattergeo", "choropleth")) for tr in spec["data"])


def test_p_chart_and_letter_figures() -> None:
    months = [fmt.add_months(date(2017, 1, 1), i) for i in range(36)]
    rows = []
    for code, name in ((101, "A"), (147, "B")):
        for i, month in enumerate(months):
            share = 0.6 if month <= date(2018, 5, 1) or code == 147 else 0.8
            share = 0.45 if code == 147 and i >= 30 else share
            rows.append({"month": month, "municipality_code": code, "name": name, "region": "R",
                         "persons": 500, "persons_0": 500 - round(500 * share), "persons_6plus": 10})  # fmt: skip
    panel = pl.DataFrame(rows).with_columns(pl.col("municipality_code").cast(pl.Int32))
    table = followup.municipality_signals(panel, 147, months[-1], "joblogged")
    fig = json.loads(signals.p_chart_figure(table, "B", "joblogged", "sub").to_json())
    assert fig["layout"]["title"]["text"].startswith("B: Markant under eget niveau")
    fired = next(tr for tr in fig["data"] if tr["name"] == "Signal")
    assert len(fired["x"]) >= 6
    effect = fair.letter_effect(panel, "joblogged")
    letter = json.loads(signals.letter_figure(effect, "joblogged", "sub").to_json())
    codes = {c[0]: tr["name"] for tr in letter["data"] for c in tr.get("customdata") or []}
    assert codes[101].startswith("Flyttede sig mere") and codes[147].startswith("Flyttede sig mindre")
    assert letter["layout"]["title"]["text"].startswith("1 af 2 kommuner flyttede sig mere end landet")
