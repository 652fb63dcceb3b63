"""The table behind each export kind, rendered from the views, so the CLI and the pages export the same.

Kinds: trend (monthly totals and shares for an area and group), municipalities (the snapshot of every
municipality in the area), funnel (views.parts.funnel: share, limits and verdict per municipality) and
profile (views.profile: one municipality against its region, the country and its peers, per benefit group,
with its follow-up status). Danish column names; `ExportMeta.kinds` says which columns are shares, counts,
changes. Every frame is published (analysis.privacy) before it is written.

The pages offer these tables for download on every rerun, so each builder is a view like any other: cached
per dataset version and the selection fields it reads (views.cache), shared by every session and the CLI.
Callers never mutate the (frame, meta) they get.
"""

from __future__ import annotations

import polars as pl

from joblog_dash.analysis import privacy, standardise
from joblog_dash.charts import trend as trend_charts
from joblog_dash.data import reference, store, warehouse
from joblog_dash.exporting.files import ExportMeta
from joblog_dash.text import fmt
from joblog_dash.text.safety import neutralise_formulas
from joblog_dash.text.strings import t
from joblog_dash.views import parts, profile, spread
from joblog_dash.views.cache import cached
from joblog_dash.views.profile import ProfileView
from joblog_dash.views.selection import Selection, SelectionError

KINDS = ("trend", "municipalities", "funnel", "profile")
FUNNEL_CSV_COLUMNS = (
    "municipality_code", "municipality", "persons", "share", "lower_95", "upper_95",
    "lower_998", "upper_998", "z", "verdict",
)  # fmt: skip


def source_text(manifest: store.Manifest) -> str:
    if manifest.is_demo:
        return "Demodata (syntetiske tal), Joblog-dashboard"
    return f"{manifest.source} (importeret {manifest.created_at[:10]})"


def _meta(db: warehouse.JoblogDB, title: str, filters: list[tuple[str, str]], kinds: dict[str, str],
          filename: str) -> ExportMeta:  # fmt: skip
    return ExportMeta(
        title=title,
        filters=tuple(filters),
        source=source_text(db.manifest),
        is_demo=db.manifest.is_demo,
        kinds=kinds,
        filename=filename + ("-demodata" if db.manifest.is_demo else ""),
    )


def _area_label(area: str) -> str:
    found = reference.area_by_key(area)
    return found.label if found else area


MEASURE_COLUMNS = {
    "share_joblogged": t("measure_joblogged") + " (pct.)",
    "share_none": t("measure_none") + " (pct.)",
    "share_6plus": t("measure_6plus") + " (pct.)",
}
COUNT_COLUMNS = {
    "persons": t("persons"),
    "persons_0": t("persons_0"),
    "persons_1_5": t("persons_1_5"),
    "persons_6plus": t("persons_6plus"),
}


# --- Trend -------------------------------------------------------------------------------------------------


