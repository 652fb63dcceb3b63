"""The follow-up list for a regional office: which municipalities to look at this month, and why.

Pure: builds the list from a national queries.panel frame (one benefit group, all months) with
stats.signals / latest_signals (the municipality against its own level), the funnel verdict (against the
country or the area, allowing for chance and over-dispersion) and the letter's effect. Only reasons on the
measure's *bad* side put a municipality on the list (the letter's effect only adds context to a listed
one); the list is sorted by severity.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from joblog_dash.analysis import fair, privacy, stats
from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

# The p-chart window: the 24 months up to the chosen month; the centre line is the first 12 of them, so
# "eget niveau" means the municipality's level the year before, and a sustained change shows as a run.
WINDOW = 24
BASELINE = 12
# Severity points per reason; the level shown to the user is read off the total.
POINTS = {"funnel_998": 3, "funnel_95": 2, "rule_998": 3, "rule_limit": 2, "rule_run": 1, "letter": 1}
LEVELS = ((5, "Høj"), (3, "Middel"), (1, "Lav"))
OWN_LETTER = object()  # build's default: compute the letter effect from the panel


@dataclass(frozen=True)
class Followup:
    """`table`: one row per listed municipality, most severe first (code, name, region, persons, share,
    lower, upper, verdict, z, signal, letter, why, severity, level). `checked` counts the municipalities
    looked at, `skipped` names those left out because they had fewer than MIN_PERSONS persons."""

    table: pl.DataFrame
    checked: int
    skipped: tuple[str, ...]


def window(panel: pl.DataFrame, month: date, months: int = WINDOW) -> pl.DataFrame:
    first = fmt.add_months(month, -(months - 1))
    return panel.filter((pl.col("month") >= first) & (pl.col("month") <= month))


def suspended_months() -> frozenset[date]:
    """Months touched by an event *period* (data/events.csv rows with an end date, e.g. the COVID-19
    suspension of the job-search requirement in spring 2020): the requirement did not apply, so those
    months say nothing about a municipality's level and are left out of its p-chart."""
    months: set[date] = set()
    for event in reference.events():
        if event.end is None:
            continue
        month = date(event.start.year, event.start.month, 1)
        while month <= event.end:
            months.add(month)
            month = fmt.add_months(month, 1)
    return frozenset(months)


def _window_counts(rows: pl.DataFrame, measure: str, exclude: frozenset[date] | None) -> pl.DataFrame:
    """Window rows in month order with `successes`, `excluded` and the p-chart's counts `_n`, `_x` (0 in
    an excluded month)."""
    exclude = suspended_months() if exclude is None else exclude
    rows = fair.with_successes(rows.sort("municipality_code", "month"), measure).with_columns(
        pl.col("month").is_in(list(exclude)).alias("excluded")
    )
    kept = pl.when(pl.col("excluded")).then(0)
    return rows.with_columns(
        kept.otherwise(pl.col("persons")).alias("_n"), kept.otherwise(pl.col("successes")).alias("_x")
    )


def municipality_signals(
    panel: pl.DataFrame, code: int, month: date, measure: str, exclude: frozenset[date] | None = None
) -> pl.DataFrame:
    """stats.signals table (with `month` and `excluded`) for one municipality over the window ending at
    `month`. Months in `exclude` (default: suspended_months()) count as months without persons: no share,
    not in the centre line, and they break a run; the table keeps their true number of persons."""
    rows = _window_counts(window(panel, month).filter(pl.col("municipality_code") == code), measure, exclude)
    baseline = BASELINE if rows.height > BASELINE else None
    table = stats.signals(
        rows["_n"].to_numpy(),
        rows["_x"].to_numpy(),
        months=rows["month"].to_list(),
        baseline=baseline,
        bad_side=fair.bad_side(measure),
    )
    return table.with_columns(rows["persons"].cast(pl.Float64).alias("persons"), rows["excluded"])


def latest_signals_by_municipality(
    panel: pl.DataFrame, month: date, measure: str, exclude: frozenset[date] | None = None
) -> dict[int, stats.LatestSignals]:
    """`stats.latest_signals(municipality_signals(panel, code, month, measure))` for every municipality in
    the panel, from one pass over the window: the follow-up list needs the latest month of every p-chart,
    and a signals frame per municipality cost ~8 ms of polars each (~0.8 s per list)."""
    rows = _window_counts(window(panel, month), measure, exclude)
    codes = rows["municipality_code"].to_numpy()
    persons, successes = rows["_n"].to_numpy(), rows["_x"].to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if codes.size else np.array([], int)
    ends = np.r_[starts[1:], codes.size]
    bad_side = fair.bad_side(measure)
    latest = {}
    for first, stop in zip(starts.tolist(), ends.tolist(), strict=True):
        baseline = BASELINE if stop - first > BASELINE else None
        latest[int(codes[first])] = stats.latest_signal(
            persons[first:stop], successes[first:stop], baseline=baseline, bad_side=bad_side
        )
    return latest


def level(severity: int) -> str:
    return next((label for threshold, label in LEVELS if severity >= threshold), "")


