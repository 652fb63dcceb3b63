"""Reference facts: municipalities, areas, name aliases and events."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import polars as pl
import pytest

from joblog_dash.charts import trend
from joblog_dash.config import REFERENCE_DIR
from joblog_dash.data import reference


def test_98_municipalities_with_unique_codes_and_names():
    munis = reference.municipalities()
    assert munis.height == 98
    assert munis["code"].n_unique() == 98
    assert munis["name"].n_unique() == 98
    assert munis["code"].is_sorted()
    assert munis.null_count().row(0) == (0,) * munis.width
    assert (munis["population_2018"] > 0).all()


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (
            "region",
            {
                "Region Hovedstaden": 29,
                "Region Midtjylland": 19,
                "Region Nordjylland": 11,
                "Region Sjælland": 17,
                "Region Syddanmark": 22,
            },
        ),
        ("amk_office", {"AMK Øst": 46, "AMK Syd": 22, "AMK Midt-Nord": 30}),
        (
            "rbr_area",
            {
                "Regionalt beskæftigelsesråd Hovedstaden": 29,
                "Regionalt beskæftigelsesråd Midtjylland": 19,
                "Regionalt beskæftigelsesråd Nordjylland": 11,
                "Regionalt beskæftigelsesråd Sjælland": 17,
                "Regionalt beskæftigelsesråd Syddanmark": 22,
            },
        ),
    ],
)
def test_area_sizes(column, expected):
    counts = dict(reference.municipalities().group_by(column).len().iter_rows())
    assert counts == expected


def test_eight_rar_areas_partition_the_country():
    counts = dict(reference.municipalities().group_by("rar_area").len().iter_rows())
    assert len(counts) == 8
    assert sum(counts.values()) == 98
    assert counts["RAR Bornholm"] == 1


def test_five_regional_employment_councils_one_per_region():
    # From 2025 the 8 RAR were replaced by 5 regional employment councils, one per region (Bornholm with
    # Hovedstaden): each municipality's council is named after its region.
    for region, council in reference.municipalities().select("region", "rbr_area").iter_rows():
        assert council == "Regionalt beskæftigelsesråd " + region.removeprefix("Region ")


def test_area_list_and_kinds():
    areas = reference.areas()
    kinds = [a.kind for a in areas]
    assert kinds.count("land") == 1 and kinds.count("region") == 5
    assert kinds.count("amk") == 3 and kinds.count("rar") == 8 and kinds.count("rbr") == 5
    assert areas[0].key == reference.NATIONAL
    assert len({a.key for a in areas}) == len(areas)  # keys are unique


def test_every_area_key_resolves_and_lists_its_municipalities():
    all_codes = set(reference.municipalities()["code"].to_list())
    for area in reference.areas():
        assert reference.area_by_key(area.key) == area
        assert area.key == reference.slugify(area.name) or area.kind == "land"
        codes = reference.municipality_codes_in(area)
        assert codes and set(codes) <= all_codes
    # Each kind of area splits the 98 municipalities into disjoint parts.
    for kind in ("region", "amk", "rar", "rbr"):
        parts = [reference.municipality_codes_in(a) for a in reference.areas() if a.kind == kind]
        assert sorted(c for part in parts for c in part) == sorted(all_codes)
    assert reference.area_by_key("atlantis") is None


def test_area_of_municipality():
    assert reference.area_of_municipality(360, "region").key == "region-sjaelland"
    assert reference.area_of_municipality(101, "amk").key == "amk-oest"
    assert reference.area_of_municipality(400, "rar").key == "rar-bornholm"
    assert reference.area_of_municipality(400, "rbr").key == "regionalt-beskaeftigelsesraad-hovedstaden"
    assert reference.area_of_municipality(360, "rbr").key == "regionalt-beskaeftigelsesraad-sjaelland"


def test_area_labels_carry_the_period_of_rar_and_councils():
    labels = {a.key: a.label for a in reference.areas()}
    assert labels["rar-sjaelland"] == "RAR Sjælland (2015–2024)"
    assert labels["rar-bornholm"] == "RAR Bornholm (2015–2024)"
    assert labels["regionalt-beskaeftigelsesraad-hovedstaden"] == (
        "Regionalt beskæftigelsesråd Hovedstaden (fra 2025)"
    )
    # Regions have no period: label and name are the same. STAR's AMK offices are labelled historical (no
    # source confirms them after 2025), like the RAR areas.
    assert labels["region-sjaelland"] == "Region Sjælland" and labels["amk-oest"] == "AMK Øst (historisk)"
    assert reference.AREA_KIND_LABEL["amk"] == "Arbejdsmarkedskontorer (historisk)"
    assert reference.area_by_key("rar-sjaelland").name == "RAR Sjælland"  # type: ignore[union-attr]
    assert reference.AREA_KIND_LABEL["rar"] == "RAR-områder (2015–2024)"
    assert reference.AREA_KIND_LABEL["rbr"] == "Regionale beskæftigelsesråd (fra 2025)"


def test_slugify_folds_danish_letters():
    assert reference.slugify("Region Sjælland") == "region-sjaelland"
    assert reference.slugify("AMK Øst") == "amk-oest"
    assert reference.slugify("Århus Å") == "aarhus-aa"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Nordfyn", 480),
        ("Nordfyns", 480),
        ("Århus", 751),
        ("Aarhus Kommune", 751),
        ("Høje Taastrup", 169),
        ("Høje-Taastrup Kommune", 169),
        ("Brønderslev-Dronninglund", 810),
        ("Vesthimmerland", 820),
        ("Copenhagen", 101),
        ("KØBENHAVN", 101),
        ("  København  ", 101),
        ("0101", 101),
        ("101", 101),
        ("0147", 147),
        ("Lyngby Taarbæk", 173),
        ("Bornholms Regionskommune", 400),
    ],
)
def test_resolve_municipality_aliases_and_codes(text, code):
    assert reference.resolve_municipality(text) == code


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "999", "0"])
def test_resolve_unknown_gives_none(text):
    assert reference.resolve_municipality(text) is None


def test_every_alias_resolves_to_a_known_municipality():
    aliases = pl.read_csv(REFERENCE_DIR / "aliases.csv", schema_overrides={"code": pl.Int32})
    known = set(reference.municipalities()["code"].to_list())
    for alias, code in aliases.iter_rows():
        assert code in known, alias
        assert reference.resolve_municipality(alias) == code, alias


def test_every_official_name_resolves():
    for code, name in reference.municipalities().select("code", "name").iter_rows():
        assert reference.resolve_municipality(name) == code
        assert reference.resolve_municipality(f"{name} Kommune") == code


def test_suggest_municipality():
    assert reference.suggest_municipality("Lolands") == "Lolland"
    assert reference.suggest_municipality("zzzzzz") is None


def test_group_labels_and_order():
    assert reference.group_label("kontanthjaelp", short=True) == "Kontanthjælp"
    assert reference.group_label("ukendt") == "ukendt"  # unknown codes show as-is
    assert (
        reference.group_order("kontanthjaelp")
        < reference.group_order("dagpenge")
        < reference.group_order("x")
    )


def test_required_events():
    events = {e.start: e for e in reference.events()}
    assert set(events) >= {
        date(2014, 1, 1),  # kontanthjælpsreformen
        date(2018, 5, 7),  # the minister's letter
        date(2019, 1, 28),  # STAR benchmark
        date(2020, 1, 1),  # new act: joblog for all job-ready
        date(2020, 3, 12),  # COVID-19 suspension
        date(2022, 4, 1),  # lov nr. 371: registration in every whole calendar month, with sanctions
        date(2021, 5, 1),  # STAR's benchmark adds selvforsørgelses- og hjemrejseydelse, overgangsydelse
        date(2025, 1, 1),  # lov nr. 1656: RAR -> 5 regionale beskæftigelsesråd
        date(2025, 7, 1),  # lov nr. 1655: the kontanthjælp reform
        date(2026, 2, 1),  # lov nr. 1750, first step
        date(2026, 7, 1),  # lov nr. 1750, second step
    }
    assert "reform" in events[date(2014, 1, 1)].label.lower()
    assert "brev" in events[date(2018, 5, 7)].label.lower()
    assert "benchmark" in events[date(2019, 1, 28)].label.lower()
    assert "lov" in events[date(2020, 1, 1)].label.lower()
    suspension = events[date(2020, 3, 12)]
    assert suspension.end == date(2020, 5, 27)
    assert "suspend" in suspension.label.lower()
    law = events[date(2022, 4, 1)]
    assert "371" in law.label and "hver måned" in law.label
    assert "hver hele kalendermåned" in law.description and "sanktion" in law.description
    # The groups the law names that the data has (selvforsørgelses- og hjemrejseydelse is not a group here);
    # dagpenge is not covered.
    assert law.benefit_groups == ("kontanthjaelp", "uddannelseshjaelp", "overgangsydelse")
    councils = events[date(2025, 1, 1)]
    assert "1656" in councils.label and "30. december 2024" in councils.description
    assert "5 regionale beskæftigelsesråd" in councils.description
    reform = events[date(2025, 7, 1)]
    assert (
        "1655" in reform.label and "L 13" in reform.description and "30. december 2024" in reform.description
    )
    assert "Uddannelseshjælp findes ikke efter juni 2025" in reform.description
    assert set(reform.benefit_groups) >= {"uddannelseshjaelp", "uddannelsesparate", "kontanthjaelp"}
    for step in (date(2026, 2, 1), date(2026, 7, 1)):
        assert "1750" in events[step].label and "L 66" in events[step].description
    assert "Det Fælles Datagrundlag" in events[date(2026, 2, 1)].description
    benchmark = events[date(2021, 5, 1)]
    assert "selvforsørgelses- og hjemrejseydelse" in benchmark.description
    assert "overgangsydelse" in benchmark.description
    # Every event has a source; the laws from 2025 on cite retsinformation.dk (and the bill, ft.dk).
    assert all(e.source for e in events.values())
    assert "retsinformation.dk/eli/lta/2024/1656" in councils.source
    assert "retsinformation.dk/eli/lta/2024/1655" in reform.source and "ft.dk" in reform.source
    assert "retsinformation.dk/eli/lta/2025/1750" in events[date(2026, 2, 1)].source
    # Point events have no end; every event names known benefit groups.
    assert all(e.end is None for s, e in events.items() if s != date(2020, 3, 12))
    for event in events.values():
        assert event.benefit_groups and set(event.benefit_groups) <= set(reference.BENEFIT_GROUP_LABELS)
        assert event.description


def test_the_2022_law_is_drawn_on_trend_charts_that_reach_it():
    events = reference.events()
    through_2026 = trend.visible_events(events, date(2015, 1, 1), date(2026, 8, 1))
    assert date(2022, 4, 1) in [e.start for e in through_2026]
    fig = trend.add_events(go.Figure(), through_2026)
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert any(str(s.x0).startswith("2022-04-01") for s in lines)
    assert "Joblog hver måned (lov nr. 371)" in [a.text for a in fig.layout.annotations]
    # A chart that ends in December 2021 (the first demo's last month) does not show it.
    until_2021 = trend.visible_events(events, date(2015, 1, 1), date(2021, 12, 1))
    assert date(2022, 4, 1) not in [e.start for e in until_2021]
    assert date(2022, 4, 1) in [
        e.start for e in trend.visible_events(events, date(2022, 4, 1), date(2022, 4, 1))
    ]
