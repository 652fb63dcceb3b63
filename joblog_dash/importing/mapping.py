"""The mapping step: layouts we cannot know in advance (a STAR benchmark sheet, a ministry's own extract).

A `Mapping` says which column of a parsed table holds which canonical field, whether months run down a
column (long) or across the columns (wide), which fields are one fixed value for the whole file, and which
measures are shares of the number of persons rather than counts. `guess_mapping` proposes one from the
headers and the cell values; `apply_mapping` turns the table into the text table with Jobindsats' headers
that `validate.validate_table` checks (counts derived from shares, rounding reported); profiles are named
mappings saved as JSON in `<data_dir>/import_profiles/`, reused next month. Pure: no Streamlit.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from joblog_dash import config
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing.readers import RawTable
from joblog_dash.importing.validate import Problem
from joblog_dash.text.safety import printable

DIMENSIONS = ji.DIMENSIONS  # area, period, group, gender, age, origin
MEASURES = ji.MEASURES  # persons, persons_0, persons_1_5, persons_6plus, job_searches
FIELDS = (*DIMENSIONS, *MEASURES)
CATEGORIES = ("persons_0", "persons_1_5", "persons_6plus")
UNITS = ("count", "percent", "fraction")  # a share is of "Antal personer" in the same row
LAYOUTS = ("long", "wide")
PROFILE_DIR = "import_profiles"
SHARE_SUM_TOLERANCE = 0.015  # shares rounded to whole per cent may sum to 98.5-101.5 %


class MappingError(ValueError):
    """A mapping or profile cannot be used; the message is meant for the user (Danish)."""


@dataclass
class Mapping:
    layout: str = "long"
    columns: dict[str, str] = field(default_factory=dict)  # field -> source column (wide: dimensions only)
    constants: dict[str, str] = field(default_factory=dict)  # field -> one value for the whole file
    units: dict[str, str] = field(default_factory=dict)  # measure -> "count" (default), "percent", "fraction"
    # Wide only: months are every column whose header reads as a month (so next month's file still fits);
    # each row's measure is named in `measure_column` (its values mapped by `measure_values`), or is
    # `wide_measure` when the sheet holds one measure.
    measure_column: str | None = None
    measure_values: dict[str, str] = field(default_factory=dict)
    wide_measure: str | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> Mapping:
        """A mapping from JSON; every name and value is checked, so a hand-edited profile cannot break."""
        if not isinstance(data, dict):
            raise MappingError("profilen er ikke et JSON-objekt")

        def strings(key: str, keys: tuple[str, ...] | None = None) -> dict[str, str]:
            value = data.get(key) or {}
            if not isinstance(value, dict) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in value.items()
            ):
                raise MappingError(f"'{key}' i profilen skal være et objekt med tekster")
            bad = [k for k in value if keys is not None and k not in keys]
            if bad:
                raise MappingError(f"ukendte felter i '{key}': {', '.join(printable(b) for b in bad)}")
            return dict(value)

        mapping = cls(
            layout=str(data.get("layout") or "long"),
            columns=strings("columns", FIELDS),
            constants=strings("constants", FIELDS),
            units=strings("units", MEASURES),
            measure_column=data.get("measure_column")
            if isinstance(data.get("measure_column"), str)
            else None,
            measure_values=strings("measure_values"),
            wide_measure=data.get("wide_measure") if isinstance(data.get("wide_measure"), str) else None,
        )
        mapping.check()
        return mapping

    def check(self) -> None:
        if self.layout not in LAYOUTS:
            raise MappingError(f"ukendt opbygning '{printable(self.layout)}' (lang eller bred)")
        if any(u not in UNITS for u in self.units.values()):
            raise MappingError("en enhed skal være count, percent eller fraction")
        if any(v and v not in MEASURES for v in self.measure_values.values()):
            raise MappingError("målrækkerne skal kortlægges til et af felterne " + ", ".join(MEASURES))
        if self.wide_measure is not None and self.wide_measure not in MEASURES:
            raise MappingError(f"ukendt mål '{printable(self.wide_measure)}'")


@dataclass
class Mapped:
    raw: RawTable | None  # the canonical text table for validate_table; None when the mapping failed
    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, object] = field(default_factory=dict)


# --- Guessing --------------------------------------------------------------------------------------------

_SHARE_WORDS = ("andel", "pct", "procent", "%")


def guess_field(label: str) -> tuple[str | None, str]:
    """(field, unit) for a header or a measure label; (None, "count") when nothing fits."""
    key = ji.header_key(str(label))
    if key in ji.JOBINDSATS_HEADERS:
        return ji.JOBINDSATS_HEADERS[key], "count"
    if key in ji.CANONICAL_HEADERS:
        return ji.CANONICAL_HEADERS[key], "count"
    unit = "percent" if any(w in key for w in _SHARE_WORDS) else "count"
    words = set(re.findall(r"[a-zæøå]+", key))
    if "jobsøg" in key or "joblog" in key or "søgning" in key:
        if re.search(r"\b1\s*[-–]\s*5\b", key):
            return "persons_1_5", unit
        if re.search(r"\b6\s*(\+|eller flere|el\. flere|og derover)|mindst 6", key):
            return "persons_6plus", unit
        if words & {"uden", "ingen"} or re.search(r"\b0\b", key):
            return "persons_0", unit
        if "person" not in key and unit == "count":
            return "job_searches", unit
    if unit == "count" and (
        words & {"personer", "borgere", "ledige", "modtagere"} or key in {"antal", "i alt"}
    ):
        return "persons", unit
    for words_of_field, name in (
        ({"område", "kommune", "kommunenavn", "kommunekode", "area", "kommunenr"}, "area"),
        ({"periode", "måned", "period", "tid", "dato", "md"}, "period"),
        ({"ydelsesgruppe", "ydelse", "målgruppe", "gruppe"}, "group"),
        ({"køn"}, "gender"),
        ({"alder", "aldersgruppe"}, "age"),
        ({"herkomst"}, "origin"),
    ):
        if words & words_of_field:
            return name, "count"
    return None, "count"


def _share_of_values(frame: pl.DataFrame, column: str) -> str:
    """'fraction' when every number in the column is between 0 and 1, else 'percent'."""
    numbers = _parse_share(pl.col(column)).alias("v")
    values = frame.select(numbers).drop_nulls()["v"]
    return "fraction" if values.len() and values.max() <= 1 else "percent"  # type: ignore[operator]


def _mostly(frame: pl.DataFrame, column: str, function) -> bool:
    values = [v for v in frame[column].drop_nulls().unique().head(200).to_list() if v.strip()]
    return bool(values) and sum(function(v) is not None for v in values) >= 0.8 * len(values)


def _is_area(value: str) -> object:
    return ji.municipality(value) or ji.aggregate_areas().get(ji.fold(value)) or ji.non_municipal(value)


def period_columns(columns: list[str]) -> list[str]:
    """Headers that read as a month (or another period code: refused later with a clear message)."""
    return [c for c in columns if ji.period(c) is not None or ji.period_problem(c).startswith("perioden")]


def guess_mapping(frame: pl.DataFrame) -> Mapping:
    """The best guess for a parsed table: headers first, then what the cells look like."""
    months = period_columns(frame.columns)
    wide = len(months) >= 2
    mapping = Mapping(layout="wide" if wide else "long")
    rest = [c for c in frame.columns if c not in months]
    for column in rest:
        name, unit = guess_field(column)
        if name is None or name in mapping.columns or (wide and name in MEASURES):
            continue
        mapping.columns[name] = column
        if name in MEASURES and unit != "count":
            mapping.units[name] = _share_of_values(frame, column)
    by_content = (("area", _is_area), ("period", ji.period), ("group", ji.benefit_group))
    for name, function in by_content:
        if name in mapping.columns or (wide and name == "period"):
            continue
        used = set(mapping.columns.values()) | {mapping.measure_column}
        found = next((c for c in rest if c not in used and _mostly(frame, c, function)), None)
        if found:
            mapping.columns[name] = found
    if wide:
        _guess_wide_measures(frame, mapping, rest, months)
    return mapping


def guess_measure_values(frame: pl.DataFrame, column: str) -> tuple[dict[str, str], dict[str, str]]:
    """Wide layout: (value -> measure, measure -> unit) for the labels in `column`; empty when few fit."""
    months = period_columns(frame.columns)
    labels = frame[column].drop_nulls().unique(maintain_order=True).to_list()
    guesses = {v: guess_field(v) for v in labels}
    measures = {v: g for v, g in guesses.items() if g[0] in MEASURES}
    if not labels or len(measures) < 0.5 * len(labels):
        return {}, {}
    units: dict[str, str] = {}
    for value, (name, unit) in measures.items():
        if unit != "count" and name and months:
            rows = frame.filter(pl.col(column) == value).select(months)
            units[name] = _share_of_values(pl.DataFrame({"v": pl.concat([rows[c] for c in months])}), "v")
    return {v: g[0] for v, g in measures.items() if g[0]}, units


def _guess_wide_measures(frame: pl.DataFrame, mapping: Mapping, rest: list[str], months: list[str]) -> None:
    used = set(mapping.columns.values())
    for column in rest:
        if column in used:
            continue
        values, units = guess_measure_values(frame, column)
        if values:
            mapping.measure_column, mapping.measure_values = column, values
            mapping.units.update(units)
            return
    mapping.wide_measure = "persons"


# --- Applying --------------------------------------------------------------------------------------------


def _parse_share(column: pl.Expr) -> pl.Expr:
    """A share written '12,5', '12,5 %', '0.125' or '12.5' as a float; missing markers give null."""
    text = column.str.strip_chars().str.replace_all(r"[%\s\u00a0]", "")
    return (
        pl.when(text.is_in(list(ji.SUPPRESSED)) | text.is_null())
        .then(None)
        .otherwise(text.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False))
    )


def _dk_float(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}".replace(".", ",")


def _field_label(name: str) -> str:
    return ji.EXPORT_HEADERS.get(name, name)


def apply_mapping(raw: RawTable, mapping: Mapping, file: str) -> Mapped:
    """The canonical text table (Jobindsats' headers, a `_row` column with the source row) for validate."""
    problems: list[Problem] = []

    def fail(message: str, column: str | None = None) -> Mapped:
        problems.append(Problem(file, None, column, printable(message, limit=1000)))
        return Mapped(None, problems)

    try:
        mapping.check()
    except MappingError as exc:
        return fail(str(exc))
    found = raw.frame.columns
    for name, column in mapping.columns.items():
        if column not in found:
            return fail(
                f"kortlægningen bruger kolonnen '{column}' til {_field_label(name)}, men den findes ikke i "
                f"filen (fandt: {', '.join(found[:15])})",
                column,
            )
    frame = raw.frame.with_row_index("_row", offset=raw.first_row).with_columns(pl.col("_row").cast(pl.Int64))
    stats: dict[str, object] = {"layout": mapping.layout, "source_rows": raw.frame.height}
    if mapping.layout == "wide":
        long = _unpivot(frame, mapping, file, problems, stats)
        if long is None:
            return Mapped(None, problems, stats)
    else:
        long = frame.select("_row", *[pl.col(c).alias(f) for f, c in mapping.columns.items()])
    for name, value in mapping.constants.items():
        if name not in mapping.columns:
            long = long.with_columns(pl.lit(value, pl.String).alias(name))
    long = _counts_from_shares(long, mapping, file, problems, stats)
    if long is None:
        return Mapped(None, problems, stats)
    missing = [_field_label(f) for f in ("area", "period", "group") if f not in long.columns]
    if missing:
        return fail(
            f"kortlægningen mangler {', '.join(missing)}: vælg en kolonne eller en fast værdi for hele filen"
        )
    present = [f for f in FIELDS if f in long.columns]
    out = long.select("_row", *[pl.col(f).cast(pl.String).alias(_field_label(f)) for f in present])
    return Mapped(RawTable(out, "mapped", raw.first_row), problems, stats)


def _unpivot(
    frame: pl.DataFrame, mapping: Mapping, file: str, problems: list[Problem], stats: dict
) -> pl.DataFrame | None:
    """Months across the columns -> one row per (dimensions, month) with one column per measure."""
    used = set(mapping.columns.values()) | {mapping.measure_column}
    months = [c for c in period_columns(frame.columns) if c not in used]
    if not months:
        problems.append(
            Problem(
                file, None, None, "bred opbygning, men ingen kolonneoverskrift ligner en måned (fx 2024M01)"
            )
        )
        return None
    stats["month_columns"] = len(months)
    dims = {f: c for f, c in mapping.columns.items() if f in DIMENSIONS and f != "period"}
    index = ["_row", *dims.values()] + ([mapping.measure_column] if mapping.measure_column else [])
    long = frame.select(*index, *months).unpivot(
        index=index, on=months, variable_name="period", value_name="_value"
    )
    if mapping.measure_column:
        if mapping.measure_column not in frame.columns:
            problems.append(
                Problem(file, None, mapping.measure_column, "kolonnen med målene findes ikke i filen")
            )
            return None
        table = {k: v for k, v in mapping.measure_values.items() if v}
        long = long.with_columns(
            pl.col(mapping.measure_column)
            .replace_strict(table, default=None, return_dtype=pl.String)
            .alias("_m")
        )
        unused = long.filter(pl.col("_m").is_null())[mapping.measure_column].drop_nulls().unique().sort()
        if unused.len():
            problems.append(
                Problem(
                    file,
                    None,
                    mapping.measure_column,
                    f"rækker med målene {', '.join(repr(v) for v in unused.head(8).to_list())} bruges ikke",
                    "advarsel",
                )
            )
        long = long.filter(pl.col("_m").is_not_null())
    else:
        long = long.with_columns(pl.lit(mapping.wide_measure or "persons").alias("_m"))
    keys = [*dims.values(), "period"]
    measures = [m for m in MEASURES if m in set(long["_m"].unique().to_list())]
    counted = long.group_by([*keys, "_m"]).agg(pl.len().alias("n"), pl.col("_row").min())
    doubled = counted.filter(pl.col("n") > 1).sort("_row")
    if doubled.height:
        first = doubled.row(0, named=True)
        problems.append(
            Problem(
                file,
                first["_row"],
                None,
                f"{doubled.height} gange står samme mål ({_field_label(first['_m'])}) flere gange for samme "
                "område og måned",
            )
        )
        return None
    wide = long.group_by(keys, maintain_order=True).agg(
        pl.col("_row").min(), *[pl.col("_value").filter(pl.col("_m") == m).first().alias(m) for m in measures]
    )
    return wide.rename({c: f for f, c in dims.items()}).sort("_row", "period", maintain_order=True)


def _counts_from_shares(
    frame: pl.DataFrame, mapping: Mapping, file: str, problems: list[Problem], stats: dict
) -> pl.DataFrame | None:
    """Counts = share × persons. When all three categories are shares they are apportioned by largest
    remainder, so they add up to persons exactly; the rounding (distance from the exact product) is reported."""
    shares = [m for m in MEASURES if mapping.units.get(m, "count") != "count" and m in frame.columns]
    if not shares:
        return frame
    if "persons" in shares or "persons" not in frame.columns:
        problems.append(
            Problem(
                file, None, None, "andele kræver en kolonne med Antal personer (som antal) at regne ud fra"
            )
        )
        return None
    persons, _supp, _bad = ji.parse_counts(pl.col("persons"))
    frame = frame.with_columns(persons.alias("_n"))
    for measure in shares:
        scale = 100.0 if mapping.units[measure] == "percent" else 1.0
        value = _parse_share(pl.col(measure))
        written = pl.col(measure).str.strip_chars()
        unreadable = frame.filter(
            value.is_null() & written.is_not_null() & ~written.is_in(list(ji.SUPPRESSED))
        ).sort("_row")
        out_of_range = frame.filter((value < 0) | (value > scale)).sort("_row")
        for bad, why in (
            (unreadable, "er ikke en andel"),
            (out_of_range, f"ligger ikke mellem 0 og {scale:g}"),
        ):
            if bad.height:
                first = bad.row(0, named=True)
                problems.append(
                    Problem(
                        file,
                        first["_row"],
                        mapping.columns.get(measure) or _field_label(measure),
                        f"'{first[measure]}' {why} ({bad.height} rækker)",
                    )
                )
                return None
        frame = frame.with_columns((value / scale).alias(f"_s_{measure}"))
    exact = {m: pl.col("_n") * pl.col(f"_s_{m}") for m in shares}
    rounded = {m: (exact[m] + 0.5).floor() for m in shares}
    if set(CATEGORIES) <= set(shares):
        frame, worst_sum = _apportion(frame)
        stats["share_sum_worst_pct"] = worst_sum
        if worst_sum > SHARE_SUM_TOLERANCE * 100:
            bad = frame.filter(pl.col("_share_gap") > SHARE_SUM_TOLERANCE).sort("_row").row(0, named=True)
            problems.append(
                Problem(
                    file,
                    bad["_row"],
                    None,
                    f"andelene uden jobsøgning, 1-5 og 6+ summerer til {_dk_float(100 * bad['_share_sum'], 1)} "
                    "pct., ikke 100 (er de kortlagt til de rigtige kolonner?)",
                )
            )
            return None
        # Rows with a missing share: the others are rounded one by one and validate derives the missing one.
        rounded.update(
            {
                m: pl.when(pl.col("_share_sum").is_not_null()).then(pl.col(f"_a_{m}")).otherwise(rounded[m])
                for m in CATEGORIES
            }
        )
    frame = frame.with_columns(
        *[(rounded[m] - exact[m]).abs().alias(f"_err_{m}") for m in shares],
        *[rounded[m].cast(pl.Int64).cast(pl.String).alias(m) for m in shares],
    )
    derived = int(
        frame.select(pl.sum_horizontal(pl.col(f"_err_{m}").is_not_null() for m in shares).sum()).item()
    )
    worst = frame.select(pl.max_horizontal(pl.col(f"_err_{m}") for m in shares).max()).item() or 0.0
    stats.update(counts_from_shares=derived, share_rounding_worst=round(float(worst), 2))
    problems.append(
        Problem(
            file,
            None,
            None,
            f"{derived} antal er regnet ud af andele × Antal personer og afrundet til hele personer (største "
            f"afrunding {_dk_float(worst, 2)} person; de tre kategorier fordeles, så de summerer til Antal "
            "personer)",
            "advarsel",
        )
    )
    return frame.drop([c for c in frame.columns if c.startswith("_") and c != "_row"])


def _apportion(frame: pl.DataFrame) -> tuple[pl.DataFrame, float]:
    """Largest-remainder apportionment of persons over the three category shares (normalised to their sum).

    Returns the frame with `_a_<category>` counts and the worst distance of a share sum from 100, in points.
    """
    s = {m: pl.col(f"_s_{m}") for m in CATEGORIES}
    total = s["persons_0"] + s["persons_1_5"] + s["persons_6plus"]
    frame = frame.with_columns(total.alias("_share_sum"), (total - 1).abs().alias("_share_gap"))
    exact = {
        m: pl.when(pl.col("_share_sum") > 0).then(pl.col("_n") * s[m] / pl.col("_share_sum"))
        for m in CATEGORIES
    }
    frame = frame.with_columns(
        *[exact[m].floor().alias(f"_f_{m}") for m in CATEGORIES],
        *[(exact[m] - exact[m].floor()).alias(f"_r_{m}") for m in CATEGORIES],
    )
    left = pl.col("_n") - sum(pl.col(f"_f_{m}") for m in CATEGORIES)
    # Rank of each remainder among the three (ties: the earlier category first); the `left` best get +1.
    ranks = {}
    for i, m in enumerate(CATEGORIES):
        ahead = [
            (pl.col(f"_r_{o}") > pl.col(f"_r_{m}")) | ((pl.col(f"_r_{o}") == pl.col(f"_r_{m}")) & (j < i))
            for j, o in enumerate(CATEGORIES)
            if o != m
        ]
        ranks[m] = sum(a.cast(pl.Int8) for a in ahead)
    frame = frame.with_columns(
        *[(pl.col(f"_f_{m}") + (ranks[m] < left).cast(pl.Float64)).alias(f"_a_{m}") for m in CATEGORIES]
    )
    worst = frame.select(pl.col("_share_gap").max()).item()
    return frame, round(100 * float(worst or 0.0), 2)


# --- Profiles --------------------------------------------------------------------------------------------


def profile_name(name: str) -> str:
    """A name safe as a file name: lower case letters (æøå too), digits, '-' and '_', at most 60 characters."""
    cleaned = re.sub(r"[^\w-]+", "-", printable(name, limit=200).strip().lower(), flags=re.UNICODE)
    cleaned = re.sub(r"-+", "-", cleaned).strip("-_")[:60]
    if not cleaned:
        raise MappingError("giv profilen et navn med bogstaver eller tal")
    return cleaned


def profiles_dir(data_dir: Path | None = None) -> Path:
    return (data_dir or config.data_dir()) / PROFILE_DIR


def list_profiles(data_dir: Path | None = None) -> list[str]:
    folder = profiles_dir(data_dir)
    return sorted(p.stem for p in folder.glob("*.json")) if folder.is_dir() else []


def save_profile(name: str, mapping: Mapping, data_dir: Path | None = None) -> Path:
    """Write the profile atomically (a temporary file renamed over the old one); returns its path."""
    mapping.check()
    folder = profiles_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{profile_name(name)}.json"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".profile-", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(mapping.to_dict(), handle, ensure_ascii=False, indent=2)
    os.replace(tmp, target)
    return target


def load_profile(name: str, data_dir: Path | None = None) -> Mapping:
    path = profiles_dir(data_dir) / f"{profile_name(name)}.json"
    if not path.is_file():
        known = ", ".join(list_profiles(data_dir)) or "ingen"
        raise MappingError(
            f"importprofilen '{printable(name, limit=60)}' findes ikke (gemte profiler: {known})"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(f"importprofilen '{path.stem}' kan ikke læses: {type(exc).__name__}") from exc
    return Mapping.from_dict(data)


def parse_assignments(items: list[str]) -> dict[str, str]:
    """'felt=værdi' pairs from the command line; the field may be its key or its Danish header."""
    by_label = {ji.header_key(v): k for k, v in ji.EXPORT_HEADERS.items()}
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        name = key.strip() if key.strip() in FIELDS else by_label.get(ji.header_key(key))
        if not sep or name is None:
            raise MappingError(
                f"'{printable(item, limit=80)}': skriv felt=værdi med et af felterne {', '.join(FIELDS)}"
            )
        out[name] = value.strip()
    return out
