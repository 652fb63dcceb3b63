"""AppTest of the Ydelsesgrupper page on the demo dataset; expected values computed with DuckDB SQL."""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pytest
from helpers import chart, chart_keys, run_page, section, share_shown
from streamlit.testing.v1 import AppTest

from joblog_dash.config import REFERENCE_DIR
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

PAGE = "pages/3_ydelsesgrupper.py"
MUNIS = str(REFERENCE_DIR / "municipalities.csv")
SEP_2018, SEP_2017 = date(2018, 9, 1), date(2017, 9, 1)


def sql(facts: Path, query: str, **params: object) -> list[tuple[Any, ...]]:
    """Straight from the parquet file, independent of queries.py."""
    con = duckdb.connect()
    con.execute(f"CREATE VIEW f AS SELECT * FROM read_parquet('{facts}')")
    con.execute(f"CREATE VIEW m AS SELECT * FROM read_csv('{MUNIS}')")
    con.execute(
        "CREATE VIEW mm AS SELECT f.month, m.name, m.code, m.region, sum(persons) AS n, "
        "sum(persons) - sum(persons_0) AS x, f.benefit_group AS grp, sum(persons_0) AS p0, "
        "sum(persons_1_5) AS p15, sum(persons_6plus) AS p6 FROM f JOIN m ON m.code = f.municipality_code "
        "GROUP BY ALL"
    )
    return con.execute(query, params).fetchall()


def run(params: dict[str, str] | None = None) -> AppTest:
    return run_page(PAGE, params)


def heat(at: AppTest) -> tuple[list[str], list[str], list[list[float | None]], list[list[int]]]:
    """(row names, ISO months, shares per row and month (None = suppressed), [code] per row) read back from
    the heat map: a heatmap of per cent (meta "shares", rows = the y axis' names, NaN = suppressed) and per
    month (meta = the month, x = its column) one text-mode scatter point per row (y0 = the first name on the
    category axis, dy = 1) whose hover text is the share or 'for få personer' and whose customdata is the
    row's code."""
    fig = chart(at, "groups_heatmap")
    names = fig["layout"]["yaxis"]["categoryarray"]
    (shares,) = [tr for tr in fig["data"] if tr.get("meta") == "shares"]
    assert (shares["type"], shares["y"], shares["coloraxis"]) == ("heatmap", names, "coloraxis")
    z: list[list[float | None]] = [
        [None if value is None or math.isnan(value) else value / 100 for value in row] for row in shares["z"]
    ]
    columns = [tr for tr in fig["data"] if tr["type"] == "scatter" and tr["mode"] == "text"]
    months = [tr["meta"] for tr in columns]
    assert months == sorted(months) and all(len(row) == len(months) for row in z) and len(z) == len(names)
    custom: list[list[int]] = [[] for _ in names]
    for col, tr in enumerate(columns):
        assert (tr["mode"], tr["y0"], tr["dy"], len(tr["x"])) == ("text", names[0], 1, len(names))
        assert set(tr["x"]) == {col}
        for row, (text, code) in enumerate(zip(tr["hovertext"], tr["customdata"], strict=True)):
            # A suppressed cell hovers as such and nothing else.
            assert (text == "for få personer") == (z[row][col] is None), (names[row], tr["meta"], text)
            if z[row][col] is not None:  # the share in Danish, one decimal: "68,2 pct."
                assert re.fullmatch(r"\d{1,3},\d pct\.", text), text
                assert abs(float(text[:-5].replace(",", ".")) - z[row][col] * 100) <= 0.05 + 1e-4
            assert not custom[row] or custom[row] == [code]  # one code per row
            custom[row] = [code]
    # Nothing else is drawn: a suppressed cell is a gap in the one heatmap (the plot's background); the last
    # trace is the legend's note on them, with no point.
    assert [tr["type"] for tr in fig["data"]] == ["heatmap"] + ["scatter"] * (len(months) + 1)
    assert fig["data"][-1]["x"] == [None] and fig["data"][-1]["showlegend"]
    return names, months, z, custom


SECTIONS = {
    "compare": ["groups_heatmap"],
    "spread": ["groups_spread"],
    "movers": ["groups_movers"],
    "breakdowns": ["groups_breakdown_gender", "groups_breakdown_age_group"],
}


def test_renders_every_section(demo_data_dir: Path) -> None:
    at = run()
    # The comparison opens by default; each other section only when opened (a shared link carries it).
    assert [tab.label for tab in at.tabs] == [t(f"section_{key}") for key in SECTIONS]
    assert chart_keys(at) == SECTIONS["compare"]
    for key, charts in SECTIONS.items():
        at = run(section(key))
        assert chart_keys(at) == charts, key
        assert sum(e.label == "Se tallene bag figuren" for e in at.expander) == len(charts)


