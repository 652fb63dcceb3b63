"""The table behind each export kind, built from the query layer, so the CLI and the pages export the same.

Kinds: trend (monthly totals and shares for an area and group), municipalities (the snapshot of every
municipality in the area), funnel (share, control limits and verdict per municipality) and profile (one
municipality against its region, the country and its peers, per benefit group). Danish column names;
`ExportMeta.kinds` says which columns are shares, counts, changes. Shares of 1–4 persons are suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from joblog_dash.analysis import privacy, standardise, stats
from joblog_dash.data import queries, reference, store, warehouse
from joblog_dash.exporting.files import ExportMeta
from joblog_dash.text import fmt
from joblog_dash.text.safety import neutralise_formulas
from joblog_dash.text.strings import t

KINDS = ("trend", "municipalities", "funnel", "profile")
FUNNEL_MEASURES = {"joblogged": "persons_joblogged", "none": "persons_0", "6plus": "persons_6plus"}
FUNNEL_CSV_COLUMNS = (
    "municipality_code", "municipality", "persons", "share", "lower_95", "upper_95",
    "lower_998", "upper_998", "z", "verdict",
)  # fmt: skip
PEER_COUNT = 5


class ExportArgumentError(ValueError):
    """A month, group, area or municipality the dataset does not know (message in Danish)."""


@dataclass(frozen=True)
class Selection:
    """What an export is about: the page filters, validated against the dataset."""

    month: date
    group: str
    area: str = reference.NATIONAL
    municipality: int | None = None
    measure: str = "joblogged"
    overdispersion: bool = True


def validate(
    db: warehouse.JoblogDB,
    month: str | None,
    group: str | None,
    area: str | None = None,
    municipality: str | None = None,
    measure: str = "joblogged",
    overdispersion: bool = True,
) -> Selection:
    """Parse command-line style values; ExportArgumentError with a helpful Danish message if one is unknown."""
    months = queries.months(db)
    if month is None:
        parsed = months[-1]
    else:
        parsed = fmt.parse_month_key(month)
        if parsed not in months:
            raise ExportArgumentError(
                f"Ukendt måned »{month}«. Datasættet dækker {fmt.month_key(months[0])} – "
                f"{fmt.month_key(months[-1])} (skriv ÅÅÅÅ-MM)."
            )
    groups = queries.benefit_groups(db)
    group = group or ("kontanthjaelp" if "kontanthjaelp" in groups else groups[0])
    if group not in groups:
        raise ExportArgumentError(f"Ukendt ydelsesgruppe »{group}«. Mulige: {', '.join(groups)}.")
    area = area or reference.NATIONAL
    if reference.area_by_key(area) is None:
        keys = ", ".join(a.key for a in reference.areas())
        raise ExportArgumentError(f"Ukendt område »{area}«. Mulige: {keys}.")
    code = None
    if municipality is not None:
        code = reference.resolve_municipality(municipality)
        if code is None:
            hint = reference.suggest_municipality(municipality)
            raise ExportArgumentError(
                f"Ukendt kommune »{municipality}«." + (f" Mente du {hint}?" if hint else "")
            )
    if measure not in FUNNEL_MEASURES:
        raise ExportArgumentError(f"Ukendt mål »{measure}«. Mulige: {', '.join(FUNNEL_MEASURES)}.")
    return Selection(parsed, group, area, code, measure, overdispersion)


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


def trend_table(db: warehouse.JoblogDB, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    """Every month up to the chosen one for the area and group."""
    rows = queries.trend(db, area=sel.area, groups=[sel.group]).filter(pl.col("month") <= sel.month)
    frame = rows.select(
        pl.col("month").alias("Måned"),
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
    return frame, _meta(db, title, filters, kinds, f"joblog-udvikling-{sel.area}-{fmt.month_key(sel.month)}")


# --- Municipalities ------------------------------------------------------------------------------------------


def municipalities_table(db: warehouse.JoblogDB, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    """One row per municipality of the area in the month, suppressed like the page shows it."""
    snap = queries.snapshot(db, sel.month, sel.group, sel.area)
    share_cols = ["share_joblogged", "share_none", "share_6plus", "searches_per_person"]
    snap = privacy.suppress(snap, share_cols + ["share_joblogged_prev_month", "share_joblogged_year_ago"])
    snap = snap.with_columns(
        (pl.col("share_joblogged") - pl.col("share_joblogged_year_ago")).alias("change_year"),
        pl.when(pl.col("suppressed")).then(pl.lit(t("suppressed"))).otherwise(pl.lit("")).alias("note"),
    )
    change_label = "Ændring på et år (pct.-point)"
    frame = snap.select(
        pl.col("municipality_code").alias("Kode"),
        pl.col("name").alias("Kommune"),
        pl.col("region").alias("Region"),
        *[pl.col(c).alias(label) for c, label in COUNT_COLUMNS.items()],
        *[pl.col(c).alias(label) for c, label in MEASURE_COLUMNS.items()],
        pl.col("change_year").alias(change_label),
        pl.col("note").alias("Bemærkning"),
    )
    kinds = {label: "share" for label in MEASURE_COLUMNS.values()} | {change_label: "pp", "Kode": "text"}
    frame = frame.with_columns(pl.col("Kode").cast(pl.String).str.zfill(3))
    title = f"{reference.group_label(sel.group)} i kommunerne, {fmt.month_long(sel.month)}"
    filters = [
        ("Måned", fmt.month_short(sel.month)),
        ("Ydelsesgruppe", reference.group_label(sel.group)),
        ("Område", _area_label(sel.area)),
    ]
    return frame, _meta(db, title, filters, kinds, f"joblog-kommuner-{sel.group}-{fmt.month_key(sel.month)}")


# --- Funnel ----------------------------------------------------------------------------------------------------


def funnel_frame(db: warehouse.JoblogDB, sel: Selection) -> pl.DataFrame:
    """Machine columns (FUNNEL_CSV_COLUMNS plus outside_998, suppressed): stats.funnel over the area.

    The target is the area's pooled share (ratio of sums). Municipalities with 1–4 persons take part in the
    limits' estimation but their share, z and verdict are suppressed.
    """
    snap = queries.snapshot(db, sel.month, sel.group, sel.area).filter(pl.col("persons") > 0)
    if snap.is_empty():
        raise ExportArgumentError(f"Ingen data for {sel.group} i {fmt.month_key(sel.month)}.")
    snap = snap.with_columns((pl.col("persons") - pl.col("persons_0")).alias("persons_joblogged"))
    successes = snap[FUNNEL_MEASURES[sel.measure]].to_numpy()
    result = stats.funnel(
        snap["persons"].to_numpy(),
        successes,
        overdispersion=sel.overdispersion,
        units=snap["municipality_code"],
    )
    table = result.table.with_columns(
        municipality_code=snap["municipality_code"], municipality=snap["name"], persons=snap["persons"]
    )
    hidden = privacy.suppression_mask(table["persons"])
    table = table.with_columns(
        [pl.when(hidden).then(None).otherwise(pl.col(c)).alias(c) for c in ("share", "z", "verdict")]
        + [hidden.alias("suppressed")]
    )
    return table.select(*FUNNEL_CSV_COLUMNS, "outside_998", "suppressed").with_columns(
        target=pl.lit(result.target), tau2=pl.lit(result.tau2)
    )


def funnel_machine_csv(db: warehouse.JoblogDB, sel: Selection) -> bytes:
    """Issue 4's machine-readable funnel: plain UTF-8 (no BOM), ',' separated, dot decimals, fractions."""
    frame = funnel_frame(db, sel).select(FUNNEL_CSV_COLUMNS)
    return neutralise_formulas(frame).write_csv(float_precision=6).encode("utf-8")


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


