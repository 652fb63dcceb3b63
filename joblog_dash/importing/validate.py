"""Turn an all-text export table into canonical rows, listing every problem with file, row and column.

Decisions (see docs/IMPORT.md):
- A suppressed cell (`..`, `-`, empty) is derived when it is the only missing one of persons / 0 / 1-5 / 6+
  (persons = sum of the categories). A suppressed `Antal registrerede jobsøgninger`, or a file without that
  column, is estimated at its lower bound 1·(1-5) + 6·(6+) and the manifest says so. A row that still lacks
  a count cannot be stored in the integer table: if the same municipality/month/group has a complete
  coarser level (e.g. `Køn i alt`), that level is stored instead; otherwise the row is left out with a
  warning that says how many.
- Per municipality, month and benefit group the finest complete breakdown is stored; coarser rows (totals,
  `Køn i alt`) are checked against it and never stored too, so nothing is counted twice.
- Aggregate rows (`Hele landet`, `Region …`, `RAR …`, `AMK …`) are checked against the sum of their
  municipalities when the file holds all of them, and never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

from joblog_dash.data import reference, schema
from joblog_dash.importing import jobindsats as ji
from joblog_dash.importing.readers import RawTable
from joblog_dash.text import fmt
from joblog_dash.text.safety import printable

MAX_LISTED = 10  # rows listed per kind of problem; the rest are counted in one summary line
CORE = ("persons", "persons_0", "persons_1_5", "persons_6plus")
BREAKDOWNS = (("gender", "gender", 1), ("age", "age_group", 2), ("origin", "origin", 4))
FIELD_LABEL = {**ji.EXPORT_HEADERS}
SOURCE_ROW = "_row"  # column of a mapped table (mapping.apply_mapping): the row number in the source file


@dataclass(frozen=True)
class Problem:
    file: str
    row: (
        int | None
    )  # row number as the user sees it (CSV line, sheet row, JSON Data index); None = whole file
    column: str | None
    message: str
    severity: str = "fejl"  # "fejl" blocks the import; "advarsel" does not

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", række {self.row}"
        if self.column:
            where += f", kolonne '{self.column}'"
        return printable(f"{self.severity.capitalize()}: {where}: {self.message}", limit=1200)


@dataclass
class Validation:
    file: str
    frame: pl.DataFrame | None  # canonical rows, None when there are errors
    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, object] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "fejl"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "fejl"]

    @property
    def ok(self) -> bool:
        return not self.errors and self.frame is not None


def _dk(number: int) -> str:
    """An integer with Danish thousands dots (12.345)."""
    return f"{number:,}".replace(",", ".")


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, row: int | None, column: str | None, message: str, severity: str = "fejl") -> None:
        self.problems.append(Problem(self.file, row, column, printable(message, limit=1000), severity))

    def rows(
        self,
        frame: pl.DataFrame,
        column: str | None,
        message: Callable[[dict], str],
        severity: str = "fejl",
    ) -> None:
        """One problem per listed row of `frame` (which must have `_row`), then one summary line."""
        for row in frame.head(MAX_LISTED).iter_rows(named=True):
            self.add(row["_row"], column, message(row), severity)
        if frame.height > MAX_LISTED:
            self.add(
                None,
                column,
                f"… og {frame.height - MAX_LISTED:,} rækker mere med samme slags problem".replace(",", "."),
                severity,
            )

    @property
    def has_errors(self) -> bool:
        return any(p.severity == "fejl" for p in self.problems)


def _map_headers(raw: RawTable, out: _Collector) -> dict[str, str]:
    canonical = "municipality_code" in raw.frame.columns
    table = ji.CANONICAL_HEADERS if canonical else ji.JOBINDSATS_HEADERS
    mapping: dict[str, str] = {}
    seen: dict[str, str] = {}
    for header in raw.frame.columns:
        if header == SOURCE_ROW:
            continue
        key = header if canonical else ji.header_key(header)
        target = table.get(key)
        if target is None:
            if header.strip():
                out.add(None, header, "ukendt kolonne; den bliver ikke brugt", "advarsel")
            continue
        if target in seen:
            out.add(None, header, f"betyder det samme som kolonnen '{seen[target]}'; brug kun én af dem")
            continue
        seen[target] = header
        mapping[header] = target
    expected = "month, municipality_code, benefit_group, …" if canonical else "Område, Periode, Ydelsesgruppe"
    for needed in ("area", "period", "group"):
        if needed not in seen:
            label = next(k for k, v in table.items() if v == needed)
            out.add(
                None,
                label if canonical else ji.EXPORT_HEADERS[needed],
                f"den påkrævede kolonne mangler (forventer {expected}; fandt "
                f"{', '.join(raw.frame.columns) or 'ingen'}). {MAPPING_HINT}",
            )
    present = [m for m in CORE if m in seen]
    if len(present) < 3:
        out.add(None, None, _no_measures_message(raw.frame.columns, seen))
    return mapping


MAPPING_HINT = (
    "Har filen en anden opbygning (fx et STAR-benchmarkark eller et ministeriums eget udtræk), kan "
    "kortlægningstrinnet hjælpe: vælg selv kolonnerne ved upload på Om tallene, eller brug "
    "`joblog-dash import FIL --map felt=kolonne` eller `--profile NAVN`."
)


def _no_measures_message(columns: list[str], seen: dict[str, str]) -> str:
    """Which columns were found, which are needed, what the table looks like, and that mapping can help."""
    shown = [printable(c, limit=60) for c in columns[:15]] + (["…"] if len(columns) > 15 else [])
    missing = [ji.EXPORT_HEADERS[m] for m in CORE if m not in seen]
    kind = ""
    if "area" in seen and "period" in seen and not any(m in seen for m in schema.COUNT_COLUMNS):
        kind = (
            "Det ligner en Jobindsats-tabel med andre mål (fx en benchmark- eller ydelsestabel), ikke "
            "Joblog-tal. "
        )
    return (
        "der mangler målekolonner: tabellen har ikke Joblogs antal. "
        f"Fundne kolonner: {', '.join(shown) or 'ingen'}. Påkrævet: Område (eller Area), Periode, "
        f"Ydelsesgruppe og mindst tre af de fire antal-kolonner ({', '.join(ji.EXPORT_HEADERS[m] for m in CORE)}); "
        f"mangler: {', '.join(missing)}. {kind}{MAPPING_HINT}"
    )


def _lookup(
    frame: pl.DataFrame, column: str, function: Callable[[str], object], dtype: pl.DataType
) -> pl.Expr:
    """Map a text column through a Python function once per distinct value (fast for labels)."""
    values = frame[column].drop_nulls().unique().to_list()
    table = {v: function(v) for v in values}
    return pl.col(column).replace_strict(table, default=None, return_dtype=dtype)


def _sum_or_null(column: str) -> pl.Expr:
    """Sum that stays null when any part is suppressed (a partial sum would look like a real figure)."""
    return pl.when(pl.col(column).null_count() == 0).then(pl.col(column).sum()).otherwise(None).alias(column)


def _short(value: str, limit: int = 60) -> str:
    """A label as quoted in a message: a cell of thousands of characters would drown the message."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _label_problems(
    out: _Collector,
    frame: pl.DataFrame,
    raw_col: str,
    mapped_col: str,
    header: str,
    describe: Callable[[str], str],
) -> None:
    bad = (
        frame.filter(pl.col(mapped_col).is_null())
        .group_by(raw_col)
        .agg(pl.col("_row").min(), pl.len().alias("n"))
        .sort("_row")
    )
    for raw_value, row, n in bad.head(MAX_LISTED).iter_rows():
        extra = f" ({n:,} rækker)".replace(",", ".") if n > 1 else ""
        out.add(row, header, describe(_short(raw_value or "")) + extra)
    if bad.height > MAX_LISTED:
        out.add(None, header, f"… og {bad.height - MAX_LISTED} ukendte værdier mere")


