"""Synthetic, deterministic demo data calibrated to the published national Joblog figures.

No real municipal Joblog data ships with the project. The generator draws persons per
month x municipality x benefit group x gender x age group x origin and the share with no registered job
search from a logistic model:

    logit(p_none) = a_g(t) + u_m,g(t) + e_m,g(t) + cell effects

where a_g(t) is solved per month so that the national ratio of sums hits a target path through the
published figures, u is a persistent municipal propensity (some named municipalities high or low), e is
AR(1) month-to-month noise, and cell effects make young people log much less and the oldest most. After
the minister's letter (May 2018) municipalities with a high share with none improve more. July and December
dip.

Municipalities differ in who their recipients are (`composition`): the national mix of gender, age and
origin tilted by an urbanity index from the reference facts (population, distance to the big cities), with
more young recipients in the university towns, more immigrants and descendants in the cities and some
named suburbs, and older recipients in rural municipalities. So a municipality's raw share is partly its
composition, and adjusting for it ("Justeret for køn og alder") moves verdicts, as it would with real data.

The demo's contract is the published national figures (README, tests/data/test_demo.py), not one random
stream. Months up to HISTORY_END (2021-12, the calibration period) and later months (to DEMO_END, a fixed
month so the demo stays deterministic) are drawn from separate streams, so the later path can change
without moving the calibration period's draws. From 1 April 2022 (lov nr. 371) jobparate kontanthjælp,
uddannelseshjælp and overgangsydelse recipients must register job search in every whole calendar month,
with sanctions, so the share with none steps down over three months (more where municipalities were low)
and then plateaus, still dipping in July and December.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
from tqdm import tqdm

from joblog_dash.data import reference, store

# Target path for the national share with NO registered job search (linear between anchors).
# Anchors marked * are published figures; the others are smooth assumptions between them.
NONE_ANCHORS: dict[str, list[tuple[str, float]]] = {
    "kontanthjaelp": [
        ("2014-01", 0.42),
        ("2015-01", 0.40),
        ("2017-01", 0.345),
        ("2018-01", 0.32),  # * the letter: about 68 % joblogged
        ("2018-04", 0.318),
        ("2018-09", 0.29),  # * just under 30 % with none
        ("2019-06", 0.275),
        ("2020-01", 0.267),  # * 26.7 %
        ("2020-02", 0.265),
        ("2020-03", 0.40),
        ("2020-04", 0.645),  # * 64.5 %, duty suspended
        ("2020-05", 0.52),
        ("2020-06", 0.30),
        ("2020-12", 0.245),
        ("2021-06", 0.223),  # * 22.3 %
        ("2021-12", 0.215),
        # Assumed (not published): the monthly duty with sanctions from 1 April 2022, then a plateau.
        ("2022-03", 0.212),
        ("2022-04", 0.185),
        ("2022-06", 0.155),
        ("2023-06", 0.15),
        ("2026-08", 0.145),
    ],
    "dagpenge": [
        ("2014-01", 0.15),
        ("2015-01", 0.14),
        ("2018-01", 0.11),  # * about 89 % joblogged
        ("2019-06", 0.10),
        ("2020-02", 0.095),
        ("2020-03", 0.22),
        ("2020-04", 0.42),
        ("2020-05", 0.33),
        ("2020-06", 0.12),
        ("2021-12", 0.085),
        ("2025-12", 0.075),
    ],
    "uddannelseshjaelp": [
        ("2014-01", 0.74),
        ("2015-01", 0.72),
        ("2018-01", 0.66),  # * 34 % joblogged
        ("2018-04", 0.655),
        ("2019-06", 0.58),
        ("2020-02", 0.55),
        ("2020-03", 0.64),
        ("2020-04", 0.82),
        ("2020-05", 0.74),
        ("2020-06", 0.56),
        ("2021-12", 0.48),
        ("2022-03", 0.475),
        ("2022-04", 0.44),
        ("2022-06", 0.39),
        ("2023-06", 0.37),
        ("2026-08", 0.36),
    ],
    "overgangsydelse": [
        ("2014-01", 0.45),
        ("2020-03", 0.40),
        ("2020-04", 0.70),
        ("2020-06", 0.38),
        ("2021-12", 0.353),
        ("2022-03", 0.35),
        ("2022-04", 0.32),
        ("2022-06", 0.28),
        ("2026-08", 0.26),
    ],
    "ledighedsydelse": [
        ("2014-01", 0.50),
        ("2020-03", 0.45),
        ("2020-04", 0.72),
        ("2020-06", 0.44),
        ("2025-12", 0.33),
    ],
    "sygedagpenge": [
        ("2014-01", 0.55),
        ("2020-03", 0.50),
        ("2020-04", 0.75),
        ("2020-06", 0.48),
        ("2025-12", 0.38),
    ],
}
# National number of persons in the target group (linear between anchors).
SIZE_ANCHORS: dict[str, list[tuple[str, float]]] = {
    "kontanthjaelp": [
        ("2014-01", 24000),
        ("2015-01", 22000),
        ("2018-01", 18500),
        ("2018-09", 17500),
        ("2020-02", 16500),
        ("2020-04", 21000),
        ("2020-12", 19500),
        ("2021-12", 16000),
        ("2025-12", 15000),
    ],
    "dagpenge": [
        ("2014-01", 90000),
        ("2015-01", 85000),
        ("2018-01", 72000),
        ("2020-02", 68000),
        ("2020-04", 115000),
        ("2020-12", 90000),
        ("2021-12", 62000),
        ("2025-12", 60000),
    ],
    "uddannelseshjaelp": [
        ("2014-01", 9000),
        ("2015-01", 8500),
        ("2018-01", 7200),
        ("2020-04", 8000),
        ("2021-12", 6200),
        ("2025-12", 6000),
    ],
    "overgangsydelse": [("2014-01", 3000), ("2025-12", 2500)],
    "ledighedsydelse": [("2014-01", 11000), ("2025-12", 9000)],
    "sygedagpenge": [("2014-01", 20000), ("2025-12", 18000)],
}
# Share of the joblogged who register 6 or more searches (logit-linear over time).
SIX_PLUS_SHARE = {"kontanthjaelp": (0.50, 0.62), "dagpenge": (0.72, 0.80), "uddannelseshjaelp": (0.35, 0.48)}
SEASONAL_NONE = {7: 0.035, 12: 0.025}  # July and December: holidays, fewer registered searches
AGE_MIX = {
    "kontanthjaelp": (0.07, 0.13, 0.30, 0.27, 0.23),
    "dagpenge": (0.05, 0.17, 0.25, 0.23, 0.30),
    "uddannelseshjaelp": (0.62, 0.38),
}
# Logit shift on p_none by age: young people log much less (the letter of 2018: 34 % of the åbenlyst
# uddannelsesparate under 30 joblogged against 68 % of the jobparate kontanthjælp recipients), the oldest most.
AGE_EFFECT = (1.8, 0.9, 0.0, -0.40, -0.70)
GENDER_MIX = {"kontanthjaelp": (0.47, 0.53), "dagpenge": (0.50, 0.50), "uddannelseshjaelp": (0.42, 0.58)}
GENDER_EFFECT = (0.0, 0.08)
ORIGIN_MIX = {
    "kontanthjaelp": (0.55, 0.04, 0.01, 0.32, 0.08),
    "dagpenge": (0.82, 0.05, 0.01, 0.10, 0.02),
    "uddannelseshjaelp": (0.62, 0.02, 0.01, 0.15, 0.20),
}
# Origin groups differ little nationally (2020-01: 27.1 % with none among non-Western vs 26.7 % in all). The
# immigrants and descendants live more in the cities, with their young recipients and higher propensities, so
# their own effect is slightly negative: together the national gaps come out about as published.
ORIGIN_EFFECT = (0.06, -0.05, -0.15, -0.06, -0.12)
# Composition (see `composition`): the university towns have more young recipients; these municipalities
# more immigrants and descendants than their urbanity alone gives (logit tilt of the non-Danish origins).
UNIVERSITY_TOWNS = (101, 751, 461, 851)  # København, Aarhus, Odense, Aalborg
# Ishøj, Brøndby, Albertslund, Høje-Taastrup, København
IMMIGRANT_MUNICIPALITIES = {183: 1.0, 153: 1.0, 165: 0.8, 169: 0.7, 101: 0.3}
AGE_TILT = 0.5  # how strongly urbanity (and a university) tilts the age mix young, rurality old
YOUTH_GROUPS = ("uddannelseshjaelp",)  # groups for people under 30: only the two youngest age groups
# Persistent municipal propensity for having no registered search (logit scale).
NAMED_PROPENSITY = {
    360: 3.2,  # Lolland
    376: 1.8,  # Guldborgsund
    306: 1.5,  # Odsherred
    482: 1.5,  # Langeland
    101: 1.0,  # København
    157: -1.7,  # Gentofte
    230: -1.7,  # Rudersdal
    173: -1.5,  # Lyngby-Taarbæk
    223: -1.6,  # Hørsholm
    201: -1.4,  # Allerød
    190: -1.3,  # Furesø
}
# The local propensity matters most for kontanthjælp; dagpenge recipients (insured, closer to the labour
# market) differ less between municipalities.
PROPENSITY_SCALE = {"kontanthjaelp": 1.0, "uddannelseshjaelp": 0.7, "dagpenge": 0.45}
LETTER_MONTH = reference.letter_month()  # from data/events.csv, like every other use of the letter
BREAKDOWN_ORDER = ("gender", "age_group", "origin")
COUNT_ORDER = ("persons", "persons_0", "persons_1_5", "persons_6plus", "job_searches")
# The monthly registration duty with sanctions (lov nr. 371, in force 1 April 2022) for these groups: the
# positive propensities (municipalities with many without a search) shrink by up to this factor over three
# months, so the law narrows the municipal spread as well as lifting the national level.
LAW_2022_MONTH = date(2022, 4, 1)
LAW_2022_GROUPS = ("kontanthjaelp", "uddannelseshjaelp", "overgangsydelse")
LAW_2022_RESPONSE = 0.25
# The calibration period (2015-01 .. 2021-12): drawn from the seed's first stream, later months from a
# second one. The six-plus share rises logit-linearly from the first month to here and then at the same pace,
# up to SIX_PLUS_MAX_RAMP times the historic rise.
HISTORY_END = "2021-12"
SIX_PLUS_MAX_RAMP = 1.5
# The last month of every scale: fixed, so that the same seed always gives the same data.
DEMO_END = "2026-08"


@dataclass(frozen=True)
class Scale:
    first_month: str
    last_month: str
    groups: tuple[str, ...]
    # Replica r > 1 adds every group again as "<group>-r<r>", drawn from its own seed: more rows with the
    # same 98 municipalities, months and breakdowns (load testing only; replica 1 is the real-scale data).
    replicas: int = 1


SCALES = {
    "demo": Scale("2015-01", DEMO_END, ("kontanthjaelp", "uddannelseshjaelp", "dagpenge")),
    "full": Scale(
        "2014-01",
        DEMO_END,
        (
            "kontanthjaelp",
            "uddannelseshjaelp",
            "dagpenge",
            "overgangsydelse",
            "ledighedsydelse",
            "sygedagpenge",
        ),
    ),
}
# Ten times full size (about 40M rows): the full dataset plus nine synthetic replicas of its six groups.
SCALES["stress"] = Scale(SCALES["full"].first_month, SCALES["full"].last_month, SCALES["full"].groups, 10)


def replica_group(group: str, replica: int) -> str:
    """The benefit group code of a stress replica; replica 1 keeps the real code."""
    return group if replica == 1 else f"{group}-r{replica}"


def month_range(first: str, last: str) -> list[date]:
    y, m = map(int, first.split("-"))
    y2, m2 = map(int, last.split("-"))
    months = []
    while (y, m) <= (y2, m2):
        months.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _month_index(months: list[date]) -> np.ndarray:
    return np.array([d.year * 12 + d.month - 1 for d in months], dtype=float)


def _interpolate(anchors: list[tuple[str, float]], months: list[date]) -> np.ndarray:
    xs = [int(a[:4]) * 12 + int(a[5:7]) - 1 for a, _ in anchors]
    return np.interp(_month_index(months), xs, [v for _, v in anchors])


def _logit(p: np.ndarray) -> np.ndarray:
    return np.log(p / (1 - p))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _solve_intercepts(persons: np.ndarray, offsets: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Per month, the intercept a with sum(n * sigmoid(a + offset)) / sum(n) == target (bisection).

    The same arithmetic as `persons * _sigmoid(mid + offsets)`, done in one reused buffer (the build's
    hottest loop), and it stops once an iteration changes nothing, since every later one would repeat it:
    the result is bit-for-bit that of 60 full iterations."""
    lo, hi = np.full(len(target), -15.0), np.full(len(target), 15.0)
    total = persons.sum(axis=(1, 2))
    buffer = np.empty(offsets.shape)
    for _ in range(60):
        mid = (lo + hi) / 2
        np.add(mid[:, None, None], offsets, out=buffer)
        np.negative(buffer, out=buffer)
        np.exp(buffer, out=buffer)
        np.add(1.0, buffer, out=buffer)
        np.divide(1.0, buffer, out=buffer)
        np.multiply(persons, buffer, out=buffer)
        share = buffer.sum(axis=(1, 2)) / np.maximum(total, 1)
        too_high = share > target
        new_hi = np.where(too_high, mid, hi)
        new_lo = np.where(too_high, lo, mid)
        if np.array_equal(new_hi, hi) and np.array_equal(new_lo, lo):
            break
        lo, hi = new_lo, new_hi
    return (lo + hi) / 2


