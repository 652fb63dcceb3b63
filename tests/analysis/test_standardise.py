"""Expected versus actual (analysis.standardise, queries.standardise_cells, `export expected`), by hand.

The hand-built dataset: kontanthjælp, broken down by age only (gender and origin 'I alt'); counts are
(persons_0, persons_1_5, persons_6plus), job searches 2 per person with 1-5 and 10 per person with 6+.

2019-01:    code   16-24          30-39           persons  joblogged  6+
            101    (6, 2, 2) = 10  (6, 10, 14) = 30   40       28      16
            147    (15, 5, 10) = 30 (1, 4, 5) = 10    40       24      15
            (plus one dagpenge row, 101 16-24 (1, 2, 2), which must not leak into kontanthjælp)

National rates, joblogged: 16-24 (4 + 15)/40 = 0.475, 30-39 (24 + 9)/40 = 0.825; country 52/80 = 0.65.
    101: expected = 10·0.475 + 30·0.825 = 4.75 + 24.75 = 29.5; ratio 28/29.5 = 0.949153;
         share 0.70, expected share 29.5/40 = 0.7375, difference −0.0375, composition effect +0.0875.
    147: expected = 30·0.475 + 10·0.825 = 14.25 + 8.25 = 22.5; ratio 24/22.5 = 1.066667;
         share 0.60, expected share 0.5625, difference +0.0375, composition effect −0.0875.
    Σ expected = 52 = Σ observed. Raw, 101 is above the country and 147 below; adjusted, the other way round:
    101's recipients are mostly 30-39, who log more.
None (no job search): rates 16-24 21/40 = 0.525, 30-39 7/40 = 0.175; 101: 10·0.525 + 30·0.175 = 10.5,
    observed 12, ratio 1.142857 (= 40 − 29.5 expected, as it must).
6+: rates 16-24 12/40 = 0.3, 30-39 19/40 = 0.475; 101: 3 + 14.25 = 17.25, observed 16, ratio 0.927536;
    147: 9 + 4.75 = 13.75, observed 15, ratio 1.090909.

2019-02 (the export's small cells), 30-39 only: 101 (10, 20, 20) = 50, 147 (20, 20, 20) = 60,
151 (1, 1, 1) = 3, 153 (5, 5, 10) = 20. 151 has fewer than 5 persons; it being the only one, the
next-smallest (153) is hidden too, so it cannot be found by subtraction (privacy.suppression_mask).
"""

from __future__ import annotations

import io
import math
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from joblog_dash import cli
from joblog_dash.analysis import privacy, standardise, stats
from joblog_dash.data import queries, reference, store, warehouse
from joblog_dash.data.reference import AGE_GROUPS, GENDERS, ORIGINS, TOTAL
from joblog_dash.exporting import tables as export_tables

JAN19, FEB19 = date(2019, 1, 1), date(2019, 2, 1)
COUNT_KEYS = ("persons_0", "persons_1_5", "persons_6plus")
HAND = {  # (month, group, code, age) -> (persons_0, persons_1_5, persons_6plus)
    (JAN19, "kontanthjaelp", 101, "16-24"): (6, 2, 2),
    (JAN19, "kontanthjaelp", 101, "30-39"): (6, 10, 14),
    (JAN19, "kontanthjaelp", 147, "16-24"): (15, 5, 10),
    (JAN19, "kontanthjaelp", 147, "30-39"): (1, 4, 5),
    (JAN19, "dagpenge", 101, "16-24"): (1, 2, 2),
    (FEB19, "kontanthjaelp", 101, "30-39"): (10, 20, 20),
    (FEB19, "kontanthjaelp", 147, "30-39"): (20, 20, 20),
    (FEB19, "kontanthjaelp", 151, "30-39"): (1, 1, 1),
    (FEB19, "kontanthjaelp", 153, "30-39"): (5, 5, 10),
}


def cell(code: int, counts: tuple[int, int, int], gender: str = TOTAL, age: str = TOTAL,
         origin: str = TOTAL) -> dict[str, object]:  # fmt: skip
    p0, p15, p6 = counts
    return {
        "municipality_code": code, "gender": gender, "age_group": age, "origin": origin,
        "persons": p0 + p15 + p6, "persons_0": p0, "persons_1_5": p15, "persons_6plus": p6,
        "job_searches": 2 * p15 + 10 * p6,
    }  # fmt: skip