def _series_across_breaks(frame: pl.DataFrame, out: _Collector, column: str) -> pl.DataFrame:
    """A series continued under another group after a break (reference.SERIES_BREAKS) is one series: the old
    group's name in a month after the break (an export that kept it) is stored under the new group, the new
    name before the break under the old one, so the dataset has each group only in its months."""
    for found in reference.SERIES_BREAKS:
        after = (pl.col("benefit_group") == found.before) & (pl.col("month") >= found.month)
        before = (pl.col("benefit_group") == found.after) & (pl.col("month") < found.month)
        moved = frame.filter(after | before)
        if moved.height:
            out.add(
                moved["_row"].min(),
                column,
                f"{_dk(moved.height)} rækker gemmes under {reference.group_label(found.after)} fra "
                f"{fmt.month_short(found.month)} og {reference.group_label(found.before)} før (samme serie, "
                "brud ved kontanthjælpsreformen)",
                "advarsel",
            )
            frame = frame.with_columns(
                pl.when(after)
                .then(pl.lit(found.after))
                .when(before)
                .then(pl.lit(found.before))
                .otherwise(pl.col("benefit_group"))
                .alias("benefit_group")
            )
    return frame


def _area_message(value: str) -> str:
    suggestion = reference.suggest_municipality(value) if value.strip() else None
    text = f"ukendt kommune eller område '{value}'" if value.strip() else "området er tomt"
    return text + (f" – mente du '{suggestion}'?" if suggestion else "")