def _group_cells(
    group: str, composition: Composition
) -> tuple[list[tuple[str, str, str]], np.ndarray, np.ndarray]:
    """The (gender, age, origin) cells of a group, each municipality's mix over them (municipalities x
    cells, rows summing to 1) and the cells' logit effects. A municipality's mix is the national one
    tilted by its composition (`Composition`), gender, age and origin independent within it."""
    ages = reference.YOUTH_AGE_GROUPS if group in YOUTH_GROUPS else reference.AGE_GROUPS
    mix_key = "uddannelseshjaelp" if group in YOUTH_GROUPS else group
    gender_mix = _tilted(GENDER_MIX.get(mix_key, GENDER_MIX["kontanthjaelp"]), composition.gender)
    age_mix = _tilted(AGE_MIX.get(mix_key, AGE_MIX["kontanthjaelp"]), composition.age[:, : len(ages)])
    origin_mix = _tilted(ORIGIN_MIX.get(mix_key, ORIGIN_MIX["kontanthjaelp"]), composition.origin)
    cells, weights, effects = [], [], []
    for gi, gender in enumerate(reference.GENDERS):
        for ai, age in enumerate(ages):
            for oi, origin in enumerate(reference.ORIGINS):
                cells.append((gender, age, origin))
                weights.append(gender_mix[:, gi] * age_mix[:, ai] * origin_mix[:, oi])
                effects.append(GENDER_EFFECT[gi] + AGE_EFFECT[ai] + ORIGIN_EFFECT[oi])
    return cells, np.stack(weights, axis=1), np.array(effects)