def peer_codes(db: warehouse.JoblogDB, code: int, month: date, k: int = PEER_COUNT) -> list[int]:
    """The k most similar municipalities (stats.peers on size and group sizes per inhabitant)."""
    from joblog_dash.views import profile

    features = profile.peer_features(queries.group_sizes(db, month), reference.municipalities())
    found = stats.peers(features, k=k)
    return found.filter(pl.col("code") == code).sort("rank")["peer_code"].to_list()


def _pooled(rows: pl.DataFrame) -> dict[str, float | None]:
    persons = int(rows["persons"].sum()) if rows.height else 0
    if persons == 0:
        return {"share_joblogged": None, "share_none": None, "share_6plus": None}
    none, six = int(rows["persons_0"].sum()), int(rows["persons_6plus"].sum())
    return {
        "share_joblogged": (persons - none) / persons,
        "share_none": none / persons,
        "share_6plus": six / persons,
    }


def profile_frame(
    db: warehouse.JoblogDB, code: int, month: date, peers: list[int] | None = None
) -> pl.DataFrame:
    """Per benefit group: the municipality's counts and shares and the region's, country's and peers' shares.

    Columns: benefit_group, persons, persons_0, persons_1_5, persons_6plus, share_joblogged, share_none,
    share_6plus, region_share, nation_share, peers_share, suppressed (the municipality's shares hidden).
    """
    peers = peer_codes(db, code, month) if peers is None else peers
    region = reference.area_of_municipality(code, "region")
    rows = []
    for group in queries.benefit_groups(db):
        snap = queries.snapshot(db, month, group)
        own = snap.filter(pl.col("municipality_code") == code)
        persons = int(own["persons"][0]) if own.height else 0
        shares = _pooled(own)
        hidden = 0 < persons < privacy.MIN_PERSONS
        rows.append(
            {
                "benefit_group": group,
                "persons": persons,
                "persons_0": int(own["persons_0"][0]) if own.height else 0,
                "persons_1_5": int(own["persons_1_5"][0]) if own.height else 0,
                "persons_6plus": int(own["persons_6plus"][0]) if own.height else 0,
                **{k: (None if hidden else v) for k, v in shares.items()},
                "region_share": _pooled(snap.filter(pl.col("region") == region.label))["share_joblogged"],
                "nation_share": _pooled(snap)["share_joblogged"],
                "peers_share": _pooled(snap.filter(pl.col("municipality_code").is_in(peers)))[
                    "share_joblogged"
                ],
                "suppressed": hidden,
            }
        )
    return pl.DataFrame(rows, schema_overrides={"share_joblogged": pl.Float64, "share_none": pl.Float64,
                                                "share_6plus": pl.Float64, "region_share": pl.Float64,
                                                "peers_share": pl.Float64, "nation_share": pl.Float64})  # fmt: skip