def validate_table(
    raw: RawTable, file: str, progress: Callable[[float, str], None] | None = None
) -> Validation:
    """Check every row and build the canonical frame; `progress(fraction, text)` spans 0.35..0.7."""
    step = progress or (lambda _f, _t: None)
    out = _Collector(file)
    mapping = _map_headers(raw, out)
    if out.has_errors:
        return Validation(file, None, out.problems)
    frame = raw.frame.select([pl.col(h).alias(f) for h, f in mapping.items()])
    if frame.height == 0:
        out.add(None, None, "filen har overskrifter men ingen datarækker")
        return Validation(file, None, out.problems)
    header_of = {f: h for h, f in mapping.items()}
    if SOURCE_ROW in raw.frame.columns:  # a mapped table says which source row each row came from
        frame = frame.with_columns(raw.frame[SOURCE_ROW].cast(pl.Int64).alias("_row"))
    else:
        frame = frame.with_row_index("_row", offset=raw.first_row).with_columns(pl.col("_row").cast(pl.Int64))
    stats: dict[str, object] = {"rows_read": frame.height, "format": raw.format}
    if raw.encoding:
        stats["encoding"] = raw.encoding

    # Labels -> canonical values, one Python call per distinct label.
    areas = ji.aggregate_areas()
    frame = frame.with_columns(pl.col(c).str.strip_chars() for c in ("area", "period", "group"))
    # Rows summed over all benefit groups say nothing per group: left out, like national totals.
    group_totals = frame.filter(pl.col("group").str.to_lowercase().is_in(list(ji.GROUP_TOTAL_LABELS)))
    if group_totals.height:
        out.add(
            group_totals["_row"].min(),
            header_of["group"],
            f"{group_totals.height} rækker for alle "
            "ydelsesgrupper tilsammen bruges ikke (tallene gemmes pr. ydelsesgruppe)",
            "advarsel",
        )
        frame = frame.filter(~pl.col("_row").is_in(group_totals["_row"].implode()))
        if frame.height == 0:
            out.add(None, header_of["group"], "filen har kun rækker for alle ydelsesgrupper tilsammen")
            return Validation(file, None, out.problems, stats)
    frame = frame.with_columns(
        _lookup(frame, "area", ji.municipality, pl.Int32).alias("code"),
        _lookup(frame, "area", lambda v: (areas.get(ji.fold(v)) or (None, ()))[0], pl.String).alias(
            "aggregate"
        ),
        _lookup(frame, "period", ji.period, pl.Date).alias("month"),
        _lookup(frame, "group", ji.benefit_group, pl.String).alias("benefit_group"),
    )
    frame = frame.with_columns(
        pl.when(pl.col("code").is_null())
        .then(pl.coalesce("aggregate", _lookup(frame, "area", ji.non_municipal, pl.String)))
        .alias("aggregate"),
    )
    frame = frame.with_columns(
        pl.when(pl.col("code").is_null() & pl.col("aggregate").is_null())
        .then(None)
        .otherwise(True)
        .alias("_area_ok"),
    )
    _label_problems(out, frame, "area", "_area_ok", header_of["area"], _area_message)
    _label_problems(
        out,
        frame,
        "period",
        "month",
        header_of["period"],
        ji.period_problem,
    )
    frame = _series_across_breaks(frame, out, header_of["group"])
    known = ", ".join(reference.BENEFIT_GROUP_LABELS.values())
    _label_problems(
        out,
        frame,
        "group",
        "benefit_group",
        header_of["group"],
        lambda v: f"ukendt ydelsesgruppe '{v}' (kendte: {known}, A-dagpenge)",
    )
    functions = {"gender": ji.gender, "age": ji.age_group, "origin": ji.origin}
    for field_name, canonical, _bit in BREAKDOWNS:
        text = f"txt_{field_name}"  # the label as written; `canonical` gets the mapped value
        if field_name in frame.columns:
            frame = frame.rename({field_name: text}).with_columns(pl.col(text).str.strip_chars())
            frame = frame.with_columns(
                _lookup(frame, text, functions[field_name], pl.String).alias(canonical)
            )
            _label_problems(
                out,
                frame,
                text,
                canonical,
                header_of[field_name],
                lambda v, f=field_name: f"ukendt værdi '{v}' i {ji.EXPORT_HEADERS[f]}",
            )
        else:
            frame = frame.with_columns(pl.lit("").alias(text), pl.lit(reference.TOTAL).alias(canonical))

    step(0.45, "Kontrollerer tal")
    # Counts: Danish numbers, suppressed cells, negative or broken values.
    suppressed_cells = 0
    for measure in schema.COUNT_COLUMNS:
        if measure not in frame.columns:
            frame = frame.with_columns(pl.lit(None, pl.Int64).alias(measure))
            continue
        value, suppressed, invalid = ji.parse_counts(pl.col(measure))
        frame = frame.with_columns(
            value.alias(f"_{measure}"), invalid.alias("_invalid"), suppressed.alias("_supp")
        )
        suppressed_cells += int(frame["_supp"].sum())
        out.rows(
            frame.filter("_invalid"), header_of[measure], lambda r, m=measure: ji.count_problem(r[m] or "")
        )
        frame = frame.drop(measure, "_invalid", "_supp").rename({f"_{measure}": measure})
    stats["suppressed_cells"] = suppressed_cells

    # Duplicates on the labels as written (before finer age bands are folded together).
    raw_key = ["area", "period", "group", "txt_gender", "txt_age", "txt_origin"]
    first = frame.group_by(raw_key).agg(pl.col("_row").min().alias("_first"))
    duplicated = frame.join(first, on=raw_key, nulls_equal=True).filter(pl.col("_row") != pl.col("_first"))
    out.rows(
        duplicated.sort("_row"),
        None,
        lambda r: f"dubletrække: samme område, periode, ydelsesgruppe og opdeling som række {r['_first']}",
    )
    if out.has_errors:
        return Validation(file, None, out.problems, stats)

    step(0.55, "Kontrollerer kategorier og summer")
    rounded = _rounded_to_tens(frame)
    stats["rounded_to_tens"] = rounded
    frame = _derive(
        frame, out, stats, job_searches_column="job_searches" in mapping.values(), rounded=rounded
    )
    if out.has_errors:
        return Validation(file, None, out.problems, stats)

    keys = ["code", "aggregate", "month", "benefit_group", "gender", "age_group", "origin"]
    frame = frame.group_by(keys).agg(pl.col("_row").min(), *[_sum_or_null(m) for m in schema.COUNT_COLUMNS])
    frame = frame.with_columns(
        sum(((pl.col(c) != reference.TOTAL).cast(pl.Int8) * bit) for _f, c, bit in BREAKDOWNS).alias("_bits")
    )
    municipal = frame.filter(pl.col("code").is_not_null())
    aggregates = frame.filter(pl.col("aggregate").is_not_null())
    if municipal.height == 0:
        out.add(
            None,
            header_of["area"],
            "filen har ingen kommunerækker (kun landstal/regioner/RAR); dashboardet gemmer tal pr. kommune",
        )
        return Validation(file, None, out.problems, stats)
    _check_aggregates(municipal, aggregates, out, stats, header_of["area"], rounded)
    step(0.65, "Kontrollerer totaler")
    kept = _choose_levels(municipal, out, stats, rounded)
    if out.has_errors:
        return Validation(file, None, out.problems, stats)

    result = schema.conform(kept.rename({"code": "municipality_code"}))
    violations = schema.invariant_violations(result)
    if violations:  # every invariant is checked row by row above; this is the last safety net
        out.add(None, None, f"datasættet bryder skemaets regler: {violations}")
        return Validation(file, None, out.problems, stats)
    stats.update(
        rows=result.height,
        municipalities=result["municipality_code"].n_unique(),
        first_month=str(result["month"].min()),
        last_month=str(result["month"].max()),
        months=result["month"].n_unique(),
        benefit_groups=sorted(result["benefit_group"].unique().to_list()),
    )
    return Validation(file, result, out.problems, stats)