@pytest.mark.parametrize(("area", "region"), [("hele-landet", None), ("region-sjaelland", "Region Sjælland")])
def test_heatmap_one_row_per_municipality_sorted_by_latest_share(
    demo_data_dir: Path, demo_facts_path: Path, area: str, region: str | None
) -> None:
    at = run({"maaned": "2018-09", "omraade": area, "gruppe": "kontanthjaelp"})
    names, months, z, custom = heat(at)
    ((count,),) = sql(
        demo_facts_path, "SELECT count(*) FROM read_csv($munis) WHERE $region IS NULL OR region = $region",
        munis=MUNIS, region=region,
    )  # fmt: skip
    assert len(names) == len(set(names)) == count
    rows = sql(
        demo_facts_path,
        "SELECT name, code, x / n, n, p0, p15, p6 FROM mm WHERE month = $month AND grp = 'kontanthjaelp' "
        "AND n >= 5 AND ($region IS NULL OR region = $region) ORDER BY x / n DESC, name",
        month=SEP_2018,
        region=region,
    )
    # Only the cells the disclosure rule shows (the stricter rule also hides a share resting on a part of 1–4).
    rows = [r[:3] for r in rows if share_shown(r[3], r[4:7])]
    assert names[: len(rows)] == [r[0] for r in rows]
    col = months.index(SEP_2018.isoformat())
    for i, (_, code, share) in enumerate(rows):
        assert z[i][col] == pytest.approx(share, abs=5e-5)  # per cent as float32
        assert custom[i][0] == code
    # The click targets are selectable points (heat map traces take no selections): every point's
    # customdata, the clicked point's code, is the municipality code of its row.
    code_of = dict(sql(demo_facts_path, "SELECT name, code FROM read_csv($munis)", munis=MUNIS))
    assert custom == [[code_of[name]] for name in names]