def _tilted(national: tuple[float, ...], shift: np.ndarray) -> np.ndarray:
    """Municipalities x categories: the national mix times exp(shift), each row normalised to 1."""
    weights = np.array(national)[None, :] * np.exp(shift)
    return weights / weights.sum(axis=1, keepdims=True)


@dataclass(frozen=True)
class Composition:
    """Per municipality, log-scale tilts of the national mix: gender (municipalities x 2), age (x 5) and
    origin (x 5). Zero everywhere is the national mix."""

    gender: np.ndarray
    age: np.ndarray
    origin: np.ndarray


def _urbanity(munis: pl.DataFrame) -> np.ndarray:
    """A standardised urbanity index from the reference facts: the population (log) and the distance to the
    nearest of the four big cities (the suburbs of København are urban though small)."""
    log_pop = np.log(munis["population_2018"].to_numpy().astype(float))
    lat, lon = munis["lat"].to_numpy(), munis["lon"].to_numpy()
    big = munis.filter(pl.col("code").is_in(UNIVERSITY_TOWNS))
    km = np.min(
        [
            np.hypot((lat - la) * 111.0, (lon - lo) * 111.0 * np.cos(np.radians(la)))
            for la, lo in zip(big["lat"].to_numpy(), big["lon"].to_numpy(), strict=True)
        ],
        axis=0,
    )
    closeness = -np.log(km + 5.0)

    def z(x: np.ndarray) -> np.ndarray:
        return (x - x.mean()) / x.std()

    return z(0.6 * z(log_pop) + 0.4 * z(closeness))