def profile_table(db: warehouse.JoblogDB, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    if sel.municipality is None:
        raise ExportArgumentError("Profilen kræver en kommune (--kommune).")
    name = reference.municipality_name(sel.municipality)
    region = reference.area_of_municipality(sel.municipality, "region").label
    raw = profile_frame(db, sel.municipality, sel.month)
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
        (pl.col("share_joblogged") - pl.col("nation_share")).alias("Forskel til landet (pct.-point)"),
        pl.when(pl.col("suppressed")).then(pl.lit(t("suppressed"))).otherwise(pl.lit("")).alias("Bemærkning"),
    )
    kinds = {c: "share" for c in frame.columns if c.endswith("(pct.)")} | {
        "Forskel til landet (pct.-point)": "pp"
    }
    title = f"{name}: {t('measure_joblogged').lower()}, {fmt.month_long(sel.month)}"
    filters = [("Kommune", name), ("Måned", fmt.month_short(sel.month))]
    slug = reference.slugify(name)
    return frame, _meta(db, title, filters, kinds, f"joblog-profil-{slug}-{fmt.month_key(sel.month)}")


BUILDERS = {
    "trend": trend_table,
    "municipalities": municipalities_table,
    "funnel": funnel_table,
    "profile": profile_table,
}


def build(db: warehouse.JoblogDB, kind: str, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    if kind not in BUILDERS:
        raise ExportArgumentError(f"Ukendt eksport »{kind}«. Mulige: {', '.join(KINDS)}.")
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
    """Indirect standardisation of the selection's measure, national rates, the area's municipalities."""
    cells = queries.standardise_cells(db, sel.month, sel.group)
    area = reference.area_by_key(sel.area)
    codes = None if area is None or area.column is None else reference.municipality_codes_in(area)
    try:
        return standardise.standardise(cells, sel.measure, sel.overdispersion, area_codes=codes)
    except ValueError as exc:
        raise ExportArgumentError(f"Ingen data for {sel.group} i {fmt.month_key(sel.month)}.") from exc


def expected_frame(db: warehouse.JoblogDB, sel: Selection) -> pl.DataFrame:
    """EXPECTED_CSV_COLUMNS for municipalities with persons; suppressed ones (privacy) keep only their
    code, name and persons, like the funnel export."""
    table = expected_result(db, sel).table.filter(pl.col("persons") > 0)
    return table.select(
        pl.col("code").alias("municipality_code"), pl.col("name").alias("municipality"), "persons",
        "observed", "expected", "ratio", "lower_95", "upper_95", "lower_998", "upper_998", "verdict",
    )  # fmt: skip


def expected_machine_csv(db: warehouse.JoblogDB, sel: Selection) -> bytes:
    """Plain UTF-8 (no BOM), ',' separated, dot decimals; ratio and limits as plain decimals (1 = expected)."""
    return neutralise_formulas(expected_frame(db, sel)).write_csv(float_precision=6).encode("utf-8")


def expected_table(db: warehouse.JoblogDB, sel: Selection) -> tuple[pl.DataFrame, ExportMeta]:
    """The same figures for Danish Excel: shares in percent, the difference in pct.-point."""
    result = expected_result(db, sel)
    table = result.table.filter(pl.col("persons") > 0)
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