def test_heatmap_blanks_cells_under_five_persons(demo_data_dir: Path, demo_facts_path: Path) -> None:
    """The group's latest month (uddannelseshjælp ends in June 2025): the heat map holds the 36 months up to
    it, and no cell resting on 1–4 persons (or on a part of 1–4 the disclosure rule hides) is drawn."""
    at = run({"gruppe": "uddannelseshjaelp", "maaned": "2025-06"})
    names, months, z, _ = heat(at)
    ((latest,),) = sql(demo_facts_path, "SELECT max(month) FROM f WHERE benefit_group = 'uddannelseshjaelp'")
    index = latest.year * 12 + latest.month - 1  # months since year 0, January = 0
    window = [date((index - k) // 12, (index - k) % 12 + 1, 1) for k in range(36)]  # latest first
    assert months == [m.isoformat() for m in reversed(window)]
    cells = sql(
        demo_facts_path, "SELECT name, month, n, p0, p15, p6 FROM mm WHERE grp = 'uddannelseshjaelp' "
        "AND month >= $first", first=window[-1],
    )  # fmt: skip
    small = [(name, month) for name, month, n, *parts in cells if not share_shown(n, tuple(parts))]
    assert any(n < 5 for _, _, n, *_ in cells), "demo data should have some small cells in uddannelseshjælp"
    for name, month in small:
        assert z[names.index(name)][months.index(month.isoformat())] is None, (name, month)
    shown = len(cells) - len(small)
    assert sum(value is not None for row in z for value in row) == shown


def test_heatmap_colour_scale_fits_the_shown_cells_and_names_the_hidden_ones(
    demo_data_dir: Path, demo_facts_path: Path
) -> None:
    """The colour scale runs from the lowest to the highest shown share (rounded out to 5 pct.), not 0–100,
    and says so in the colour bar; hidden cells are white, a colour of no value, named in the legend."""
    at = run({"maaned": "2018-09", "gruppe": "kontanthjaelp"})
    _, _, z, _ = heat(at)
    shown = [value * 100 for row in z for value in row if value is not None]
    low, high = 5 * math.floor(min(shown) / 5), 5 * math.ceil(max(shown) / 5)
    assert (low, high) != (0, 100)  # the demo's shares lie well inside 0–100 pct.
    fig = chart(at, "groups_heatmap")
    axis = fig["layout"]["coloraxis"]
    assert (axis["cmin"], axis["cmax"]) == (low, high)
    assert f"{low}–{high} pct." in axis["colorbar"]["title"]["text"]
    (legend,) = [tr for tr in fig["data"] if tr.get("showlegend")]
    assert legend["name"] == "Hvid: for få personer (skjult)" and legend["marker"]["color"] == "#ffffff"
    (background,) = [shape for shape in fig["layout"]["shapes"] if shape.get("layer") == "below"]
    assert background["fillcolor"] == "#ffffff"  # what a hidden (NaN) cell shows


def test_changing_group_changes_heatmap(demo_data_dir: Path, demo_facts_path: Path) -> None:
    at = run({"maaned": "2018-09", "gruppe": "kontanthjaelp"})
    first = heat(at)
    at.sidebar.selectbox(key="filter_group").set_value("dagpenge").run()
    assert not at.exception and at.query_params["gruppe"] == "dagpenge"
    names, months, z, _ = heat(at)
    assert (names, z) != (first[0], first[2])
    # The top row is the highest share shown (the disclosure rule hides a share resting on a part of 1–4).
    rows = sql(
        demo_facts_path,
        "SELECT name, x / n, n, p0, p15, p6 FROM mm WHERE month = $month AND grp = 'dagpenge' "
        "ORDER BY x / n DESC, name",
        month=SEP_2018,
    )
    top, share = next((name, value) for name, value, n, *parts in rows if share_shown(n, tuple(parts)))
    assert names[0] == top
    assert z[0][months.index(SEP_2018.isoformat())] == pytest.approx(share, abs=5e-5)


def test_improvers_and_decliners_agree_with_sql(demo_data_dir: Path, demo_facts_path: Path) -> None:
    at = run(
        {
            "maaned": "2018-09",
            "fra": "2017-09",
            "gruppe": "kontanthjaelp",
            "omraade": "hele-landet",
            **section("movers"),
        }
    )
    rows = sql(
        demo_facts_path,
        """
        SELECT a.name, b.x / b.n - a.x / a.n AS change, a.n, a.p0, a.p15, a.p6, b.n, b.p0, b.p15, b.p6
        FROM mm a JOIN mm b ON a.code = b.code AND a.grp = b.grp
        WHERE a.grp = 'kontanthjaelp' AND a.month = $start AND b.month = $end AND a.n >= 20 AND b.n >= 20
        ORDER BY change DESC, a.code
        """,
        start=SEP_2017,
        end=SEP_2018,
    )
    # Both shares shown by the disclosure rule (stricter than "20 persons or more" alone since issue 10).
    rows = [r[:2] for r in rows if share_shown(r[2], r[3:6]) and share_shown(r[6], r[7:10])]
    improvers = [r for r in rows if r[1] > 0][:10]
    decliners = sorted([r for r in rows if r[1] < 0], key=lambda r: r[1])[:10]
    bars = chart(at, "groups_movers")["data"][0]
    shown = dict(zip(bars["y"], bars["x"], strict=True))
    assert set(shown) == {r[0] for r in improvers + decliners}
    for name, change in improvers + decliners:
        assert shown[name] == pytest.approx(change)
    tables = [d.value for d in at.dataframe]
    improver_table = next(t for t in tables if "Ændring" in t.columns and len(t) == len(improvers))
    assert list(improver_table["Kommune"]) == [r[0] for r in improvers]
    assert list(improver_table["Ændring"]) == [fmt.pp(r[1]) for r in improvers]
    title = chart(at, "groups_movers")["layout"]["title"]["text"]
    assert improvers[0][0] in title and decliners[0][0] in title


def test_spread_percentiles_agree_with_sql(demo_data_dir: Path, demo_facts_path: Path) -> None:
    at = run({"gruppe": "kontanthjaelp", **section("spread")})
    fig = chart(at, "groups_spread")
    median = next(t for t in fig["data"] if t["name"] == "Median (kommuner)")
    rows = sql(
        demo_facts_path, "SELECT x / n, n, p0, p15, p6 FROM mm WHERE grp = 'kontanthjaelp' AND month = $month",
        month=SEP_2018,
    )  # fmt: skip
    # The municipalities whose share the disclosure rule shows (stricter than "5 persons or more" since issue 10).
    shares = np.array([r[0] for r in rows if share_shown(r[1], r[2:5])])
    p10, p50, p90 = (float(np.quantile(shares, q)) for q in (0.1, 0.5, 0.9))
    months = [str(x)[:10] for x in median["x"]]
    i = months.index(SEP_2018.isoformat())
    assert median["y"][i] == pytest.approx(p50)
    band = next(t for t in fig["data"] if t["name"] == "10–90 pct. af kommunerne")
    n = len(months)
    assert band["y"][i] == pytest.approx(p90)  # upper edge first, then the lower edge reversed
    assert band["y"][2 * n - 1 - i] == pytest.approx(p10)


@pytest.mark.parametrize(
    ("param", "value", "notice"),
    [
        ("gruppe", "<b>x</b>", "Ugyldig værdi i linket for gruppe"),
        ("omraade", "nowhere", "Ugyldig værdi i linket for omraade"),
        ("fra", "2031-01", "Linket beder om jan. 2031 (fra), men data har ikke den måned"),
    ],
)
def test_bad_params_fall_back_with_notice(demo_data_dir: Path, param: str, value: str, notice: str) -> None:
    at = run({param: value})
    assert any(notice in i.value for i in at.info)
    assert at.query_params[param] != value


def test_every_chart_and_table_has_downloads(demo_data_dir: Path) -> None:
    """Heat map, spread and movers: the table behind each as CSV and XLSX, each chart as an image on demand."""
    for key in ("compare", "spread", "movers"):
        at = run_page(
            "pages/3_ydelsesgrupper.py", {"maaned": "2018-09", "gruppe": "kontanthjaelp", **section(key)}
        )
        labels = [b.proto.label for b in at.get("download_button")]
        assert labels.count(t("download_csv")) == labels.count(t("download_xlsx")) == 1, key
        assert sum(b.label == t("download_image_make") for b in at.button) == 1, key