# Counts rounded to tens: each cell is off by at most 5, so a sum of n rounded cells may be off by 5·n. A
# total compared with the sum of its rounded parts therefore gets ROUNDING_SLACK per part (persons is itself
# set to the sum of three rounded categories, hence 20 rather than 5).
ROUNDING_SLACK = 20
ROUNDED_MIN_VALUES = 12  # fewer non-zero counts than this are too few to call a file rounded


def _rounded_to_tens(frame: pl.DataFrame) -> bool:
    """True when every non-zero count in the file is a multiple of 10 (and there are enough of them)."""
    values = pl.concat([frame[c] for c in CORE]).drop_nulls()
    nonzero = values.filter(values != 0)
    return nonzero.len() >= ROUNDED_MIN_VALUES and bool((nonzero % 10 == 0).all())


def _derive(
    frame: pl.DataFrame, out: _Collector, stats: dict, job_searches_column: bool, rounded: bool = False
) -> pl.DataFrame:
    """Fill the one derivable suppressed count per row, check that categories add up, bound job searches.

    With counts rounded to tens the categories cannot add up exactly: a difference of at most
    ROUNDING_SLACK is accepted and persons is set to the sum of the categories (so shares stay within 0-100
    %); a derived category below 0 by at most the slack becomes 0; job searches are clamped to their bounds.
    """
    p, p0, p1, p6 = (pl.col(c) for c in CORE)
    missing = sum(pl.col(c).is_null().cast(pl.Int8) for c in CORE)
    frame = frame.with_columns(missing.alias("_missing"))
    frame = frame.with_columns(
        pl.when(p.is_null() & (pl.col("_missing") == 1)).then(p0 + p1 + p6).otherwise(p).alias("persons"),
        pl.when(p0.is_null() & (pl.col("_missing") == 1)).then(p - p1 - p6).otherwise(p0).alias("persons_0"),
        pl.when(p1.is_null() & (pl.col("_missing") == 1))
        .then(p - p0 - p6)
        .otherwise(p1)
        .alias("persons_1_5"),
        pl.when(p6.is_null() & (pl.col("_missing") == 1))
        .then(p - p0 - p1)
        .otherwise(p6)
        .alias("persons_6plus"),
    )
    stats["derived_cells"] = int((frame["_missing"] == 1).sum())
    if rounded:
        frame = frame.with_columns(
            pl.when((pl.col("_missing") == 1) & (pl.col(c) < 0) & (pl.col(c) >= -ROUNDING_SLACK))
            .then(0)
            .otherwise(pl.col(c))
            .alias(c)
            for c in CORE[1:]
        )
    derived_negative = frame.filter(
        (pl.col("_missing") == 1) & pl.any_horizontal(pl.col(c) < 0 for c in CORE)
    )
    out.rows(
        derived_negative,
        None,
        lambda r: (
            "de ikke-diskretionerede tal passer ikke: Antal personer "
            f"{r['persons']} er mindre end summen af de øvrige kategorier"
        ),
    )
    complete = pl.all_horizontal(pl.col(c).is_not_null() for c in CORE)
    difference = (p - (p0 + p1 + p6)).abs()
    slack = ROUNDING_SLACK if rounded else 0
    mismatch = frame.filter(complete & (difference > slack))
    out.rows(
        mismatch,
        ji.EXPORT_HEADERS["persons"],
        lambda r: (
            f"kategorierne summerer ikke: Antal personer er "
            f"{r['persons']}, men 0 + 1-5 + 6+ jobsøgninger = "
            f"{r['persons_0'] + r['persons_1_5'] + r['persons_6plus']}"
            + (f" (mere end de {ROUNDING_SLACK}, afrunding til tiere kan forklare)" if rounded else "")
        ),
    )
    if rounded:
        adjusted = frame.filter(complete & (difference > 0)).height
        stats["persons_set_to_sum_rows"] = adjusted
        frame = frame.with_columns(pl.when(complete).then(p0 + p1 + p6).otherwise(p).alias("persons"))
    js, low = pl.col("job_searches"), p1 + 6 * p6
    high = 5 * p1 + schema.MAX_SEARCHES_PER_PERSON * p6
    estimate = js.is_null() & p1.is_not_null() & p6.is_not_null()
    stats["job_searches_estimated"] = int(frame.select(estimate.sum()).item())
    stats["job_searches_column"] = job_searches_column
    frame = frame.with_columns(pl.when(estimate).then(low).otherwise(js).alias("job_searches"))
    if rounded:
        outside = ~estimate & ((js < low) | (js > high))
        stats["job_searches_clamped_rows"] = int(frame.select(outside.sum()).item())
        frame = frame.with_columns(pl.col("job_searches").clip(low, high))
    header = ji.EXPORT_HEADERS["job_searches"]
    out.rows(
        frame.filter(~estimate & (js < low)),
        header,
        lambda r: (
            f"{r['job_searches']} jobsøgninger er færre "
            f"end personerne med 1-5 og 6+ jobsøgninger mindst har registreret ({r['persons_1_5']} + 6 × "
            f"{r['persons_6plus']})"
        ),
    )
    out.rows(
        frame.filter(~estimate & (js > high)),
        header,
        lambda r: (
            f"{r['job_searches']} jobsøgninger er flere "
            f"end muligt (højst 5 pr. person med 1-5 og {schema.MAX_SEARCHES_PER_PERSON} pr. person med 6+)"
        ),
    )
    if rounded:
        out.add(
            None,
            None,
            "tallene ser ud til at være afrundet til nærmeste 10 (alle antal er delelige med 10). Summer "
            f"kontrolleres med en tolerance på {ROUNDING_SLACK} pr. del; Antal personer er sat til summen af de "
            f"tre kategorier i {stats['persons_set_to_sum_rows']} rækker, og "
            f"{stats['job_searches_clamped_rows']} jobsøgningstal er flyttet ind i det mulige interval. Andele "
            "for små kommuner er usikre.",
            "advarsel",
        )
    return frame.drop("_missing")


