"""Small canonical datasets and export files for the import tests (written by the tests themselves)."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import polars as pl

from joblog_dash.data import reference, schema, store

MEASURE_HEADERS = [
    "Antal personer",
    "Antal personer uden registreret jobsøgning",
    "Antal personer med 1-5 jobsøgninger",
    "Antal personer med 6 eller flere jobsøgninger",
    "Antal registrerede jobsøgninger",
]
HEADER = ["Område", "Periode", "Ydelsesgruppe", *MEASURE_HEADERS]


def make_frame(
    months: list[date] | None = None,
    codes: list[int] | None = None,
    groups: tuple[str, ...] = ("kontanthjaelp",),
    genders: tuple[str, ...] = (reference.TOTAL,),
    seed: int = 0,
) -> pl.DataFrame:
    """Deterministic canonical rows; counts vary with every key so changes are detectable."""
    months = months or [date(2018, 1, 1), date(2018, 2, 1)]
    codes = codes or [101, 147, 751]
    rows = []
    for m in months:
        for c in codes:
            for gi, g in enumerate(groups):
                for si, sex in enumerate(genders):
                    base = (c * 7 + m.month * 13 + gi * 5 + si * 3 + seed) % 97
                    p0, p1, p6 = base % 11 + 1, base + 1000, base % 7 + 2
                    rows.append(
                        {
                            "month": m,
                            "municipality_code": c,
                            "benefit_group": g,
                            "gender": sex,
                            "age_group": reference.TOTAL,
                            "origin": reference.TOTAL,
                            "persons": p0 + p1 + p6,
                            "persons_0": p0,
                            "persons_1_5": p1,
                            "persons_6plus": p6,
                            "job_searches": 2 * p1 + 10 * p6,
                        }
                    )
    return schema.conform(pl.DataFrame(rows))


def write_dataset(data_dir: Path, frame: pl.DataFrame | None = None, kind: str = "real") -> store.Manifest:
    return store.write_version(
        frame if frame is not None else make_frame(), kind=kind, source=f"test {kind}", data_dir=data_dir
    )


def tree_checksum(data_dir: Path) -> str:
    """sha256 over every visible file (path and bytes) under data_dir/joblog, excluding the lock file."""
    digest = hashlib.sha256()
    root = data_dir / "joblog"
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.name != ".import.lock"):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def csv_bytes(rows: list[list[str]], header: list[str] | None = None, encoding: str = "utf-8-sig") -> bytes:
    lines = [";".join(header or HEADER), *(";".join(r) for r in rows)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def row(
    area: str = "København",
    period: str = "2018M01",
    group: str = "Jobparate kontanthjælpsmodtagere",
    counts: tuple[str, ...] = ("1.234", "200", "1.000", "34", "2.500"),
) -> list[str]:
    return [area, period, group, *counts]


def make_big_frame(n_months: int) -> pl.DataFrame:
    """All municipalities × 3 groups × gender × age × origin for n_months (14,700 rows a month), fast."""
    months = pl.DataFrame({"month": [date(2016 + i // 12, i % 12 + 1, 1) for i in range(n_months)]})
    parts = [
        months,
        pl.DataFrame({"municipality_code": reference.municipalities()["code"]}),
        pl.DataFrame({"benefit_group": ["kontanthjaelp", "uddannelseshjaelp", "dagpenge"]}),
        pl.DataFrame({"gender": list(reference.GENDERS)}),
        pl.DataFrame({"age_group": list(reference.AGE_GROUPS)}),
        pl.DataFrame({"origin": list(reference.ORIGINS)}),
    ]
    frame = parts[0]
    for part in parts[1:]:
        frame = frame.join(part, how="cross")
    seed = pl.struct(frame.columns).hash(7)
    frame = frame.with_columns(
        (seed % 9).alias("persons_0"), (seed % 31).alias("persons_1_5"), (seed % 5).alias("persons_6plus")
    )
    return schema.conform(
        frame.with_columns(
            (pl.col("persons_0") + pl.col("persons_1_5") + pl.col("persons_6plus")).alias("persons"),
            (2 * pl.col("persons_1_5") + 7 * pl.col("persons_6plus")).alias("job_searches"),
        )
    )


# --- Jobindsats API answers (documented formats: v3 JSON/CSV; see docs/IMPORT.md) ---------------------------

V3_HEADER = ["Area", "Periode", "Ydelsesgruppe", *MEASURE_HEADERS]
GROUP_LABEL = {
    "kontanthjaelp": "Jobparate kontanthjælpsmodtagere",
    "uddannelseshjaelp": "Åbenlyst uddannelsesparate uddannelseshjælpsmodtagere",
    "dagpenge": "A-dagpenge mv.",
    "uddannelsesparate": "Uddannelsesparate kontanthjælpsmodtagere under 30",  # from July 2025
}


def api_rows(frame: pl.DataFrame) -> list[list[object]]:
    """Rows of a Jobindsats answer for a canonical frame (totals only), newest period first (unsorted)."""
    rows = []
    for r in frame.sort("month", descending=True).iter_rows(named=True):
        rows.append(
            [
                reference.municipality_name(r["municipality_code"]),
                r["month"].strftime("%YM%m"),
                GROUP_LABEL[r["benefit_group"]],
                *(r[m] for m in schema.COUNT_COLUMNS),
            ]
        )
    return rows


def v3_json(rows: list[list[object]], header: list[str] | None = None) -> bytes:
    """API v3 answer: {"columns": [...], "rows": [[...]]}, numbers as JSON numbers, None as null."""
    import json

    return json.dumps({"columns": header or V3_HEADER, "rows": rows}, ensure_ascii=False).encode()


def v3_csv(rows: list[list[object]], header: list[str] | None = None) -> bytes:
    """API CSV: UTF-8, ';', no thousands separator, decimal comma, missing cells empty."""

    def cell(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            return str(value).replace(".", ",")
        return str(value)

    lines = [";".join(header or V3_HEADER), *(";".join(cell(v) for v in r) for r in rows)]
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- Layouts for the mapping step (our own invention, like a STAR benchmark sheet) --------------------------

WIDE_MEASURES = [
    "Antal personer",
    "Andel uden jobsøgning (pct.)",
    "Andel med 1-5 jobsøgninger (pct.)",
    "Andel med 6 eller flere jobsøgninger (pct.)",
]
# Kommune, measure, January 2024, February 2024. Counts derived by hand in test_import_mapping.py.
WIDE_ROWS = [
    ["København", WIDE_MEASURES[0], "1000", "1010"],
    ["København", WIDE_MEASURES[1], "12,5", "12,3"],
    ["København", WIDE_MEASURES[2], "80,0", "80,2"],
    ["København", WIDE_MEASURES[3], "7,5", "7,5"],
    ["Odense", WIDE_MEASURES[0], "333", "340"],
    ["Odense", WIDE_MEASURES[1], "10,0", ".."],
    ["Odense", WIDE_MEASURES[2], "60,0", "60"],
    ["Odense", WIDE_MEASURES[3], "30,0", "30"],
]


def wide_xlsx(path: Path, months_as_dates: bool = True) -> Path:
    """A benchmark-like sheet: a title and a blank row above the header, months across the columns."""
    from datetime import datetime

    import xlsxwriter

    with xlsxwriter.Workbook(path) as workbook:
        sheet = workbook.add_worksheet("Benchmark")
        sheet.write(0, 0, "Joblog-benchmark, jobparate kontanthjælpsmodtagere")
        date_format = workbook.add_format({"num_format": "mmm yyyy"})
        sheet.write_row(2, 0, ["Kommune", "Nøgletal"])
        for i, month in enumerate((1, 2)):
            if months_as_dates:
                sheet.write_datetime(2, 2 + i, datetime(2024, month, 1), date_format)
            else:
                sheet.write(2, 2 + i, f"2024M{month:02d}")
        for r, values in enumerate(WIDE_ROWS, start=3):
            sheet.write_row(r, 0, values[:2])
            for c, text in enumerate(values[2:], start=2):
                # Numbers as Excel numbers where they are numbers, '..' stays text.
                number = text.replace(",", ".")
                if number.replace(".", "").isdigit():
                    sheet.write_number(r, c, float(number))
                else:
                    sheet.write(r, c, text)
    return path
