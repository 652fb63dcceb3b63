"""Reference facts: municipalities, areas, benefit groups, breakdown labels, name aliases and events."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache

import polars as pl

from joblog_dash.config import EVENTS_FILE, REFERENCE_DIR

TOTAL = "I alt"
GENDERS = ("Kvinder", "Mænd")
AGE_GROUPS = ("16-24", "25-29", "30-39", "40-49", "50+")
YOUTH_AGE_GROUPS = ("16-24", "25-29")  # uddannelseshjælp is for people under 30
ORIGINS = (
    "Personer med dansk oprindelse",
    "Indvandrere fra vestlige lande",
    "Efterkommere fra vestlige lande",
    "Indvandrere fra ikke-vestlige lande",
    "Efterkommere fra ikke-vestlige lande",
)
BREAKDOWN_COLUMNS = ("gender", "age_group", "origin")

# Known benefit groups in display order. A new group only needs a line here; unknown codes show as-is.
BENEFIT_GROUP_LABELS: dict[str, str] = {
    "kontanthjaelp": "Jobparate kontanthjælpsmodtagere",
    "uddannelseshjaelp": "Åbenlyst uddannelsesparate uddannelseshjælpsmodtagere",
    "uddannelsesparate": "Uddannelsesparate kontanthjælpsmodtagere under 30",
    "dagpenge": "Dagpengemodtagere",
    "overgangsydelse": "Jobparate modtagere af overgangsydelse",
    "ledighedsydelse": "Modtagere af ledighedsydelse",
    "sygedagpenge": "Jobparate sygedagpengemodtagere",
}
BENEFIT_GROUP_SHORT: dict[str, str] = {
    "kontanthjaelp": "Kontanthjælp",
    "uddannelseshjaelp": "Uddannelseshjælp",
    "uddannelsesparate": "Uddannelsesparate u. 30",
    "dagpenge": "Dagpenge",
    "overgangsydelse": "Overgangsydelse",
    "ledighedsydelse": "Ledighedsydelse",
    "sygedagpenge": "Sygedagpenge",
}


# The kontanthjælp reform (lov nr. 1655 af 30. december 2024, in force 1 July 2025) merged
# selvforsørgelses- og hjemrejseydelse, overgangsydelse and uddannelseshjælp into one kontanthjælp:
# uddannelseshjælp and overgangsydelse end in June 2025; the uddannelsesparate under 30 without an education
# continue as kontanthjælp recipients from July 2025. Jobparate kontanthjælp (`kontanthjaelp`) continues.
# Months are first days of months; None is open-ended.
REFORM_2025 = date(2025, 7, 1)
GROUP_PERIODS: dict[str, tuple[date | None, date | None]] = {
    "uddannelseshjaelp": (None, date(2025, 6, 1)),
    "overgangsydelse": (None, date(2025, 6, 1)),
    "uddannelsesparate": (REFORM_2025, None),
}


@dataclass(frozen=True)
class SeriesBreak:
    """One series continued under a new group from `month`: the figures before and after are not
    strictly comparable (another benefit, another definition of the target group)."""

    before: str
    after: str
    month: date


SERIES_BREAKS = (SeriesBreak("uddannelseshjaelp", "uddannelsesparate", REFORM_2025),)


def _base(code: str) -> str:
    return code.split("-r", 1)[0]  # a stress replica "<group>-r<n>" has its group's period


def group_period(code: str) -> tuple[date | None, date | None]:
    """The first and last month a benefit group exists (None: open-ended)."""
    return GROUP_PERIODS.get(_base(code), (None, None))


def group_exists(code: str, month: date) -> bool:
    first, last = group_period(code)
    return (first is None or month >= first) and (last is None or month <= last)


def series_break(code: str) -> SeriesBreak | None:
    """The break of the series a group belongs to (as the group before or after it), if any."""
    return next((b for b in SERIES_BREAKS if _base(code) in (b.before, b.after)), None)


def continuing_group(code: str) -> str | None:
    """The group that continues this one's series on the other side of its break."""
    found = series_break(code)
    if found is None:
        return None
    return found.after if _base(code) == found.before else found.before


def breaks_within(codes: list[str], first: date, last: date) -> list[SeriesBreak]:
    """The series breaks a chart or table of these groups over first..last spans (both sides shown)."""
    return [
        b
        for b in SERIES_BREAKS
        if first < b.month <= last and ({b.before, b.after} & {_base(c) for c in codes})
    ]


def group_label(code: str, short: bool = False) -> str:
    labels = BENEFIT_GROUP_SHORT if short else BENEFIT_GROUP_LABELS
    return labels.get(code, code)


def group_order(code: str) -> int:
    keys = list(BENEFIT_GROUP_LABELS)
    return keys.index(code) if code in keys else len(keys)


@cache
def municipalities() -> pl.DataFrame:
    """The 98 municipalities (2018): code, name, region, amk_office, rar_area, rbr_area (the regional
    employment council from 2025, one per region), population_2018, lat, lon."""
    return pl.read_csv(
        REFERENCE_DIR / "municipalities.csv",
        schema_overrides={
            "code": pl.Int32,
            "population_2018": pl.Int64,
            "lat": pl.Float64,
            "lon": pl.Float64,
        },
    ).sort("code")


@cache
def _names() -> dict[int, str]:
    return dict(municipalities().select("code", "name").iter_rows())


def municipality_name(code: int) -> str:
    # A dict lookup: pages call this dozens of times a rerun, and a polars filter each time added up.
    return _names().get(code, str(code))


