"""Jobindsats' vocabulary: column headers, labels for areas, groups and breakdowns, Danish numbers.

Also writes the canonical table back as a Jobindsats-style CSV (`to_jobindsats_csv`), which the import
reads again to identical figures.
"""

from __future__ import annotations

import re
from datetime import date

import polars as pl

from joblog_dash.data import reference, schema
from joblog_dash.text.safety import neutralise_formulas

# Internal field names used between reading and validation, with the headers that map to them. Headers are
# compared after `header_key` (case, spaces, BOM), so "Antal  personer" and "ANTAL PERSONER" both match.
DIMENSIONS = ("area", "period", "group", "gender", "age", "origin")
MEASURES = schema.COUNT_COLUMNS
JOBINDSATS_HEADERS: dict[str, str] = {
    "område": "area",
    "area": "area",  # Jobindsats API CSV (v2 and v3) heads the area column in English
    "kommune": "area",
    "periode": "period",
    "period": "period",
    "tid": "period",
    "måned": "period",
    "ydelsesgruppe": "group",
    "ydelse": "group",
    "køn": "gender",
    "alder": "age",
    "herkomst": "origin",
    "antal personer": "persons",
    "antal personer uden registreret jobsøgning": "persons_0",
    "antal personer uden registrerede jobsøgninger": "persons_0",
    "antal personer med 1-5 jobsøgninger": "persons_1_5",
    "antal personer med 1-5 registrerede jobsøgninger": "persons_1_5",
    "antal personer med 6 eller flere jobsøgninger": "persons_6plus",
    "antal personer med 6 eller flere registrerede jobsøgninger": "persons_6plus",
    "antal registrerede jobsøgninger": "job_searches",
    "antal jobsøgninger": "job_searches",
}
CANONICAL_HEADERS: dict[str, str] = {
    "month": "period",
    "municipality_code": "area",
    "benefit_group": "group",
    "gender": "gender",
    "age_group": "age",
    "origin": "origin",
    **{m: m for m in MEASURES},
}
# Headers of the CSV we write, in order (the first label of each field above).
EXPORT_HEADERS = {
    "area": "Område",
    "period": "Periode",
    "group": "Ydelsesgruppe",
    "gender": "Køn",
    "age": "Alder",
    "origin": "Herkomst",
    "persons": "Antal personer",
    "persons_0": "Antal personer uden registreret jobsøgning",
    "persons_1_5": "Antal personer med 1-5 jobsøgninger",
    "persons_6plus": "Antal personer med 6 eller flere jobsøgninger",
    "job_searches": "Antal registrerede jobsøgninger",
}
TOTAL_LABELS = {"gender": "Køn i alt", "age": "Alder i alt", "origin": "Herkomst i alt"}
EXPORT_AGE_LABELS = {
    "16-24": "16-24 år",
    "25-29": "25-29 år",
    "30-39": "30-39 år",
    "40-49": "40-49 år",
    "50+": "50 år og derover",
}
# Missing or suppressed cells: never read as 0. "null" is what some API clients write for a JSON null.
SUPPRESSED = ("..", "-", "", ".", "x", "X", "null", "NULL", "None")


def header_key(header: str) -> str:
    return re.sub(r"\s+", " ", header.lstrip("\ufeff").strip().lower())


def fold(text: str) -> str:
    """Case- and spacing-insensitive form of a label."""
    return re.sub(r"\s+", " ", text.strip().lower()).replace("–", "-")


# --- Labels ----------------------------------------------------------------------------------------------

