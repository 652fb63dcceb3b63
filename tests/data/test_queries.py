"""Every public function of joblog_dash.data.queries against a tiny hand-built dataset, answers worked out by hand.

The dataset (job searches are always 2 per person with 1-5 and 10 per person with 6+):

kontanthjaelp, broken down by gender (age and origin 'I alt'); (persons_0, persons_1_5, persons_6plus):

    month     code                  Kvinder      Mænd         total  none  share joblogged
    2019-01   101 København         (10,10,20)   (20,20,20)   100    30    0.70
              147 Frederiksberg     (2,2,1)      (3,1,1)       10     5    0.50
              360 Lolland           (6,2,2)      (4,3,3)       20    10    0.50
              376 Guldborgsund      (1,2,2)      (1,2,2)       10     2    0.80
    2019-02   101                   (8,12,20)    (12,20,28)   100    20    0.80
              147                   (3,1,1)      (2,2,1)       10     5    0.50
              360                   (5,3,2)      (5,2,3)       20    10    0.50
              376                   -- no rows --
    2020-02   101                   (4,16,20)    (6,24,30)    100    10    0.90
              147                   (1,2,2)      (1,2,2)       10     2    0.80
              360                   (4,3,3)      (2,4,4)       20     6    0.70
              376                   (0,3,2)      (1,2,2)       10     1    0.90

dagpenge, no breakdowns (all 'I alt'), only 2019-01 and 2019-02:

    2019-01   101 (50,100,350) = 500       360 (20,30,50) = 100
    2019-02   101 (40,100,360) = 500       360 (10,40,50) = 100

101 and 147 are in Region Hovedstaden, 360 and 376 in Region Sjælland; all four in AMK Øst.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from joblog_dash.data import queries, reference, store, warehouse
from joblog_dash.data.reference import TOTAL

JAN19, FEB19, FEB20 = date(2019, 1, 1), date(2019, 2, 1), date(2020, 2, 1)

KONTANT = {
    JAN19: {101: ((10, 10, 20), (20, 20, 20)), 147: ((2, 2, 1), (3, 1, 1)), 360: ((6, 2, 2), (4, 3, 3)),
            376: ((1, 2, 2), (1, 2, 2))},
    FEB19: {101: ((8, 12, 20), (12, 20, 28)), 147: ((3, 1, 1), (2, 2, 1)), 360: ((5, 3, 2), (5, 2, 3))},
    FEB20: {101: ((4, 16, 20), (6, 24, 30)), 147: ((1, 2, 2), (1, 2, 2)), 360: ((4, 3, 3), (2, 4, 4)),
            376: ((0, 3, 2), (1, 2, 2))},
}  # fmt: skip
DAGPENGE = {JAN19: {101: (50, 100, 350), 360: (20, 30, 50)}, FEB19: {101: (40, 100, 360), 360: (10, 40, 50)}}


def _row(month: date, code: int, group: str, gender: str, counts: tuple[int, int, int]) -> dict[str, object]:
    p0, p15, p6 = counts
    return {
        "month": month,
        "municipality_code": code,
        "benefit_group": group,
        "gender": gender,
        "age_group": TOTAL,
        "origin": TOTAL,
        "persons": p0 + p15 + p6,
        "persons_0": p0,
        "persons_1_5": p15,
        "persons_6plus": p6,
        "job_searches": 2 * p15 + 10 * p6,
    }


def tiny_facts() -> pl.DataFrame:
    rows = []
    for month, by_code in KONTANT.items():
        for code, (women, men) in by_code.items():
            rows.append(_row(month, code, "kontanthjaelp", "Kvinder", women))
            rows.append(_row(month, code, "kontanthjaelp", "Mænd", men))
    for month, by_code in DAGPENGE.items():
        for code, counts in by_code.items():
            rows.append(_row(month, code, "dagpenge", TOTAL, counts))
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> warehouse.JoblogDB:
    data_dir = tmp_path_factory.mktemp("tiny")
    store.write_version(tiny_facts(), kind="real", source="hand-built test data", data_dir=data_dir)
    return warehouse.open_db(data_dir)


def by_key(frame: pl.DataFrame, *keys: str) -> dict[object, dict[str, object]]:
    return {
        tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in frame.iter_rows(named=True)
    }


# --- Opening ----------------------------------------------------------------------------------------------


def test_open_db_gives_the_current_version(db):
    assert db.manifest.source == "hand-built test data"
    assert db.manifest.rows == 2 * 11 + 4  # 11 municipality-months of kontanthjælp x 2 genders + 4 dagpenge


def test_missing_dataset_error_names_path_and_how_to_build(tmp_path: Path):
    with pytest.raises(store.DatasetMissingError) as info:
        warehouse.open_db(tmp_path / "empty")
    message, detail = str(info.value), info.value.detail
    assert "joblog-dash demo" in message and "make run" in message
    assert str(tmp_path) not in message  # shown to every visitor
    assert str(tmp_path / "empty" / "joblog") in detail  # the operator's version (CLI) says where


def test_open_db_reads_joblog_data_dir_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store.write_version(tiny_facts(), kind="real", source="via env", data_dir=tmp_path)
    monkeypatch.setenv("JOBLOG_DATA_DIR", str(tmp_path))
    assert warehouse.open_db().manifest.source == "via env"


# --- Lists ------------------------------------------------------------------------------------------------


def test_months(db):
    assert queries.months(db) == [JAN19, FEB19, FEB20]


def test_benefit_groups_in_display_order(db):
    # Display order from reference (kontanthjælp before dagpenge), not alphabetical.
    assert queries.benefit_groups(db) == ["kontanthjaelp", "dagpenge"]


def test_breakdown_values_leave_out_i_alt(db):
    assert queries.breakdown_values(db) == {"gender": ["Kvinder", "Mænd"], "age_group": [], "origin": []}


# --- Trend ------------------------------------------------------------------------------------------------


def test_trend_national_all_groups(db):
    frame = queries.trend(db)
    assert frame.select("benefit_group", "month").rows() == [
        ("dagpenge", JAN19),
        ("dagpenge", FEB19),
        ("kontanthjaelp", JAN19),
        ("kontanthjaelp", FEB19),
        ("kontanthjaelp", FEB20),
    ]
    rows = by_key(frame, "benefit_group", "month")
    k = rows[("kontanthjaelp", JAN19)]
    # persons 100 + 10 + 20 + 10 = 140; none 30 + 5 + 10 + 2 = 47; 1-5: 30 + 3 + 5 + 4 = 42; 6+: 40 + 2 + 5 + 4 = 51
    assert (k["persons"], k["persons_0"], k["persons_1_5"], k["persons_6plus"]) == (140, 47, 42, 51)
    assert k["job_searches"] == 2 * 42 + 10 * 51  # 594
    assert k["share_joblogged"] == pytest.approx(93 / 140)
    assert k["share_none"] == pytest.approx(47 / 140)
    assert k["share_6plus"] == pytest.approx(51 / 140)
    assert k["searches_per_person"] == pytest.approx(594 / 140)
    # 2019-02: 376 has no rows; persons 100 + 10 + 20 = 130, none 20 + 5 + 10 = 35.
    assert rows[("kontanthjaelp", FEB19)]["share_joblogged"] == pytest.approx(95 / 130)
    # 2020-02: persons 140, none 10 + 2 + 6 + 1 = 19.
    assert rows[("kontanthjaelp", FEB20)]["share_joblogged"] == pytest.approx(121 / 140)
    # dagpenge 2019-01: persons 600, none 50 + 20 = 70; 2019-02: none 40 + 10 = 50.
    assert rows[("dagpenge", JAN19)]["share_joblogged"] == pytest.approx(530 / 600)
    assert rows[("dagpenge", FEB19)]["share_joblogged"] == pytest.approx(550 / 600)


def test_trend_region_share_is_a_ratio_of_sums_not_a_mean_of_shares(db):
    frame = queries.trend(db, area="region-hovedstaden", groups=["kontanthjaelp"])
    rows = by_key(frame, "month")
    assert list(rows) == [JAN19, FEB19, FEB20]
    feb = rows[FEB19]
    # København 80 of 100 joblogged (0.80), Frederiksberg 5 of 10 (0.50): region (80 + 5) / 110 = 0.7727.
    assert (feb["persons"], feb["persons_0"]) == (110, 25)
    assert feb["share_joblogged"] == pytest.approx(85 / 110)
    mean_of_shares = (0.80 + 0.50) / 2  # 0.65 — what a wrong implementation would give
    assert feb["share_joblogged"] != pytest.approx(mean_of_shares)
    assert rows[JAN19]["share_joblogged"] == pytest.approx(75 / 110)  # (70 + 5) / 110
    assert rows[FEB20]["share_joblogged"] == pytest.approx(98 / 110)  # (90 + 8) / 110


def test_trend_other_region_and_area_object(db):
    sjaelland = reference.area_by_key("region-sjaelland")
    rows = by_key(queries.trend(db, area=sjaelland), "benefit_group", "month")
    # 2019-01 kontanthjælp: Lolland 10 of 20, Guldborgsund 8 of 10 -> 18 / 30 = 0.60 (mean of shares 0.65).
    assert rows[("kontanthjaelp", JAN19)]["share_joblogged"] == pytest.approx(18 / 30)
    # 2019-02: only Lolland reported -> 10 / 20.
    assert rows[("kontanthjaelp", FEB19)]["persons"] == 20
    # dagpenge in Sjælland is Lolland alone: 80 of 100, then 90 of 100.
    assert rows[("dagpenge", JAN19)]["share_joblogged"] == pytest.approx(0.80)
    assert rows[("dagpenge", FEB19)]["share_joblogged"] == pytest.approx(0.90)


def test_trend_amk_covers_both_regions(db):
    # All four municipalities are in AMK Øst, so its trend equals the national one.
    assert queries.trend(db, area="amk-oest").equals(queries.trend(db))
    assert queries.trend(db, area="amk-syd").is_empty()


def test_rar_and_council_areas_filter_by_their_name_not_their_label(db):
    # RAR Hovedstaden (2015–2024) and the Hovedstaden council (from 2025) are both 101 + 147 here (Bornholm is
    # RAR Bornholm); their labels carry the period, the SQL compares the plain name.
    rar, council = (
        reference.area_by_key("rar-hovedstaden"),
        reference.area_by_key("regionalt-beskaeftigelsesraad-hovedstaden"),
    )
    assert rar.label == "RAR Hovedstaden (2015–2024)"  # type: ignore[union-attr]
    assert council.label == "Regionalt beskæftigelsesråd Hovedstaden (fra 2025)"  # type: ignore[union-attr]
    for area in (rar, council):
        feb = by_key(queries.trend(db, area=area, groups=["kontanthjaelp"]), "month")[FEB19]  # type: ignore[arg-type]
        assert feb["share_joblogged"] == pytest.approx(85 / 110)  # (80 + 5) / (100 + 10), as the region
    sjaelland = "regionalt-beskaeftigelsesraad-sjaelland"
    snap = queries.snapshot(db, JAN19, "kontanthjaelp", sjaelland)
    region = queries.snapshot(db, JAN19, "kontanthjaelp", "region-sjaelland")
    assert snap["municipality_code"].to_list() == region["municipality_code"].to_list()  # all 17, kept
    assert snap.filter(pl.col("persons") > 0)["municipality_code"].to_list() == [360, 376]
    assert queries.panel(db, "kontanthjaelp", sjaelland, start=FEB19, end=FEB19).select(
        "municipality_code", "share_joblogged"
    ).rows() == [(360, 0.50)]
    rows = by_key(queries.breakdown(db, JAN19, "kontanthjaelp", "gender", area=sjaelland), "category")
    assert rows["Kvinder"]["share_joblogged"] == pytest.approx(8 / 15)  # as region Sjælland below


def test_trend_for_chosen_municipalities(db):
    frame = queries.trend(db, codes=[147, 376])
    # Neither has dagpenge rows, so only kontanthjælp appears.
    assert frame["benefit_group"].unique().to_list() == ["kontanthjaelp"]
    rows = by_key(frame, "month")
    assert rows[JAN19]["share_joblogged"] == pytest.approx(13 / 20)  # (5 + 8) / (10 + 10)
    assert rows[FEB19]["share_joblogged"] == pytest.approx(5 / 10)  # Frederiksberg only
    assert rows[FEB20]["share_joblogged"] == pytest.approx(17 / 20)  # (8 + 9) / 20


def test_trend_groups_filter(db):
    frame = queries.trend(db, groups=["dagpenge"])
    assert frame["benefit_group"].to_list() == ["dagpenge", "dagpenge"]
    assert frame["persons"].to_list() == [600, 600]


# --- Snapshot -------------------------------------------------------------------------------------------


def test_snapshot_national_keeps_every_municipality(db):
    frame = queries.snapshot(db, FEB19, "kontanthjaelp")
    assert frame.height == 98
    assert frame["municipality_code"].to_list() == reference.municipalities()["code"].to_list()
    rows = by_key(frame, "municipality_code")
    kbh = rows[101]
    assert (kbh["name"], kbh["region"], kbh["persons"], kbh["persons_0"]) == (
        "København",
        "Region Hovedstaden",
        100,
        20,
    )
    assert kbh["share_joblogged"] == pytest.approx(0.80)
    assert kbh["share_joblogged_prev_month"] == pytest.approx(0.70)  # 2019-01: 70 of 100
    assert kbh["share_joblogged_year_ago"] is None  # no 2018-02 data
    assert kbh["searches_per_person"] == pytest.approx((2 * 32 + 10 * 48) / 100)
    # Guldborgsund reported nothing in 2019-02: kept with persons 0 and no share, but last month's share shown.
    gb = rows[376]
    assert (gb["persons"], gb["persons_0"], gb["job_searches"]) == (0, 0, 0)
    assert gb["share_joblogged"] is None
    assert gb["share_joblogged_prev_month"] == pytest.approx(0.80)  # 2019-01: 8 of 10
    # A municipality never in the data is kept too.
    assert rows[851]["persons"] == 0 and rows[851]["share_joblogged"] is None


def test_snapshot_area_with_year_ago(db):
    frame = queries.snapshot(db, FEB20, "kontanthjaelp", area="region-sjaelland")
    assert frame.height == 17
    assert set(frame["region"].to_list()) == {"Region Sjælland"}
    rows = by_key(frame, "municipality_code")
    assert rows[360]["share_joblogged"] == pytest.approx(0.70)  # 14 of 20
    assert rows[360]["share_joblogged_prev_month"] is None  # no 2020-01 data
    assert rows[360]["share_joblogged_year_ago"] == pytest.approx(0.50)  # 2019-02: 10 of 20
    assert rows[376]["share_joblogged"] == pytest.approx(0.90)
    assert rows[376]["share_joblogged_year_ago"] is None  # no rows in 2019-02
    assert rows[306]["persons"] == 0  # Odsherred, in the region but not in the data


def test_snapshot_other_group(db):
    rows = by_key(queries.snapshot(db, FEB19, "dagpenge"), "municipality_code")
    assert rows[360]["share_joblogged"] == pytest.approx(0.90)
    assert rows[360]["share_joblogged_prev_month"] == pytest.approx(0.80)
    assert rows[147]["persons"] == 0


# --- Panel ------------------------------------------------------------------------------------------------


def test_panel_national(db):
    frame = queries.panel(db, "kontanthjaelp")
    # 4 + 3 + 4 municipality-months, ordered by municipality then month.
    assert frame.height == 11
    assert frame.select("municipality_code", "month").rows()[:3] == [(101, JAN19), (101, FEB19), (101, FEB20)]
    rows = by_key(frame, "municipality_code", "month")
    assert rows[(147, FEB20)]["share_joblogged"] == pytest.approx(0.80)
    assert rows[(147, FEB20)]["name"] == "Frederiksberg"
    assert (376, FEB19) not in rows


def test_panel_area_start_end(db):
    frame = queries.panel(db, "kontanthjaelp", area="region-hovedstaden", start=FEB19)
    assert frame.select("municipality_code", "month").rows() == [
        (101, FEB19),
        (101, FEB20),
        (147, FEB19),
        (147, FEB20),
    ]
    frame = queries.panel(db, "kontanthjaelp", area="region-hovedstaden", start=FEB19, end=FEB19)
    assert frame.select("municipality_code", "share_joblogged").rows() == [(101, 0.80), (147, 0.50)]
    assert queries.panel(db, "kontanthjaelp", end=date(2018, 12, 1)).is_empty()


# --- Group sizes ----------------------------------------------------------------------------------------------


def test_group_sizes(db):
    frame = queries.group_sizes(db, JAN19)
    assert frame["municipality_code"].to_list() == [101, 147, 360, 376]
    rows = by_key(frame, "municipality_code")
    assert (rows[101]["kontanthjaelp"], rows[101]["dagpenge"]) == (100, 500)
    assert (rows[147]["kontanthjaelp"], rows[147]["dagpenge"]) == (10, None)
    assert (rows[360]["kontanthjaelp"], rows[360]["dagpenge"]) == (20, 100)
    assert set(queries.group_sizes(db, FEB20).columns) == {"municipality_code", "kontanthjaelp"}


def test_group_sizes_month_without_data(db):
    frame = queries.group_sizes(db, date(2021, 1, 1))
    assert frame.is_empty() and frame.columns == ["municipality_code"]


# --- Breakdown ------------------------------------------------------------------------------------------------


def test_breakdown_national_by_gender(db):
    frame = queries.breakdown(db, JAN19, "kontanthjaelp", "gender")
    rows = by_key(frame, "category")
    assert list(rows) == ["Kvinder", "Mænd"]
    # Kvinder: persons 40 + 5 + 10 + 5 = 60, none 10 + 2 + 6 + 1 = 19 -> 41 / 60.
    assert (rows["Kvinder"]["persons"], rows["Kvinder"]["persons_0"]) == (60, 19)
    assert rows["Kvinder"]["share_joblogged"] == pytest.approx(41 / 60)
    # Mænd: persons 60 + 5 + 10 + 5 = 80, none 20 + 3 + 4 + 1 = 28 -> 52 / 80.
    assert rows["Mænd"]["share_joblogged"] == pytest.approx(52 / 80)
    assert frame["persons"].sum() == 140  # the categories add up to the total


def test_breakdown_by_codes_and_area(db):
    rows = by_key(queries.breakdown(db, JAN19, "kontanthjaelp", "gender", codes=[101]), "category")
    assert rows["Kvinder"]["share_joblogged"] == pytest.approx(30 / 40)
    assert rows["Mænd"]["share_joblogged"] == pytest.approx(40 / 60)
    rows = by_key(
        queries.breakdown(db, JAN19, "kontanthjaelp", "gender", area="region-sjaelland"), "category"
    )
    # Kvinder: Lolland (6 none of 10) + Guldborgsund (1 of 5) -> 8 / 15; Mænd: (4 of 10) + (1 of 5) -> 10 / 15.
    assert rows["Kvinder"]["share_joblogged"] == pytest.approx(8 / 15)
    assert rows["Mænd"]["share_joblogged"] == pytest.approx(10 / 15)


def test_breakdown_of_an_undivided_dimension_is_the_i_alt_total(db):
    # Age is not broken down in this data: the only category is 'I alt', equal to the total.
    frame = queries.breakdown(db, JAN19, "kontanthjaelp", "age_group")
    assert frame.select("category", "persons", "persons_0").rows() == [(TOTAL, 140, 47)]
    frame = queries.breakdown(db, FEB19, "dagpenge", "gender")
    assert frame.select("category", "persons").rows() == [(TOTAL, 600)]


# --- Errors -------------------------------------------------------------------------------------------------


def test_unknown_area_raises(db):
    with pytest.raises(queries.UnknownAreaError):
        queries.trend(db, area="atlantis")
    with pytest.raises(queries.UnknownAreaError):
        queries.snapshot(db, JAN19, "kontanthjaelp", area="atlantis")
    with pytest.raises(queries.UnknownAreaError):
        queries.panel(db, "kontanthjaelp", area="region-atlantis")
    with pytest.raises(queries.UnknownAreaError):
        queries.breakdown(db, JAN19, "kontanthjaelp", "gender", area="'; DROP TABLE facts; --")
    assert issubclass(queries.UnknownAreaError, ValueError)


def test_unknown_dimension_raises(db):
    with pytest.raises(ValueError, match="dimension"):
        queries.breakdown(db, JAN19, "kontanthjaelp", "municipality_code")