def _check_aggregates(
    municipal: pl.DataFrame,
    aggregates: pl.DataFrame,
    out: _Collector,
    stats: dict,
    header: str,
    rounded: bool = False,
) -> None:
    """Compare each aggregate row with the sum of its municipalities (Hele landet: plus the non-municipal
    rows, when the file has them); non-municipal rows (Uoplyst område, Christiansø) are reported, not stored."""
    other_labels = set(ji.NON_MUNICIPAL_LABELS.values())
    others = aggregates.filter(pl.col("aggregate").is_in(list(other_labels)))
    aggregates = aggregates.filter(~pl.col("aggregate").is_in(list(other_labels)))
    stats["aggregate_rows"] = aggregates.height
    stats["non_municipal_rows"] = others.height
    if others.height:
        labels = " og ".join(sorted(others["aggregate"].unique().to_list()))
        out.add(
            others["_row"].min(),
            header,
            f"{others.height} rækker for {labels} gemmes ikke (det er ikke en af de 98 kommuner); de indgår "
            "kun i kontrollen af Hele landet",
            "advarsel",
        )
    if aggregates.height == 0:
        return
    members = pl.DataFrame(
        [
            (label, code)
            for label, codes in {v[0]: v[1] for v in ji.aggregate_areas().values()}.items()
            for code in codes
        ],
        schema={"aggregate": pl.String, "code": pl.Int32},
        orient="row",
    )
    size = members.group_by("aggregate").agg(pl.len().alias("_expected"))
    keys = ["aggregate", "month", "benefit_group", "gender", "age_group", "origin"]
    sums = (
        municipal.drop("aggregate")
        .join(members, on="code")
        .group_by(keys)
        .agg(pl.col("code").n_unique().alias("_present"), *[_sum_or_null(m).alias(f"_sum_{m}") for m in CORE])
    )
    if others.height:
        # Hele landet also counts persons without a known municipality and Christiansø.
        extra = (
            others.drop("aggregate")
            .group_by(keys[1:])
            .agg(pl.len().alias("_extra_n"), *[_sum_or_null(m).alias(f"_extra_{m}") for m in CORE])
            .with_columns(pl.lit("Hele landet").alias("aggregate"))
        )
        sums = sums.join(extra, on=keys, how="left").with_columns(
            *[(pl.col(f"_sum_{m}") + pl.col(f"_extra_{m}").fill_null(0)).alias(f"_sum_{m}") for m in CORE],
            (pl.col("_present") + pl.col("_extra_n").fill_null(0)).alias("_parts"),
        )
    else:
        sums = sums.with_columns(pl.col("_present").alias("_parts"))
    compared = aggregates.join(sums, on=keys, how="left").join(size, on="aggregate")
    checkable = compared.filter(pl.col("_present") == pl.col("_expected"))
    stats["aggregate_rows_checked"] = checkable.height
    unchecked = compared.height - checkable.height
    if unchecked:
        out.add(
            None,
            header,
            f"{unchecked} rækker for landet/regioner/RAR kunne ikke kontrolleres, fordi filen "
            "ikke har alle deres kommuner; de gemmes ikke (kun kommunetal gemmes)",
            "advarsel",
        )
    slack = (pl.col("_parts") + 1) * ROUNDING_SLACK if rounded else pl.lit(0)
    note = (
        " (Tæller landstallet også personer uden kendt kommune, så tag 'Uoplyst område' med i eksporten.)"
        if not others.height
        else ""
    )
    for measure in CORE:
        wrong = checkable.filter(
            pl.col(measure).is_not_null()
            & pl.col(f"_sum_{measure}").is_not_null()
            & ((pl.col(measure) - pl.col(f"_sum_{measure}")).abs() > slack)
        ).sort("_row")
        out.rows(
            wrong,
            ji.EXPORT_HEADERS[measure],
            lambda r, m=measure: (
                f"{r['aggregate']} har {r[m]}, men summen af kommunerne er {r['_sum_' + m]}"
                + (note if r["aggregate"] == "Hele landet" else "")
            ),
        )