_GROUP_ALIASES = {
    "a-dagpenge": "dagpenge",
    "a-dagpenge mv.": "dagpenge",
    "a-dagpenge mv": "dagpenge",
    "dagpenge": "dagpenge",
    "forsikrede ledige": "dagpenge",
    "jobparate kontanthjælpsmodtagere": "kontanthjaelp",
    "kontanthjælp, jobparate": "kontanthjaelp",
    "åbenlyst uddannelsesparate uddannelseshjælpsmodtagere": "uddannelseshjaelp",
    "uddannelseshjælp, åbenlyst uddannelsesparate": "uddannelseshjaelp",
    # From the kontanthjælp reform (1 July 2025) one kontanthjælp with two visitation categories: job- og
    # aktivitetsparate (30 or older, or with an education) and uddannelses- og aktivitetsparate (under 30
    # without an education). The jobparate continue `kontanthjaelp`; the uddannelsesparate continue
    # uddannelseshjælp's series as `uddannelsesparate`.
    "kontanthjælp, job- og aktivitetsparate, jobparate": "kontanthjaelp",
    "job- og aktivitetsparate kontanthjælpsmodtagere, jobparate": "kontanthjaelp",
    "jobparate kontanthjælpsmodtagere (job- og aktivitetsparate)": "kontanthjaelp",
    "kontanthjælp, jobparate (job- og aktivitetsparate)": "kontanthjaelp",
    "uddannelsesparate kontanthjælpsmodtagere under 30": "uddannelsesparate",
    "uddannelsesparate kontanthjælpsmodtagere under 30 år": "uddannelsesparate",
    "uddannelsesparate kontanthjælpsmodtagere under 30 år uden uddannelse": "uddannelsesparate",
    "kontanthjælp, uddannelsesparate under 30": "uddannelsesparate",
    "kontanthjælp, uddannelsesparate under 30 år": "uddannelsesparate",
    "kontanthjælp, uddannelses- og aktivitetsparate, uddannelsesparate": "uddannelsesparate",
    "uddannelses- og aktivitetsparate kontanthjælpsmodtagere, uddannelsesparate": "uddannelsesparate",
    "uddannelsesparate kontanthjælpsmodtagere (uddannelses- og aktivitetsparate)": "uddannelsesparate",
}


GROUP_TOTAL_LABELS = ("i alt", "ydelsesgrupper i alt", "alle ydelsesgrupper", "ydelsesgruppe i alt", "total")


def benefit_group(label: str) -> str | None:
    """Canonical group code for a Jobindsats label, a dashboard label or a code; None if unknown."""
    key = fold(label)
    if key in _GROUP_ALIASES:
        return _GROUP_ALIASES[key]
    for code, long_label in reference.BENEFIT_GROUP_LABELS.items():
        if key in {code, fold(long_label), fold(reference.BENEFIT_GROUP_SHORT[code])}:
            return code
    return None


def gender(label: str) -> str | None:
    key = fold(label)
    if key in {"kvinder", "kvinde", "k"}:
        return "Kvinder"
    if key in {"mænd", "mand", "m"}:
        return "Mænd"
    if key in {"køn i alt", "i alt", "alle", "total"}:
        return reference.TOTAL
    return None


def age_group(label: str) -> str | None:
    """Canonical age group; Jobindsats' finer bands (e.g. '50-59 år', '60 år+') fold into the coarser one."""
    key = fold(label)
    if key in {"alder i alt", "i alt", "alle", "total"}:
        return reference.TOTAL
    key = re.sub(r"\s*år\s*", " ", key).strip()
    bounds = [(16, 24), (25, 29), (30, 39), (40, 49), (50, 200)]
    labels = reference.AGE_GROUPS
    match = re.fullmatch(r"(\d{1,3})\s*-\s*(\d{1,3})", key)
    if match:
        low, high = int(match[1]), int(match[2])
    else:
        match = re.fullmatch(r"(\d{1,3})\s*(\+|og derover|og ældre|\+ ?og derover)", key) or re.fullmatch(
            r"(\d{1,3})\s*\+", key
        )
        if not match:
            return None
        low, high = int(match[1]), 200
    for label, (lo, hi) in zip(labels, bounds, strict=True):
        if lo <= low and high <= hi:
            return label
    return None


def origin(label: str) -> str | None:
    key = fold(label)
    if key in {"herkomst i alt", "i alt", "alle", "total"}:
        return reference.TOTAL
    for known in reference.ORIGINS:
        if key == fold(known):
            return known
    return None


_PERIOD = re.compile(r"(\d{4})\s*[mM-]\s*(\d{1,2})(?:-(\d{1,2}))?(?:[ T]00:00(?::00)?)?")
DANISH_MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)
_NAMED_MONTH = re.compile(r"([a-zæøå]+)\.?\s*(\d{4})")
# Jobindsats' other period codes: quarters (2024Q3), moving years (2024QMAT03), half-years (2024H1), years.
_NOT_MONTHLY = (
    (re.compile(r"\d{4}\s*QMAT\s*\d{1,2}", re.I), "et løbende år (12 måneder til og med et kvartal)"),
    (re.compile(r"\d{4}\s*Q\s*[1-4]", re.I), "et kvartal"),
    (re.compile(r"\d{4}\s*H\s*[12]", re.I), "et halvår"),
    (re.compile(r"\d{4}\s*(?:ÅR|AAR|Y)?", re.I), "et helt år"),
)


