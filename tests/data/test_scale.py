"""Large scales: the stress scale's parts, writing a version part by part, and the stored aggregates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from joblog_dash.data import aggregates, demo, queries, reference, schema, store, warehouse


def test_stress_is_ten_replicas_of_the_full_groups():
    stress, full = demo.SCALES["stress"], demo.SCALES["full"]
    assert stress.replicas == 10 and full.replicas == 1 and demo.SCALES["demo"].replicas == 1
    assert (stress.first_month, stress.last_month, stress.groups) == (
        full.first_month,
        full.last_month,
        full.groups,
    )
    assert demo.replica_group("dagpenge", 1) == "dagpenge"
    assert demo.replica_group("dagpenge", 7) == "dagpenge-r7"


def test_a_stress_replica_part_is_valid_and_distinct():
    first_full = next(demo.iter_parts(scale="full"))
    replica_1 = next(demo.iter_parts(scale="stress", replicas=[1]))
    replica_2 = next(demo.iter_parts(scale="stress", replicas=[2]))
    # Replica 1 is the full scale itself; replica 2 has its own draws under its own group code.
    assert replica_1.equals(first_full)
    assert set(replica_2["benefit_group"].unique()) == {"kontanthjaelp-r2"}
    assert schema.invariant_violations(schema.conform(replica_2)) == {}
    assert set(replica_2["municipality_code"].unique()) == set(reference.municipalities()["code"])
    assert replica_2["month"].n_unique() == 152  # 2014-01 .. 2026-08
    assert replica_2.height == first_full.height
    assert not replica_2["persons"].equals(first_full["persons"])


def test_demo_generate_equals_its_parts():
    parts = list(demo.iter_parts(scale="demo"))
    assert [p["benefit_group"][0] for p in parts] == list(demo.SCALES["demo"].groups)
    assert pl.concat(parts).equals(demo.generate(scale="demo"))


def _part(group: str, months: list[date]) -> pl.DataFrame:
    rows = [
        {"month": m, "municipality_code": code, "benefit_group": group, "gender": reference.TOTAL,
         "age_group": reference.TOTAL, "origin": reference.TOTAL, "persons": 10, "persons_0": 3,
         "persons_1_5": 4, "persons_6plus": 3, "job_searches": 4 * 2 + 3 * 10}
        for m in months for code in (101, 360)
    ]  # fmt: skip
    return pl.DataFrame(rows)


def test_write_version_parts_writes_one_readable_facts_file(tmp_path: Path):
    jan, feb = date(2020, 1, 1), date(2020, 2, 1)
    parts = [_part("kontanthjaelp", [feb, jan]), _part("dagpenge", [jan])]
    manifest = store.write_version_parts(iter(parts), kind="demo", source="test", data_dir=tmp_path)
    assert (manifest.rows, manifest.first_month, manifest.last_month) == (6, "2020-01-01", "2020-02-01")
    assert manifest.benefit_groups == ["dagpenge", "kontanthjaelp"]
    facts, _ = store.current_paths(tmp_path)
    written = pl.read_parquet(facts)
    assert dict(written.schema) == schema.SCHEMA
    assert schema.conform(written).equals(schema.conform(pl.concat(parts)))
    # Sorted by key within each part, parts in the order given.
    assert written["month"].to_list()[:4] == [jan, jan, feb, feb]
    folder = facts.parent
    assert all(aggregates.aggregate_path(folder, name).is_file() for name in aggregates.AGGREGATES)


def test_write_version_parts_refuses_overlapping_or_invalid_parts(tmp_path: Path):
    jan = date(2020, 1, 1)
    with pytest.raises(ValueError, match="invalid part"):
        store.write_version_parts(
            [_part("kontanthjaelp", [jan]), _part("kontanthjaelp", [jan])],
            kind="demo",
            source="t",
            data_dir=tmp_path,
        )
    bad = _part("dagpenge", [jan]).with_columns(pl.lit(-1).alias("persons_0"))
    with pytest.raises(ValueError, match="invalid part"):
        store.write_version_parts([bad], kind="demo", source="t", data_dir=tmp_path)
    assert store.current_version(tmp_path) is None
    assert not [p for p in (tmp_path / "joblog" / "versions").iterdir()]  # no staging folder left behind


def test_stored_aggregates_answer_like_the_facts(demo_data_dir: Path):
    """Opening with the stored aggregates and without them (older versions) gives the same answers."""
    facts, _ = store.current_paths(demo_data_dir)
    folder = facts.parent
    assert all(aggregates.aggregate_path(folder, name).is_file() for name in aggregates.AGGREGATES)
    with_stored = warehouse.open_db(demo_data_dir)
    month = queries.months(with_stored)[-1]

    def answers(db: warehouse.JoblogDB) -> list[pl.DataFrame]:
        return [
            queries.trend(db, area="region-sjaelland"),
            queries.snapshot(db, month, "kontanthjaelp"),
            queries.panel(db, "dagpenge"),
            queries.breakdown(db, month, "kontanthjaelp", "age_group"),
            pl.DataFrame({"values": [str(queries.breakdown_values(db))]}),
        ]

    expected = answers(with_stored)
    moved = {}
    try:
        for name in aggregates.AGGREGATES:
            path = aggregates.aggregate_path(folder, name)
            moved[path] = path.with_suffix(".moved")
            path.rename(moved[path])
        warehouse._open.cache_clear()
        rebuilt = answers(warehouse.open_db(demo_data_dir))
    finally:
        for path, aside in moved.items():
            aside.rename(path)
        warehouse._open.cache_clear()
    for got, want in zip(rebuilt, expected, strict=True):
        assert got.equals(want)


def test_national_breakdown_from_the_aggregate_equals_the_sum_over_municipalities(demo_data_dir: Path):
    db = warehouse.open_db(demo_data_dir)
    month = queries.months(db)[-3]
    every_code = reference.municipalities()["code"].to_list()
    for dimension in queries.BREAKDOWN_DIMENSIONS:
        national = queries.breakdown(db, month, "dagpenge", dimension)
        summed = queries.breakdown(db, month, "dagpenge", dimension, codes=every_code)
        assert national.equals(summed), dimension


def test_current_paths_follows_every_switch_of_current(tmp_path: Path):
    """current_paths remembers its answer per CURRENT file; a new version or a rollback must show at once."""
    jan = date(2020, 1, 1)
    first = store.write_version(_part("dagpenge", [jan]), kind="demo", source="a", data_dir=tmp_path)
    assert store.current_paths(tmp_path)[0].parent.name == first.version
    second = store.write_version(_part("kontanthjaelp", [jan]), kind="demo", source="b", data_dir=tmp_path)
    assert store.current_paths(tmp_path)[0].parent.name == second.version
    store.activate(first.version, data_dir=tmp_path)
    assert store.current_paths(tmp_path)[0].parent.name == first.version
    (tmp_path / "joblog" / "CURRENT").unlink()
    with pytest.raises(store.DatasetMissingError):
        store.current_paths(tmp_path)