def _funnel_reason(row: dict, measure: str, target_label: str) -> tuple[str | None, int]:
    if not fair.verdict_is_adverse(row["verdict"], measure):
        return None, 0
    strict = bool(row["outside_998"])
    z = fmt.number(row["z"], 1).replace("-", "−")
    where = "uden for 99,8 pct.-grænsen" if strict else "uden for 95 pct.-grænsen"
    text = f"{row['verdict'].capitalize()} forventet niveau i forhold til {target_label} (z = {z}; {where})"
    return text, POINTS["funnel_998" if strict else "funnel_95"]


def _letter_reason(row: dict | None) -> tuple[str | None, int]:
    if row is None or row["moved"] != fair.MOVED_LESS or row["suppressed"]:
        return None, 0
    text = (
        f"Flyttede sig mindre end landet efter brevet i maj 2018 ({fmt.pp(row['change'])} mod "
        f"{fmt.pp(row['national_change'])} for landet)"
    )
    return text, POINTS["letter"]


def build(
    panel: pl.DataFrame,
    month: date,
    measure: str = "joblogged",
    area_codes: list[int] | None = None,
    overdispersion: bool = True,
    target_kind: str = "national",
    target_label: str = "landet",
    funnel: pl.DataFrame | None = None,
    letter: pl.DataFrame | None | object = OWN_LETTER,
) -> Followup:
    """The follow-up list for `month` among `area_codes` (None: all) from a national panel of one group.

    `funnel`: a funnel table to judge by instead of the raw one (the composition-adjusted funnel).
    `letter`: the letter effect already computed for the area (fair.letter_effect; None when not covered);
    by default it is computed from the panel."""
    current = panel.filter(pl.col("month") == month)
    if funnel is None:
        funnel = fair.funnel_data(current, measure, area_codes, overdispersion, target_kind).table
    if letter is OWN_LETTER:
        letter = (
            fair.letter_effect(panel, measure, area_codes)
            if fair.letter_covered(panel["month"].unique().to_list())
            else None
        )
    letter_rows = (
        {r["code"]: r for r in letter.iter_rows(named=True)} if isinstance(letter, pl.DataFrame) else {}
    )
    rows: list[dict] = []
    skipped: list[str] = []
    checked = 0
    latest_by_code = latest_signals_by_municipality(panel, month, measure)
    for row in funnel.iter_rows(named=True):
        if row["persons"] < privacy.MIN_PERSONS or row["suppressed"]:
            if row["persons"] > 0:
                skipped.append(row["name"])
            continue
        checked += 1
        reasons: list[str] = []
        severity = 0
        text, points = _funnel_reason(row, measure, target_label)
        if text:
            reasons.append(text)
            severity += points
        latest = latest_by_code.get(row["code"]) or stats.latest_signal([], [])
        signal_text = ""
        if latest.adverse:
            signal_text = latest.text
            reasons.append(latest.text)
            severity += max(POINTS[r] for r in latest.rules)
        if not severity:
            continue
        # The letter is context, not a reason on its own: it was years ago for most months shown.
        text, points = _letter_reason(letter_rows.get(row["code"]))
        if text:
            reasons.append(text)
            severity += points
        moved = letter_rows.get(row["code"], {}).get("moved") if letter_rows else None
        rows.append(
            {
                "code": row["code"], "name": row["name"], "region": row["region"],
                "persons": int(row["persons"]), "share": row["share"], "lower": row["lower"],
                "upper": row["upper"], "verdict": row["verdict"], "z": row["z"], "signal": signal_text,
                "letter": moved, "why": " · ".join(reasons), "severity": severity, "level": level(severity),
            }
        )  # fmt: skip
    schema = {
        "code": pl.Int32, "name": pl.String, "region": pl.String, "persons": pl.Int64, "share": pl.Float64,
        "lower": pl.Float64, "upper": pl.Float64, "verdict": pl.String, "z": pl.Float64, "signal": pl.String,
        "letter": pl.String, "why": pl.String, "severity": pl.Int64, "level": pl.String,
    }  # fmt: skip
    table = pl.DataFrame(rows, schema=schema)
    # Most severe first; among equals the one furthest from the expected level (|z|), then by name.
    table = table.with_columns(pl.col("z").abs().fill_null(0).alias("_abs_z")).sort(
        ["severity", "_abs_z", "name"], descending=[True, True, False]
    )
    return Followup(table=table.drop("_abs_z"), checked=checked, skipped=tuple(skipped))


def list_table(table: pl.DataFrame) -> pl.DataFrame:
    """The follow-up list as shown: Danish column names and formatted numbers, in severity order."""
    return pl.DataFrame(
        {
            t("col_level"): table["level"],
            t("col_municipality"): table["name"],
            t("col_share"): [fmt.pct(s) for s in table["share"]],
            t("col_interval"): [
                fmt.interval_text(lo, up) for lo, up in zip(table["lower"], table["upper"], strict=True)
            ],
            t("col_persons"): [fmt.number(p) for p in table["persons"]],
            t("col_why"): table["why"],
        }
    )


def why_markdown(table: pl.DataFrame, limit: int = 15) -> str:
    """A bullet per listed municipality with its reasons, the most severe first."""
    lines = [
        f"- **{r['name']}** ({r['level'].lower()} prioritet): {r['why'].replace(' · ', '; ')}."
        for r in table.head(limit).iter_rows(named=True)
    ]
    if table.height > limit:
        lines.append(f"- … og {table.height - limit} flere (se tabellen).")
    return "\n".join(lines)