def _named_month(text: str) -> tuple[int, int] | None:
    """(year, month) for 'januar 2024', 'jan 2024', 'Jan. 2024'."""
    match = _NAMED_MONTH.fullmatch(text.strip().lower())
    if not match or len(match[1]) < 3:
        return None
    month = next((i for i, name in enumerate(DANISH_MONTHS, 1) if name.startswith(match[1])), None)
    return (int(match[2]), month) if month else None


def period(label: str) -> date | None:
    """First day of the month for '2018M01', '2018-01', '2018-01-01' or 'januar 2018'; None if not a month
    from 2010 to today."""
    match = _PERIOD.fullmatch(label.strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if match[3] is not None and int(match[3]) != 1:
            return None
    else:
        named = _named_month(label)
        if named is None:
            return None
        year, month = named
    if not (1 <= month <= 12 and 2010 <= year <= date.today().year + 1):
        return None
    value = date(year, month, 1)
    return value if value <= date.today() else None


def period_problem(label: str) -> str:
    """Why a period label is refused (for the problem message)."""
    text = label.strip()
    for pattern, kind in _NOT_MONTHLY:
        if pattern.fullmatch(text):
            return (
                f"perioden '{text}' er {kind}; dashboardet viser tal pr. måned, så eksporten skal være "
                "månedlig (periode fx 2024M07)"
            )
    return f"ugyldig periode '{text}' (forventer en måned, fx 2018M01, fra 2010 til i dag)"


def municipality(label: str) -> int | None:
    """Code for a name, alias or code, also written as '461 Odense' or 'Odense (461)' (name and code must agree)."""
    code = reference.resolve_municipality(label)
    if code is not None:
        return code
    match = re.fullmatch(r"(\d{3,4})\s*[-–]?\s*(\D.*)", label.strip()) or re.fullmatch(
        r"(\D.*?)\s*\((\d{3,4})\)", label.strip()
    )
    if not match:
        return None
    number, name = (match[1], match[2]) if match[1].isdecimal() else (match[2], match[1])
    by_code, by_name = reference.resolve_municipality(number), reference.resolve_municipality(name)
    return by_code if by_code is not None and by_code == by_name else None


# Rows that are neither one of the 98 municipalities nor an aggregate of them: persons without a known
# municipality, and Christiansø (code 411, run by the state, not a municipality). Never stored; they count in
# Hele landet only, so the national check adds them when the file has them.
NON_MUNICIPAL_LABELS = {
    "uoplyst område": "Uoplyst område",
    "uoplyst": "Uoplyst område",
    "uoplyst kommune": "Uoplyst område",
    "ukendt område": "Uoplyst område",
    "ukendt kommune": "Uoplyst område",
    "christiansø": "Christiansø",
    "christiansoe": "Christiansø",
    "411": "Christiansø",
    "0411": "Christiansø",
}


def non_municipal(label: str) -> str | None:
    """'Uoplyst område' or 'Christiansø' (also '411 Christiansø', 'Christiansø (411)'); None otherwise."""
    key = fold(label)
    if key in NON_MUNICIPAL_LABELS:
        return NON_MUNICIPAL_LABELS[key]
    match = re.fullmatch(r"(\d{3,4})\s*[-–]?\s*(\D.*)", key) or re.fullmatch(r"(\D.*?)\s*\((\d{3,4})\)", key)
    if match:
        number, name = (match[1], match[2]) if match[1].isdecimal() else (match[2], match[1])
        if NON_MUNICIPAL_LABELS.get(number) == "Christiansø" == NON_MUNICIPAL_LABELS.get(name.strip()):
            return "Christiansø"
    return None


# Aggregate areas (not stored; checked against their municipalities): folded label -> municipality codes.
def aggregate_areas() -> dict[str, tuple[str, tuple[int, ...]]]:
    found: dict[str, tuple[str, tuple[int, ...]]] = {}
    for area in reference.areas():
        codes = tuple(reference.municipality_codes_in(area))
        # Exports name an area without the period the app adds to RAR and council labels.
        for text in (area.label, area.name):
            found[fold(text)] = (area.label, codes)
            found[reference.slugify(text)] = (area.label, codes)
    found["hele landet"] = ("Hele landet", tuple(reference.municipalities()["code"].to_list()))
    for synonym in ("landsplan", "landet i alt", "hele landet i alt", "danmark", "i alt", "område i alt"):
        found[synonym] = found["hele landet"]
    return found


# --- Danish numbers --------------------------------------------------------------------------------------

# Integer with optional dot thousands separators and an optional all-zero decimal part ("1.234", "12,0").
_INTEGER = r"^(\d{1,3}(\.\d{3})+|\d+)(,0+)?$"


def parse_counts(column: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(value Int64, is_suppressed, is_invalid) for a text column of Danish-formatted counts."""
    text = column.str.strip_chars().str.replace_all("\u00a0", "").str.replace_all(" ", "")
    suppressed = text.is_null() | text.is_in(list(SUPPRESSED))
    valid = text.str.contains(_INTEGER)
    value = (
        pl.when(valid)
        .then(
            text.str.replace(r",0+$", "").str.replace_all(".", "", literal=True).cast(pl.Int64, strict=False)
        )
        .otherwise(None)
    )
    invalid = ~suppressed & (value.is_null() | (value > 2**31 - 1))
    return value, suppressed, invalid


def count_problem(text: str) -> str:
    """Why one count cell is not a valid count (for the problem message)."""
    cleaned = text.strip()
    # A cell of thousands of characters would drown the message: show its start and its length.
    length = f"{len(cleaned):,}".replace(",", ".")
    shown = f"'{cleaned}'" if len(cleaned) <= 40 else f"'{cleaned[:20]}…' ({length} tegn)"
    if re.fullmatch(r"-\s*[\d.,]+", cleaned):
        return f"{shown} er negativ; antal kan ikke være negative"
    if re.fullmatch(r"[\d.]*\d,\d*[1-9]\d*", cleaned):
        return f"{shown} er ikke et helt tal (antal personer og jobsøgninger er heltal)"
    if re.fullmatch(_INTEGER, cleaned):
        return f"{shown} er for stort til et antal"
    if re.fullmatch(r"[\d.]+", cleaned):
        return f"{shown} er ikke et gyldigt tal; punktum er tusindtalsseparator (1.234 = tusind to hundrede)"
    return f"{shown} er ikke et tal"


# --- Writing ---------------------------------------------------------------------------------------------


def _danish_int(column: str) -> pl.Expr:
    """Integer as text with dot thousands separators (1234567 -> '1.234.567')."""
    text = pl.col(column).cast(pl.String)
    reversed_groups = text.str.reverse().str.replace_all(r"(\d{3})(\d)", "$1.$2")
    # replace_all does not re-scan overlapping matches, so repeat until every group is separated.
    for _ in range(3):
        reversed_groups = reversed_groups.str.replace_all(r"(\d{3})(\d)", "$1.$2")
    return reversed_groups.str.reverse()


def to_jobindsats_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The canonical table with Jobindsats' headers and labels; breakdown columns only where used."""
    frame = schema.conform(frame)
    names = reference.municipalities().select(pl.col("code").alias("municipality_code"), pl.col("name"))
    out = frame.join(names, on="municipality_code", how="left").with_columns(
        pl.col("name").fill_null(pl.col("municipality_code").cast(pl.String)).alias("area"),
        pl.col("month").dt.strftime("%YM%m").alias("period"),
        pl.col("benefit_group")
        .replace(dict(reference.BENEFIT_GROUP_LABELS))
        .replace({"dagpenge": "A-dagpenge mv."})
        .alias("group"),
        pl.col("gender").replace({reference.TOTAL: TOTAL_LABELS["gender"]}).alias("gender_out"),
        pl.col("age_group").replace({**EXPORT_AGE_LABELS, reference.TOTAL: TOTAL_LABELS["age"]}).alias("age"),
        pl.col("origin").replace({reference.TOTAL: TOTAL_LABELS["origin"]}).alias("origin_out"),
    )
    out = out.drop("gender", "origin").rename({"gender_out": "gender", "origin_out": "origin"})
    used = [
        d
        for d, c in zip(("gender", "age", "origin"), reference.BREAKDOWN_COLUMNS, strict=True)
        if (frame[c] != reference.TOTAL).any()
    ]
    fields = ["area", "period", "group", *used]
    out = out.select(
        *[pl.col(f).alias(EXPORT_HEADERS[f]) for f in fields],
        *[_danish_int(m).alias(EXPORT_HEADERS[m]) for m in MEASURES],
    )
    return neutralise_formulas(out)


def to_jobindsats_csv(frame: pl.DataFrame) -> bytes:
    """Jobindsats-style CSV: semicolons, Danish headers and labels, dot thousands, UTF-8 with BOM (Excel)."""
    text = to_jobindsats_frame(frame).write_csv(separator=";", quote_style="necessary")
    return ("\ufeff" + text).encode("utf-8")