def composition(munis: pl.DataFrame, seed: int) -> Composition:
    """Each municipality's composition, deterministic from the reference facts and the seed: more young
    recipients in the university towns and the cities, more immigrants and descendants in the cities and
    the named suburbs, older recipients in rural municipalities, a little individual variation."""
    rng = np.random.default_rng([seed, 7])  # its own stream: the counts' draws do not depend on it
    codes = munis["code"].to_numpy()
    urban = np.clip(_urbanity(munis), -2.0, 2.0)
    n = len(codes)
    university = np.isin(codes, UNIVERSITY_TOWNS).astype(float)
    young = AGE_TILT * (urban + university) + rng.normal(0.0, 0.25, n)
    old = -AGE_TILT * urban + rng.normal(0.0, 0.2, n)
    age = np.stack([young, 0.7 * young, np.zeros(n), 0.5 * old, old], axis=1)
    named = np.array([IMMIGRANT_MUNICIPALITIES.get(int(c), 0.0) for c in codes])
    foreign = 0.2 * urban + named + rng.normal(0.0, 0.15, n)
    origin = np.stack([np.zeros(n), *[foreign] * 4], axis=1)
    women = rng.normal(0.0, 0.08, n)
    gender = np.stack([women, np.zeros(n)], axis=1)
    return Composition(gender=gender, age=age, origin=origin)