# --- Areas ---------------------------------------------------------------------------------------------

NATIONAL = "hele-landet"
AREA_KIND_COLUMN = {"region": "region", "amk": "amk_office", "rar": "rar_area", "rbr": "rbr_area"}
AREA_KIND_LABEL = {
    "land": "Hele landet",
    "region": "Regioner",
    "amk": "Arbejdsmarkedskontorer (historisk)",
    "rar": "RAR-områder (2015–2024)",
    "rbr": "Regionale beskæftigelsesråd (fra 2025)",
}
# When an area kind existed, shown in every label of its areas: the 8 regional labour-market councils (RAR,
# from 2015) were replaced in 2025 by 5 regional employment councils, one per region. The figures of either
# are always the sum of their municipalities, for any month.
# STAR's labour-market offices (AMK) are historical too: no source confirms them after 2025.
AREA_KIND_PERIOD = {"amk": "historisk", "rar": "2015–2024", "rbr": "fra 2025"}


@dataclass(frozen=True)
class Area:
    key: str  # URL-safe id, e.g. "region-sjaelland" (from the name, so a label change never breaks a link)
    kind: str  # "land", "region", "amk", "rar" or "rbr"
    label: str  # Danish display label, with the period where the kind had one: "RAR Sjælland (2015–2024)"
    name: str = ""  # the area's value in its municipality-table column, e.g. "RAR Sjælland"

    @property
    def column(self) -> str | None:
        """Column in the municipality table that defines the area (None for the whole country)."""
        return AREA_KIND_COLUMN.get(self.kind)


def slugify(text: str) -> str:
    text = text.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def area_label(kind: str, name: str) -> str:
    """The display label: the name, followed by the period for the kinds that had one."""
    period = AREA_KIND_PERIOD.get(kind)
    return f"{name} ({period})" if period else name


@cache
def areas() -> tuple[Area, ...]:
    """Hele landet, the 5 regions, STAR's 3 labour-market offices, the 8 RAR areas (2015–2024) and the 5
    regional employment councils (from 2025)."""
    munis = municipalities()
    found = [Area(NATIONAL, "land", "Hele landet", "Hele landet")]
    for kind, column in AREA_KIND_COLUMN.items():
        for name in sorted(munis[column].unique().to_list()):
            found.append(Area(slugify(name), kind, area_label(kind, name), name))
    return tuple(found)


def area_by_key(key: str) -> Area | None:
    return next((a for a in areas() if a.key == key), None)


def area_of_municipality(code: int, kind: str) -> Area:
    name = municipalities().filter(pl.col("code") == code)[AREA_KIND_COLUMN[kind]][0]
    return next(a for a in areas() if a.kind == kind and a.name == name)


def municipality_codes_in(area: Area) -> list[int]:
    munis = municipalities()
    if area.column is None:
        return munis["code"].to_list()
    return munis.filter(pl.col(area.column) == area.name)["code"].to_list()


# --- Name resolution for imports ------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Fold case, Danish letters, 'Kommune' and punctuation so that name variants compare equal."""
    text = name.strip().lower()
    text = re.sub(r"\b(kommune|regionskommune)\b", "", text)
    text = text.replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "", text)


@cache
def _name_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for code, name in municipalities().select("code", "name").iter_rows():
        index[normalise_name(name)] = code
        index[str(code)] = code
        index[f"{code:03d}"] = code
        index[f"{code:04d}"] = code
    aliases = pl.read_csv(REFERENCE_DIR / "aliases.csv", schema_overrides={"code": pl.Int32})
    for alias, code in aliases.iter_rows():
        index[normalise_name(alias)] = code
    return index


def resolve_municipality(name_or_code: str) -> int | None:
    """Municipality code for a name, alias or code as written in an export; None if unknown."""
    text = str(name_or_code).strip()
    if not text:
        return None
    index = _name_index()
    if text.isdigit():  # also '²' and other digits int() refuses; a code is 1-4 ASCII digits
        return index.get(str(int(text))) if text.isascii() and len(text) <= 4 else None
    return index.get(normalise_name(text))


def suggest_municipality(name: str) -> str | None:
    """The closest known municipality name, for 'did you mean' messages."""
    names = municipalities()["name"].to_list()
    normalised = {normalise_name(n): n for n in names}
    match = difflib.get_close_matches(normalise_name(name), list(normalised), n=1, cutoff=0.6)
    return normalised[match[0]] if match else None


# --- Events ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    key: str  # a stable name for code that needs one event (the letter), independent of the Danish label
    start: date
    end: date | None
    label: str
    description: str
    benefit_groups: tuple[str, ...]
    source: str = ""  # the law, letter or publication, with its address where it has one


@cache
def events() -> tuple[Event, ...]:
    frame = pl.read_csv(EVENTS_FILE, try_parse_dates=True, schema_overrides={"end": pl.Date})
    return tuple(
        Event(
            key=row["key"],
            start=row["start"],
            end=row["end"],
            label=row["label"],
            description=row["description"],
            benefit_groups=tuple(g for g in (row["benefit_groups"] or "").split(";") if g),
            source=row.get("source") or "",
        )
        for row in frame.iter_rows(named=True)
    )


def event(key: str) -> Event:
    """The event with this key (KeyError if data/events.csv has none)."""
    for found in events():
        if found.key == key:
            return found
    raise KeyError(key)


def letter_month() -> date:
    """The month of the minister's letter to every municipality (7 May 2018), from data/events.csv."""
    start = event("letter").start
    return date(start.year, start.month, 1)