def hand_facts() -> pl.DataFrame:
    rows = [
        {"month": m, "benefit_group": g, **cell(code, counts, age=age)}
        for (m, g, code, age), counts in HAND.items()
    ]
    return pl.DataFrame(rows)


def jan_cells() -> pl.DataFrame:
    return hand_facts().filter((pl.col("month") == JAN19) & (pl.col("benefit_group") == "kontanthjaelp"))


def row(result: standardise.Standardised, code: int) -> dict[str, object]:
    return result.table.filter(pl.col("code") == code).row(0, named=True)


@pytest.fixture(scope="module")
def hand_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data_dir = tmp_path_factory.mktemp("standardise")
    store.write_version(hand_facts(), kind="real", source="hand-built (standardise)", data_dir=data_dir)
    return data_dir


# --- The worked example ------------------------------------------------------------------------------------


def test_worked_example_by_hand() -> None:
    result = standardise.standardise(jan_cells(), "joblogged", overdispersion=False)
    assert result.dimensions == ("age_group",) and result.adjustment == "alder"
    assert result.national_share == pytest.approx(0.65)
    a, b = row(result, 101), row(result, 147)
    assert (a["persons"], a["observed"], b["persons"], b["observed"]) == (40, 28, 40, 24)
    assert a["expected"] == pytest.approx(29.5) and b["expected"] == pytest.approx(22.5)
    assert a["ratio"] == pytest.approx(28 / 29.5) and b["ratio"] == pytest.approx(24 / 22.5)
    assert a["expected_share"] == pytest.approx(0.7375) and b["expected_share"] == pytest.approx(0.5625)
    assert a["difference"] == pytest.approx(-0.0375) and b["difference"] == pytest.approx(0.0375)
    assert a["composition_effect"] == pytest.approx(0.0875)
    assert b["composition_effect"] == pytest.approx(-0.0875)
    # Without over-dispersion z is the plain arcsine score against the unit's own expected share.
    z_a = (math.asin(math.sqrt(0.70)) - math.asin(math.sqrt(0.7375))) * 2 * math.sqrt(40)
    assert a["z"] == pytest.approx(z_a)
    assert a["lower_95"] < a["ratio"] < a["upper_95"] and a["verdict"] == stats.VERDICT_WITHIN
    # Municipalities without data are kept, empty, as in queries.snapshot.
    assert result.table.height == 98
    assert row(result, 360)["persons"] == 0 and row(result, 360)["ratio"] is None


@pytest.mark.parametrize(
    ("measure", "expected_a", "observed_a", "expected_b"),
    [("none", 10.5, 12, 17.5), ("6plus", 17.25, 16, 13.75)],
)
def test_worked_example_other_measures(
    measure: str, expected_a: float, observed_a: int, expected_b: float
) -> None:
    result = standardise.standardise(jan_cells(), measure)
    a, b = row(result, 101), row(result, 147)
    assert a["expected"] == pytest.approx(expected_a) and a["observed"] == observed_a
    assert b["expected"] == pytest.approx(expected_b)
    assert a["ratio"] == pytest.approx(observed_a / expected_a)


# --- Properties --------------------------------------------------------------------------------------------