def _municipal_propensity(rng: np.random.Generator, codes: np.ndarray) -> np.ndarray:
    base = np.clip(rng.normal(0.0, 0.5, len(codes)), -1.1, 1.1)
    for code, value in NAMED_PROPENSITY.items():
        base[codes == code] = value
    return base


def _replica_rng(seed: int, replica: int) -> np.random.Generator:
    # Replica 1 draws from the plain seed, so demo and full output stay exactly as they always were.
    return np.random.default_rng(seed if replica == 1 else [seed, replica])


def _later_rng(seed: int, replica: int) -> np.random.Generator:
    """The stream for the months after HISTORY_END: separate, so the calibration period's draws keep their
    place in the replica's own stream."""
    return np.random.default_rng([seed, replica, 2022])


def iter_parts(
    seed: int = 2018, scale: str = "demo", progress: bool = False, replicas: Iterable[int] | None = None
) -> Iterator[pl.DataFrame]:
    """The fact table of a scale as one frame per (replica, benefit group), so large scales never sit in
    memory whole. `replicas` (1-based) picks some replicas, e.g. to check a slice of the stress scale."""
    spec = SCALES[scale]
    chosen = list(replicas) if replicas is not None else list(range(1, spec.replicas + 1))
    total = len(chosen) * len(spec.groups)
    with tqdm(total=total, desc="Demodata", unit="ydelsesgruppe", disable=not progress) as bar:
        for replica in chosen:
            rngs = (_replica_rng(seed, replica), _later_rng(seed, replica))
            for frame in _generate_replica(
                rngs, spec, replica, composition(reference.municipalities(), seed)
            ):
                yield frame
                bar.update(1)


def generate(seed: int = 2018, scale: str = "demo", progress: bool = False) -> pl.DataFrame:
    """The canonical fact table for the given scale; the same seed gives the same table."""
    return pl.concat(list(iter_parts(seed=seed, scale=scale, progress=progress)))


@dataclass(frozen=True)
class _Paths:
    """A group's per-month inputs (months x municipalities x cells) before any count is drawn."""

    expected: np.ndarray  # expected persons
    propensity: np.ndarray  # u_t, months x municipalities
    cell_effect: np.ndarray
    target: np.ndarray  # national share with none, per month
    trend6: np.ndarray  # logit of the six-plus share among the joblogged, per month


def _ar1_noise(rng: np.random.Generator, n_months: int, n_munis: int, last: np.ndarray | None) -> np.ndarray:
    noise = np.zeros((n_months, n_munis))
    for i in range(n_months):
        previous = noise[i - 1] if i else last
        noise[i] = (0.7 * previous if previous is not None else 0.0) + rng.normal(0.0, 0.12, n_munis)
    return noise