@cached("month", "group", "area")
def trend_table(db: warehouse.JoblogDB, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    """Every month up to the chosen one for the area and group."""
    # THE area trend (views.parts, published row by row, so filtering after publishing is the same).
    # A series continued under another group across a break (uddannelseshjælp -> uddannelsesparate
    # kontanthjælp under 30, July 2025) is exported whole, each month under the group it had then.
    series = [sel.group, *filter(None, [reference.continuing_group(sel.group)])]
    rows = (
        parts.area_trend(db, sel)
        .filter(pl.col("benefit_group").is_in(series) & (pl.col("month") <= sel.month))
        .sort("month")
    )
    breaks = reference.breaks_within(series, rows["month"].min(), sel.month) if rows.height else []
    frame = rows.select(
        pl.col("month").alias("Måned"),
        *([pl.col("benefit_group").replace_strict(_labels(series)).alias("Ydelsesgruppe")] if breaks else []),
        *[pl.col(c).alias(label) for c, label in COUNT_COLUMNS.items()],
        *[pl.col(c).alias(label) for c, label in MEASURE_COLUMNS.items()],
    )
    kinds = {"Måned": "month"} | {label: "share" for label in MEASURE_COLUMNS.values()}
    title = f"{reference.group_label(sel.group)}: udvikling i {_area_label(sel.area)}"
    filters = [
        ("Ydelsesgruppe", reference.group_label(sel.group)),
        ("Område", _area_label(sel.area)),
        ("Til og med", fmt.month_short(sel.month)),
    ]
    if breaks:
        filters.append(("Bemærkning", trend_charts.break_note(breaks) or ""))
    return frame, _meta(db, title, filters, kinds, f"joblog-udvikling-{sel.area}-{fmt.month_key(sel.month)}")


def _labels(groups: list[str]) -> dict[str, str]:
    return {g: reference.group_label(g) for g in groups}


# --- Municipalities ------------------------------------------------------------------------------------------


@cached("month", "group", "area", "basis")  # what views.spread.build reads
def municipalities_table(db: warehouse.JoblogDB, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    """One row per municipality of the area in the month: Kommuner's published snapshot (views.spread), with
    the expected and the adjusted share when the page ranks by the adjusted one."""
    view = spread.build(db, sel)
    snap = view.shown.with_columns(
        (pl.col("share_joblogged") - pl.col("share_joblogged_year_ago")).alias("change_year"),
        pl.when(pl.col("suppressed")).then(pl.lit(t("suppressed"))).otherwise(pl.lit("")).alias("note"),
    )
    change_label = "Ændring på et år (pct.-point)"
    # THE rank (views.spread: the same number out of the same N as the page), and where only a bound of the
    # share is published, the bound beside the empty share: "mindst" / "højst" and its value.
    words = {privacy.AT_LEAST: t("bound_word_min"), privacy.AT_MOST: t("bound_word_max")}
    bounded = pl.col("bound").is_not_null() & pl.col("share_joblogged").is_null()
    bound_label, bound_value = t("col_bound"), t("export_col_bound_value")
    frame = snap.select(
        pl.col("municipality_code").alias("Kode"),
        pl.col("name").alias("Kommune"),
        pl.col("region").alias("Region"),
        pl.col("rank").alias(t("col_rank")),
        pl.col("ranked").alias(t("export_col_ranked")),
        pl.col("rank_lower").alias(t("col_rank_from")),
        pl.col("rank_upper").alias(t("col_rank_to")),
        *[pl.col(c).alias(label) for c, label in COUNT_COLUMNS.items()],
        *[pl.col(c).alias(label) for c, label in MEASURE_COLUMNS.items()],
        pl.when(bounded).then(pl.col("bound").replace_strict(words, default=None)).alias(bound_label),
        pl.when(bounded).then(privacy.bound_end()).alias(bound_value),
        *[pl.col(c).alias(label) for c, label in _adjusted_columns(view).items()],
        pl.col("change_year").alias(change_label),
        pl.col("note").alias("Bemærkning"),
    )
    shares = [*MEASURE_COLUMNS.values(), *_adjusted_columns(view).values(), bound_value]
    kinds = {label: "share" for label in shares} | {change_label: "pp", "Kode": "text", bound_label: "text"}
    frame = frame.with_columns(pl.col("Kode").cast(pl.String).str.zfill(3))
    title = f"{reference.group_label(sel.group)} i kommunerne, {fmt.month_long(sel.month)}"
    filters = [
        ("Måned", fmt.month_short(sel.month)),
        ("Ydelsesgruppe", reference.group_label(sel.group)),
        ("Område", _area_label(sel.area)),
    ]
    if view.value == spread.ADJUSTED:
        filters.append((t("std_basis"), t("std_basis_adjusted")))
    return frame, _meta(db, title, filters, kinds, f"joblog-kommuner-{sel.group}-{fmt.month_key(sel.month)}")


def _adjusted_columns(view: spread.SpreadView) -> dict[str, str]:
    if view.value != spread.ADJUSTED:
        return {}
    return {
        "expected_share": t("std_expected_share") + " (pct.)",
        spread.ADJUSTED: t("col_share_adjusted") + " (pct.)",
    }


# --- Funnel ----------------------------------------------------------------------------------------------------


def funnel_frame(db: warehouse.JoblogDB, sel: Selection) -> pl.DataFrame:
    """Machine columns (FUNNEL_CSV_COLUMNS plus outside_998, suppressed) of THE funnel (views.parts.funnel:
    the target is the country's unless the selection asks for the area's, as on the page), published."""
    try:
        data = parts.funnel(db, sel)
    except ValueError as exc:
        raise SelectionError(f"Ingen data for {sel.group} i {fmt.month_key(sel.month)}.") from exc
    table = privacy.publish(data.table, keep=("code", "name", "region"), total_shown=False)
    table = table.filter(pl.col("persons").is_null() | (pl.col("persons") > 0)).rename(
        {"code": "municipality_code", "name": "municipality"}
    )
    return table.select(*FUNNEL_CSV_COLUMNS, "outside_998", "suppressed").with_columns(
        target=pl.lit(data.result.target), tau2=pl.lit(data.result.tau2)
    )


def funnel_machine_csv(db: warehouse.JoblogDB, sel: Selection) -> bytes:
    """Issue 4's machine-readable funnel: plain UTF-8 (no BOM), ',' separated, dot decimals, fractions."""
    frame = funnel_frame(db, sel).select(FUNNEL_CSV_COLUMNS)
    return neutralise_formulas(frame).write_csv(float_precision=6).encode("utf-8")


@cached(*parts.FUNNEL_FIELDS)  # what THE funnel reads
def funnel_table(db: warehouse.JoblogDB, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    table = funnel_frame(db, sel)
    measure_label = {"joblogged": "measure_joblogged", "none": "measure_none", "6plus": "measure_6plus"}
    label = t(measure_label[sel.measure])
    frame = table.select(
        pl.col("municipality_code").cast(pl.String).str.zfill(3).alias("Kode"),
        pl.col("municipality").alias("Kommune"),
        pl.col("persons").alias(t("persons")),
        pl.col("share").alias(f"{label} (pct.)"),
        pl.col("lower_95").alias("Nedre 95 %-grænse (pct.)"),
        pl.col("upper_95").alias("Øvre 95 %-grænse (pct.)"),
        pl.col("lower_998").alias("Nedre 99,8 %-grænse (pct.)"),
        pl.col("upper_998").alias("Øvre 99,8 %-grænse (pct.)"),
        pl.col("z").alias("z-værdi"),
        pl.col("verdict").alias("Vurdering"),
    )
    kinds = {c: "share" for c in frame.columns if c.endswith("(pct.)")} | {
        "z-værdi": "number",
        "Kode": "text",
    }
    title = f"Tragtdiagram: {label.lower()}, {reference.group_label(sel.group)}, {fmt.month_long(sel.month)}"
    filters = [
        ("Måned", fmt.month_short(sel.month)),
        ("Ydelsesgruppe", reference.group_label(sel.group)),
        ("Område", _area_label(sel.area)),
        ("Overspredning", "med" if sel.overdispersion else "uden"),
    ]
    return frame, _meta(db, title, filters, kinds, f"joblog-tragt-{sel.group}-{fmt.month_key(sel.month)}")


# --- Profile -------------------------------------------------------------------------------------------------------


@cached("municipality", "month", "group")
def profile_table(db: warehouse.JoblogDB, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    view = profile.build(db, sel)
    name, region, raw = view.name, view.region.label, view.table
    status = _status_columns(view)
    frame = raw.select(
        # replace_strict with a dict, not map_elements: a Python UDF runs on a polars pool thread that must
        # take the GIL, which deadlocked the whole server under load (docs/PERFORMANCE.md, "Load").
        pl.col("benefit_group")
        .replace_strict(
            {g: reference.group_label(g) for g in raw["benefit_group"].unique()}, return_dtype=pl.String
        )
        .alias("Ydelsesgruppe"),
        *[pl.col(c).alias(label) for c, label in COUNT_COLUMNS.items()],
        pl.col("share_joblogged").alias(f"{name} (pct.)"),
        pl.col("region_share").alias(f"{region} (pct.)"),
        pl.col("nation_share").alias("Hele landet (pct.)"),
        pl.col("peers_share").alias("Sammenlignelige kommuner (pct.)"),
        pl.col("searches_per_person").alias(t("export_col_searches")),
        (pl.col("share_joblogged") - pl.col("nation_share")).alias("Forskel til landet (pct.-point)"),
        pl.when(pl.col("suppressed")).then(pl.lit(t("suppressed"))).otherwise(pl.lit("")).alias("Bemærkning"),
        *[expr.alias(name) for name, expr in status.items()],
    )
    kinds = {c: "share" for c in frame.columns if c.endswith("(pct.)")} | {
        "Forskel til landet (pct.-point)": "pp",
        t("export_col_searches"): "number",
    }
    title = f"{name}: {t('measure_joblogged').lower()}, {fmt.month_long(sel.month)}"
    filters = [("Kommune", name), ("Måned", fmt.month_short(sel.month))]
    slug = reference.slugify(name)
    return frame, _meta(db, title, filters, kinds, f"joblog-profil-{slug}-{fmt.month_key(sel.month)}")


def _status_columns(view: ProfileView) -> dict[str, pl.Expr]:
    """The follow-up status (the chosen group's row only; the page shows it for that group)."""
    status = view.status
    letter = status.letter
    values = {
        t("export_col_funnel"): status.verdict or "",
        t("export_col_signal"): status.signal_text or "",
        t("export_col_letter"): (letter["moved"] if letter else "") or "",
    }
    chosen = pl.col("benefit_group") == view.group
    return {k: pl.when(chosen).then(pl.lit(v)).otherwise(pl.lit("")) for k, v in values.items()}


def shown_meta(db: warehouse.JoblogDB, sel: Selection, title: str, name: str) -> ExportMeta:
    """The file header of a table or chart exactly as a page shows it: its title, the filters it was drawn
    for, the source and the demo status."""
    filters = [
        ("Måned", fmt.month_short(sel.month)),
        ("Ydelsesgruppe", reference.group_label(sel.group)),
        ("Område", _area_label(sel.area)),
    ]
    stem = f"joblog-{name}-{sel.group}-{sel.area}-{fmt.month_key(sel.month)}"
    return _meta(db, title, filters, {}, stem)


BUILDERS = {
    "trend": trend_table,
    "municipalities": municipalities_table,
    "funnel": funnel_table,
    "profile": profile_table,
}


def build(db: warehouse.JoblogDB, kind: str, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    if kind not in BUILDERS:
        raise SelectionError(f"Ukendt eksport »{kind}«. Mulige: {', '.join(KINDS)}.")
    return BUILDERS[kind](db, sel)


# --- Expected versus actual (issue 14) ------------------------------------------------------------------------
# `export expected`: analysis.standardise over the dataset's breakdowns; default machine CSV, also as Danish
# CSV/XLSX. Registers itself in KINDS, BUILDERS and MACHINE_CSV at the end of this block.

EXPECTED_CSV_COLUMNS = (
    "municipality_code", "municipality", "persons", "observed", "expected", "ratio",
    "lower_95", "upper_95", "lower_998", "upper_998", "verdict",
)  # fmt: skip
LIMIT_COLUMNS = ("lower_95", "upper_95", "lower_998", "upper_998")


def expected_result(db: warehouse.JoblogDB, sel: Selection) -> standardise.Standardised:
    """THE expected-versus-actual figures (views.parts.expected), published."""
    try:
        return parts.expected(db, sel)
    except ValueError as exc:
        raise SelectionError(f"Ingen data for {sel.group} i {fmt.month_key(sel.month)}.") from exc


def expected_frame(db: warehouse.JoblogDB, sel: Selection) -> pl.DataFrame:
    """EXPECTED_CSV_COLUMNS for municipalities with persons; suppressed ones (privacy) keep only their
    code, name and persons, like the funnel export."""
    table = expected_result(db, sel).table.filter(pl.col("persons").is_null() | (pl.col("persons") > 0))
    return table.select(
        pl.col("code").alias("municipality_code"), pl.col("name").alias("municipality"), "persons",
        "observed", "expected", "ratio", "lower_95", "upper_95", "lower_998", "upper_998", "verdict",
    )  # fmt: skip


def expected_machine_csv(db: warehouse.JoblogDB, sel: Selection) -> bytes:
    """Plain UTF-8 (no BOM), ',' separated, dot decimals; ratio and limits as plain decimals (1 = expected)."""
    return neutralise_formulas(expected_frame(db, sel)).write_csv(float_precision=6).encode("utf-8")


@cached("month", "group", "area", "measure", "overdispersion")
def expected_table(db: warehouse.JoblogDB, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    """The same figures for Danish Excel: shares in percent, the difference in pct.-point."""
    result = expected_result(db, sel)
    table = result.table.filter(pl.col("persons").is_null() | (pl.col("persons") > 0))
    label = t(f"measure_{sel.measure}")
    limits = [f"{side} {level} %-grænse" for level in ("95", "99,8") for side in ("Nedre", "Øvre")]
    frame = table.select(
        pl.col("code").cast(pl.String).str.zfill(3).alias("Kode"),
        pl.col("name").alias("Kommune"),
        pl.col("persons").alias(t("persons")),
        pl.col("observed").alias("Faktisk antal"),
        pl.col("expected").alias("Forventet antal"),
        pl.col("share").alias(f"{label} (pct.)"),
        pl.col("expected_share").alias(f"{t('std_expected_share')} (pct.)"),
        pl.col("difference").alias("Forskel (pct.-point)"),
        pl.col("ratio").alias(t("std_ratio")),
        *[pl.col(c).alias(name) for c, name in zip(LIMIT_COLUMNS, limits, strict=True)],
        pl.col("verdict").alias("Vurdering"),
    )
    kinds = (
        {c: "share" for c in frame.columns if c.endswith("(pct.)")}
        | {c: "number" for c in [t("std_ratio"), *limits, "Forventet antal"]}
        | {"Forskel (pct.-point)": "pp", "Kode": "text"}
    )
    title = (
        f"Forventet i forhold til faktisk: {label.lower()}, {reference.group_label(sel.group)}, "
        f"{fmt.month_long(sel.month)}"
    )
    filters = [
        ("Måned", fmt.month_short(sel.month)),
        ("Ydelsesgruppe", reference.group_label(sel.group)),
        ("Område", _area_label(sel.area)),
        ("Justeret for", result.adjustment),
        ("Overspredning", "med" if sel.overdispersion else "uden"),
    ]
    return frame, _meta(db, title, filters, kinds, f"joblog-forventet-{sel.group}-{fmt.month_key(sel.month)}")


KINDS = (*KINDS, "expected")
BUILDERS["expected"] = expected_table
# The kinds with a machine-readable CSV (commands: the default format for these).
MACHINE_CSV = {"funnel": funnel_machine_csv, "expected": expected_machine_csv}