def random_cells(seed: int, municipalities: int = 12, same_mix: bool = False) -> pl.DataFrame:
    """Gender x age x origin cells with random persons and counts (persons ≥ 5 in every municipality)."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 8, size=len(GENDERS) * len(AGE_GROUPS) * len(ORIGINS)) + 1
    codes = reference.municipalities()["code"].to_list()[:municipalities]
    rows = []
    for m, code in enumerate(codes):
        persons = base * (m + 1) if same_mix else rng.integers(0, 12, size=base.size)
        keys = [(g, a, o) for g in GENDERS for a in AGE_GROUPS for o in ORIGINS]
        for (gender, age, origin), n in zip(keys, persons, strict=True):
            p0 = int(rng.binomial(n, rng.uniform(0.1, 0.6)))
            p6 = int(rng.binomial(n - p0, 0.5))
            rows.append(cell(code, (p0, int(n) - p0 - p6, p6), gender, age, origin))
    return pl.DataFrame(rows).with_columns(pl.col("municipality_code").cast(pl.Int32))


@pytest.mark.parametrize("measure", ["joblogged", "none", "6plus"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sum_of_expected_is_the_national_observed_count(measure: str, seed: int) -> None:
    cells = random_cells(seed)
    counts, dims, _ = standardise.expected_counts(cells, measure)
    assert dims == ("gender", "age_group", "origin")
    assert counts["expected"].sum() == pytest.approx(counts["observed"].sum(), rel=1e-12)
    # And per cell of the data it holds for each dimension alone.
    for dim in ("gender", "age_group"):
        one, _, _ = standardise.expected_counts(cells, measure, (dim,))
        assert one["expected"].sum() == pytest.approx(one["observed"].sum(), rel=1e-12)


@pytest.mark.parametrize("overdispersion", [True, False])
def test_national_composition_everywhere_changes_nothing(overdispersion: bool) -> None:
    """Every municipality has the same mix (persons = k · base): the adjusted funnel is the raw one."""
    cells = random_cells(7, municipalities=15, same_mix=True)
    result = standardise.standardise(cells, "joblogged", overdispersion=overdispersion)
    table = result.table.filter(pl.col("persons") > 0)
    national = result.national_share
    # The expected share is the national share for all, so ratio = raw share / national share.
    assert table["expected_share"].to_numpy() == pytest.approx(np.full(table.height, national))
    assert table["ratio"].to_numpy() == pytest.approx(table["share"].to_numpy() / national)
    raw = stats.funnel(table["persons"].to_numpy(), table["observed"].to_numpy(), national, overdispersion)
    assert result.tau2 == pytest.approx(raw.tau2)
    assert table["z"].to_numpy() == pytest.approx(raw.table["z"].to_numpy())
    assert table["verdict"].to_list() == raw.table["verdict"].to_list()
    for col in ("lower_95", "upper_95", "lower_998", "upper_998"):
        assert (table[col] * national).to_numpy() == pytest.approx(raw.table[col].to_numpy())
        # The drawn curve (at the national share) passes through every unit's own limits here.
        curve = result.curve(table["expected"].to_numpy())
        assert curve[col].to_numpy() == pytest.approx(table[col].to_numpy())


def test_overdispersion_is_estimated_around_each_expected_share() -> None:
    """DerSimonian–Laird written out here: z_m = 2√n (asin√o − asin√e_m), winsorised at the 10 % and 90 %
    quantiles, Q = Σz², w = 4n, τ² = max(0, (Q − (k − 1)) / (Σw − Σw²/Σw)); z then uses √(1/4n + τ²)."""
    result = standardise.standardise(random_cells(11, municipalities=20), "joblogged")
    table = result.table.filter(pl.col("persons") > 0)
    n, o, e = (table[c].to_numpy() for c in ("persons", "share", "expected_share"))
    z = 2 * np.sqrt(n) * (np.arcsin(np.sqrt(o)) - np.arcsin(np.sqrt(e)))
    lo, hi = np.quantile(z, [0.1, 0.9])
    q, w = float(np.sum(np.clip(z, lo, hi) ** 2)), 4 * n
    tau2 = max(0.0, (q - (len(n) - 1)) / (w.sum() - (w**2).sum() / w.sum()))
    assert tau2 > 0 and result.tau2 == pytest.approx(tau2) and result.q == pytest.approx(q)
    expected_z = (np.arcsin(np.sqrt(o)) - np.arcsin(np.sqrt(e))) / np.sqrt(1 / (4 * n) + tau2)
    assert table["z"].to_numpy() == pytest.approx(expected_z)


def test_a_composition_difference_is_what_the_adjustment_removes() -> None:
    """Two municipalities that log exactly at the national rate of each age group are both as expected
    after adjustment (ratio 1), whatever their raw shares."""
    rates = {"16-24": (6, 4), "30-39": (2, 8)}  # (none, joblogged) per 10 persons
    rows = []
    for code, weights in ((101, {"16-24": 1, "30-39": 9}), (147, {"16-24": 9, "30-39": 1})):
        for age, k in weights.items():
            none, logged = rates[age]
            rows.append(cell(code, (none * k, logged * k, 0), age=age))
    result = standardise.standardise(pl.DataFrame(rows), "joblogged", overdispersion=False)
    a, b = row(result, 101), row(result, 147)
    # Raw shares (4 + 72)/100 and (36 + 8)/100.
    assert a["share"] == pytest.approx(0.76) and b["share"] == pytest.approx(0.44)
    assert a["ratio"] == pytest.approx(1.0) and b["ratio"] == pytest.approx(1.0)
    assert a["verdict"] == b["verdict"] == stats.VERDICT_WITHIN
    # The country: (76 + 44)/200 = 0.60, so København's whole gap of +16 points is composition.
    assert standardise.gap_sentence(a, result.adjustment) == (
        "Ud fra hvem modtagerne er (alder), ville København forventes at ligge på 76,0 pct. — kommunen ligger "
        "på 76,0 pct., og af forskellen til landet (+16,0 pct.-point) forklarer sammensætningen "
        "+16,0 pct.-point, mens ±0,0 pct.-point skyldes andet."
    )
    assert standardise.gap_sentence({**a, "suppressed": True}, result.adjustment) is None


# --- Which adjustment was possible -------------------------------------------------------------------------


def test_dimensions_fall_back_to_the_total() -> None:
    full = random_cells(4, municipalities=3)
    assert standardise.standardise(full).adjustment == "køn, alder og herkomst"
    # One municipality stored by age only: gender and origin fall back to the total for everyone.
    third = reference.municipalities()["code"][2]
    coarse = full.filter(pl.col("municipality_code") != third).vstack(
        full.filter(pl.col("municipality_code") == third)
        .group_by("municipality_code", "age_group")
        .agg(pl.col(c).sum() for c in ("persons", *COUNT_KEYS, "job_searches"))
        .with_columns(gender=pl.lit(TOTAL), origin=pl.lit(TOTAL))
        .select(full.columns)
        .with_columns(pl.col(c).cast(full.schema[c]) for c in full.columns)
    )
    result = standardise.standardise(coarse)
    assert result.dimensions == ("age_group",) and result.adjustment == "alder"
    counts, _, _ = standardise.expected_counts(coarse)
    assert counts["expected"].sum() == pytest.approx(counts["observed"].sum())
    # Nothing broken down: expected = persons x national share, the ratio is share / national share.
    flat = full.group_by("municipality_code").agg(pl.col(c).sum() for c in ("persons", *COUNT_KEYS))
    flat = flat.with_columns(gender=pl.lit(TOTAL), age_group=pl.lit(TOTAL), origin=pl.lit(TOTAL))
    plain = standardise.standardise(flat)
    assert plain.dimensions == () and plain.adjustment == "ingen"
    t = plain.table.filter(pl.col("persons") > 0)
    assert t["ratio"].to_numpy() == pytest.approx(t["share"].to_numpy() / plain.national_share)
    with pytest.raises(ValueError):
        standardise.expected_counts(flat, "joblogged", ("gender",))


def test_adjustment_labels_in_danish() -> None:
    assert standardise.adjustment_label(("gender", "age_group")) == "køn og alder"
    assert standardise.adjustment_label(("origin", "gender")) == "køn og herkomst"
    assert standardise.adjustment_label(()) == "ingen"


# --- Small cells --------------------------------------------------------------------------------------------


def test_small_municipalities_get_no_figures() -> None:
    cells = hand_facts().filter((pl.col("month") == FEB19) & (pl.col("benefit_group") == "kontanthjaelp"))
    result = standardise.standardise(cells)
    table = result.table.filter(pl.col("persons") > 0).sort("code")
    assert table["suppressed"].to_list() == [False, False, True, True]  # 151 (3) and, secondarily, 153
    assert table["suppressed"].to_list() == privacy.suppression_mask(table["persons"]).to_list()
    hidden = table.filter(pl.col("suppressed"))
    for col in standardise.HIDDEN_COLUMNS:
        assert hidden[col].null_count() == hidden.height, col
    shown = table.filter(~pl.col("suppressed"))
    assert shown["ratio"].null_count() == 0 and shown["verdict"].null_count() == 0
    # The hidden municipalities still count nationally: 30-39 rate (40 + 40 + 2 + 15)/133.
    assert result.national_share == pytest.approx(97 / 133)


# --- The query and the export against a hand-built parquet -------------------------------------------------------


def test_standardise_cells_query(hand_dir: Path) -> None:
    db = warehouse.open_db(hand_dir)
    frame = queries.standardise_cells(db, JAN19, "kontanthjaelp")
    assert frame.columns == ["municipality_code", "gender", "age_group", "origin", "persons", "persons_0",
                             "persons_1_5", "persons_6plus", "job_searches"]  # fmt: skip
    got = {(r["municipality_code"], r["age_group"]): (r["persons_0"], r["persons_1_5"], r["persons_6plus"])
           for r in frame.iter_rows(named=True)}  # fmt: skip
    assert got == {(c, a): v for (m, g, c, a), v in HAND.items() if m == JAN19 and g == "kontanthjaelp"}
    assert set(frame["gender"]) == {TOTAL} and set(frame["origin"]) == {TOTAL}
    assert queries.standardise_cells(db, JAN19, "dagpenge")["persons"].to_list() == [5]
    # Straight into the analysis: the worked example's figures.
    result = standardise.standardise(frame)
    assert row(result, 101)["expected"] == pytest.approx(29.5)


def export(
    hand_dir: Path, month: str, capsysbinary: pytest.CaptureFixture[bytes], *extra: str
) -> pl.DataFrame:
    argv = ["--data-dir", str(hand_dir), "export", "expected", "--month", month, "--group", "kontanthjaelp"]
    assert cli.main([*argv, *extra]) == 0
    out, _ = capsysbinary.readouterr()
    return pl.read_csv(io.BytesIO(out))


def test_export_expected_columns_and_figures(hand_dir: Path, capsysbinary) -> None:
    frame = export(hand_dir, "2019-01", capsysbinary)
    assert frame.columns == [
        "municipality_code", "municipality", "persons", "observed", "expected", "ratio",
        "lower_95", "upper_95", "lower_998", "upper_998", "verdict",
    ]  # fmt: skip
    assert list(export_tables.EXPECTED_CSV_COLUMNS) == frame.columns
    assert frame["municipality_code"].to_list() == [101, 147]  # only municipalities with persons
    assert frame["expected"].to_list() == pytest.approx([29.5, 22.5])
    assert frame["ratio"].to_list() == pytest.approx([0.949153, 1.066667], abs=1e-6)
    none = export(hand_dir, "2019-01", capsysbinary, "--measure", "none")
    assert none["expected"].to_list() == pytest.approx([10.5, 17.5])


def test_export_expected_suppresses_small_municipalities(hand_dir: Path, capsysbinary) -> None:
    frame = export(hand_dir, "2019-02", capsysbinary).sort("municipality_code")
    assert frame["municipality_code"].to_list() == [101, 147, 151, 153]
    hidden = frame.filter(pl.col("municipality_code").is_in([151, 153]))
    for col in ("observed", "expected", "ratio", "lower_95", "upper_95", "lower_998", "upper_998", "verdict"):
        assert hidden[col].null_count() == 2, col
    shown = frame.filter(pl.col("municipality_code").is_in([101, 147]))
    assert shown["ratio"].null_count() == 0 and shown["verdict"].null_count() == 0


def test_export_expected_danish_csv_and_bad_month(hand_dir: Path, capsysbinary) -> None:
    argv = ["--data-dir", str(hand_dir), "export", "expected", "--group", "kontanthjaelp"]
    assert cli.main([*argv, "--month", "2019-01", "--format", "csv"]) == 0
    out, _ = capsysbinary.readouterr()
    assert out.startswith(b"\xef\xbb\xbf") and b"Justeret for: alder" in out
    assert b"0,95" in out  # the ratio 0.949153 with a decimal comma
    assert cli.main([*argv, "--month", "2030-01"]) == 2
    _, err = capsysbinary.readouterr()
    assert "Ukendt måned" in err.decode()
    # A group without rows in a month the dataset has: one Danish line, no traceback.
    argv = ["--data-dir", str(hand_dir), "export", "expected", "--group", "dagpenge", "--month", "2019-02"]
    assert cli.main(argv) == 2
    _, err = capsysbinary.readouterr()
    assert err.decode().startswith("Fejl: Ingen data for dagpenge i 2019-02")