def _draw_counts(rng: np.random.Generator, paths: _Paths, noise: np.ndarray) -> tuple[np.ndarray, ...]:
    """persons, persons_0, persons_1_5, persons_6plus and job_searches for a run of months."""
    persons = rng.poisson(paths.expected)
    offsets = (paths.propensity + noise)[:, :, None] + paths.cell_effect[None, None, :]
    intercept = _solve_intercepts(persons, offsets, paths.target)
    p_none = _sigmoid(intercept[:, None, None] + offsets)
    persons_0 = rng.binomial(persons, p_none)
    p_six = _sigmoid(
        paths.trend6[:, None, None]
        - 0.5 * paths.propensity[:, :, None]
        - 0.6 * paths.cell_effect[None, None, :]
    )
    persons_6plus = rng.binomial(persons - persons_0, p_six)
    persons_1_5 = persons - persons_0 - persons_6plus
    # 1-5 searches: 1 + Bin(4, .45) each; 6+: 6 + Bin(54, .14) each (mean about 13.6).
    job_searches = (
        persons_1_5
        + rng.binomial(4 * persons_1_5, 0.45)
        + 6 * persons_6plus
        + rng.binomial(54 * persons_6plus, 0.14)
    )
    return persons, persons_0, persons_1_5, persons_6plus, job_searches


def _month_number(month: str | date) -> int:
    if isinstance(month, date):
        return month.year * 12 + month.month - 1
    return int(month[:4]) * 12 + int(month[5:7]) - 1


def _generate_replica(
    rngs: tuple[np.random.Generator, np.random.Generator], spec: Scale, replica: int, mixes: Composition
) -> Iterator[pl.DataFrame]:
    rng, later_rng = rngs
    munis = reference.municipalities()
    codes = munis["code"].to_numpy()
    months = month_range(spec.first_month, spec.last_month)
    t_index = _month_index(months)
    # Months [0, split) are the calibration period, drawn from `rng`; [split, n_t) from `later_rng`.
    split = int(np.searchsorted(t_index, _month_number(HISTORY_END), side="right"))
    base_propensity = _municipal_propensity(rng, codes)
    # More recipients per inhabitant where the propensity for no job search is high (a rough social gradient).
    size_weight = munis["population_2018"].to_numpy() * np.exp(
        0.3 * base_propensity + rng.normal(0, 0.2, len(codes))
    )
    size_weight = size_weight / size_weight.sum()
    ramp = np.clip((t_index - _month_number(LETTER_MONTH)) / 12.0, 0.0, 1.0)  # builds up over a year
    # The 2022 law works from its first month and fully from the third.
    law_ramp = np.clip((t_index - _month_number(LAW_2022_MONTH) + 1) / 3.0, 0.0, 1.0)
    calendar_month = np.array([d.month for d in months])
    # The six-plus share's rise is scaled on the calibration period (fixed, so later months never move it).
    six_span = max(min(t_index[-1], _month_number(HISTORY_END)) - t_index[0], 1)
    six_ramp = np.clip((t_index - t_index[0]) / six_span, 0, SIX_PLUS_MAX_RAMP)
    seasonal = np.array([SEASONAL_NONE.get(int(m), 0.0) for m in calendar_month])

    for group in spec.groups:
        cells, mix, cell_effect = _group_cells(group, mixes)
        n_t, n_m = len(months), len(codes)
        scale_u = PROPENSITY_SCALE.get(group, 0.7)
        u = scale_u * base_propensity + rng.normal(0.0, 0.3, n_m)
        named = np.isin(codes, list(NAMED_PROPENSITY))
        # Named municipalities keep their character in every group.
        u[named] = scale_u * base_propensity[named]
        # Municipalities that were low (high u) react more to the letter, with individual variation.
        response = np.clip(0.12 + 0.22 * np.maximum(u, 0) + rng.normal(0, 0.08, n_m), 0.0, 0.6)
        u_t = u[None, :] * (1.0 - response[None, :] * ramp[:, None] * (u[None, :] > 0))
        if group in LAW_2022_GROUPS:
            law = LAW_2022_RESPONSE * law_ramp[:, None] * (u_t > 0)
            u_t = np.where(law > 0, u_t * (1.0 - law), u_t)
        size = _interpolate(SIZE_ANCHORS[group], months)
        lo6, hi6 = (_logit(np.array(p)) for p in SIX_PLUS_SHARE.get(group, (0.55, 0.65)))
        paths = _Paths(
            expected=size[:, None, None] * size_weight[None, :, None] * mix[None, :, :],
            propensity=u_t,
            cell_effect=cell_effect,
            target=_interpolate(NONE_ANCHORS[group], months) + seasonal,
            trend6=lo6 + (hi6 - lo6) * six_ramp,
        )
        drawn, last_noise = [], None
        for stream, part in ((rng, slice(0, split)), (later_rng, slice(split, n_t))):
            if part.start == part.stop:
                continue
            noise = _ar1_noise(stream, part.stop - part.start, n_m, last_noise)
            last_noise = noise[-1]
            sliced = _Paths(
                paths.expected[part], u_t[part], cell_effect, paths.target[part], paths.trend6[part]
            )
            drawn.append(_draw_counts(stream, sliced, noise))
        counts = [np.concatenate(column) for column in zip(*drawn, strict=True)]
        yield _by_period(_frame(months, codes, cells, replica_group(group, replica), counts), group, replica)