def _total_label(bits: int, chosen: int) -> str:
    """'Køn i alt' etc. for the dimensions a coarse row totals over and the stored rows break down."""
    fields = [f for f, _c, bit in BREAKDOWNS if chosen & bit and not bits & bit]
    return " og ".join(ji.TOTAL_LABELS[f] for f in fields) or "totalen"


def _choose_levels(
    municipal: pl.DataFrame, out: _Collector, stats: dict, rounded: bool = False
) -> pl.DataFrame:
    """Keep the finest complete breakdown per municipality/month/group; check coarser rows against it."""
    part = ["code", "month", "benefit_group"]
    complete = pl.all_horizontal(pl.col(c).is_not_null() for c in (*CORE, "job_searches"))
    levels = municipal.group_by([*part, "_bits"]).agg(complete.all().alias("_complete"))
    popcount = sum(((pl.col("_bits") & bit) > 0).cast(pl.Int8) for bit in (1, 2, 4))
    chosen = (
        levels.sort(
            [*part, "_complete", popcount, "_bits"], descending=[False, False, False, True, True, False]
        )
        .group_by(part, maintain_order=True)
        .first()
        .rename({"_bits": "_chosen", "_complete": "_chosen_complete"})
    )
    frame = municipal.join(chosen, on=part)
    kept = frame.filter(pl.col("_bits") == pl.col("_chosen"))
    dropped = kept.filter(~complete)
    stats["rows_left_out_suppressed"] = dropped.height
    if dropped.height:
        out.add(
            dropped["_row"].min(),
            None,
            f"{_dk(dropped.height)} rækker har diskretionerede (skjulte) antal, som "
            "ikke kan udledes, og der findes ingen total for dem; de er udeladt, så totalerne for de berørte "
            "kommuner er for små",
            "advarsel",
        )
    kept = kept.filter(complete)
    others = frame.filter(pl.col("_bits") != pl.col("_chosen"))
    not_subset = others.filter((pl.col("_bits") | pl.col("_chosen")) != pl.col("_chosen"))
    if not_subset.height:
        out.add(
            not_subset["_row"].min(),
            None,
            f"{_dk(not_subset.height)} rækker med en anden opdeling end den, der "
            "gemmes (fx Køn og Alder hver for sig uden krydsning, eller skjulte tal i en opdeling); de bruges "
            "ikke",
            "advarsel",
        )
    stats["rows_used_as_check_only"] = others.height
    subsets = others.filter((pl.col("_bits") | pl.col("_chosen")) == pl.col("_chosen"))
    for bits in subsets["_bits"].unique().to_list():
        dims = [c for _f, c, bit in BREAKDOWNS if bits & bit]
        coarse = subsets.filter(pl.col("_bits") == bits)
        rolled = (
            kept.join(coarse.select(part).unique(), on=part)
            .group_by([*part, *dims])
            .agg(pl.len().alias("_parts"), *[_sum_or_null(m).alias(f"_sum_{m}") for m in CORE])
        )
        compared = coarse.join(rolled, on=[*part, *dims], how="left")
        slack = (pl.col("_parts").fill_null(0) + 1) * ROUNDING_SLACK if rounded else pl.lit(0)
        for measure in CORE:
            wrong = compared.filter(
                pl.col(measure).is_not_null()
                & (
                    pl.col(f"_sum_{measure}").is_null()
                    | ((pl.col(f"_sum_{measure}") - pl.col(measure)).abs() > slack)
                )
            ).sort("_row")
            out.rows(
                wrong,
                ji.EXPORT_HEADERS[measure],
                lambda r, m=measure: (
                    f"kategorierne summerer ikke: {_total_label(r['_bits'], r['_chosen'])} har {r[m]}, men "
                    f"summen af de opdelte rækker er {r['_sum_' + m] or 0}"
                ),
            )
    return kept.select(
        "code", "month", "benefit_group", "gender", "age_group", "origin", *schema.COUNT_COLUMNS
    )