def _by_period(frame: pl.DataFrame, group: str, replica: int) -> pl.DataFrame:
    """The group's rows in the months it exists (reference.GROUP_PERIODS); a series continued under another
    group after a break (uddannelseshjælp -> uddannelsesparate kontanthjælp under 30 from July 2025) is
    drawn as one series and carries the new group's code from the break on."""
    found = reference.series_break(group)
    if found is not None and found.before == group:
        after = replica_group(found.after, replica)
        frame = frame.with_columns(
            pl.when(pl.col("month") >= found.month)
            .then(pl.lit(after))
            .otherwise(pl.col("benefit_group"))
            .alias("benefit_group")
        )
        return frame
    first, last = reference.group_period(group)
    if first is not None:
        frame = frame.filter(pl.col("month") >= first)
    if last is not None:
        frame = frame.filter(pl.col("month") <= last)
    return frame


def _frame(
    months: list[date],
    codes: np.ndarray,
    cells: list[tuple[str, str, str]],
    group: str,
    counts: list[np.ndarray],
) -> pl.DataFrame:
    """The long table: month x municipality x cell, in that order. String columns are built in polars from
    the few distinct labels (converting repeated numpy strings cost more than drawing the numbers)."""
    n_t, n_m, n_c = len(months), len(codes), len(cells)
    cell_index = pl.Series(np.tile(np.arange(n_c, dtype=np.uint32), n_t * n_m))
    labels = {
        name: pl.Series(name, [c[i] for c in cells]).gather(cell_index)
        for i, name in enumerate(BREAKDOWN_ORDER)
    }
    columns = dict(zip(COUNT_ORDER, (c.ravel() for c in counts), strict=True))
    return pl.DataFrame(
        {
            "month": np.repeat(np.array(months, dtype="datetime64[D]"), n_m * n_c),
            "municipality_code": np.tile(np.repeat(codes, n_c), n_t),
            "benefit_group": pl.repeat(group, n_t * n_m * n_c, eager=True),
            **labels,
            **columns,
        }
    )


def build_demo(
    data_dir: Path | None = None, seed: int = 2018, scale: str = "demo", progress: bool = False
) -> store.Manifest:
    """Generate the demo dataset and make it the current version of the data directory."""
    described = {
        "kind": "demo",
        "source": f"Demodata (syntetiske tal, seed {seed}, skala {scale})",
        "details": {"seed": seed, "scale": scale, "generator": "joblog_dash.data.demo"},
        "data_dir": data_dir,
    }
    if SCALES[scale].replicas > 1:
        # Too large to hold whole (stress: about 38M rows): written part by part, sorted within each part.
        return store.write_version_parts(iter_parts(seed=seed, scale=scale, progress=progress), **described)
    return store.write_version(generate(seed=seed, scale=scale, progress=progress), **described)
