"""Every text the user sees, in one place (Danish), so that another language can follow.

Pages and chart builders take their labels from here with `t("key", **values)`.
"""

from __future__ import annotations

DA: dict[str, str] = {
    # App and navigation
    "app_title": "Joblog i kommunerne",
    "nav_overview": "Overblik",
    "nav_municipalities": "Kommuner",
    "nav_profile": "Kommuneprofil",
    "nav_groups": "Ydelsesgrupper",
    "nav_followup": "Opfølgning",
    "nav_about": "Om tallene",
    # Filters
    "filters": "Filtre",
    "filter_month": "Måned",
    "filter_from": "Fra måned",
    "filter_area": "Område",
    "filter_group": "Ydelsesgruppe",
    "filter_municipality": "Kommune",
    "notice_bad_param": "Ugyldig værdi i linket for {name}: »{value}«. Viser i stedet {fallback}.",
    # Data notices
    "demo_notice": (
        "**Demodata:** syntetiske tal, kalibreret til de offentliggjorte landstal — ikke rigtige kommunetal."
    ),
    "real_notice": "Kilde: {source} · importeret {imported} · {first} – {last}.",
    "dataset_missing": "Der er ingen data at vise endnu.",
    # Measures
    "measure_joblogged": "Andel med registreret jobsøgning",
    "measure_none": "Andel uden registreret jobsøgning",
    "measure_6plus": "Andel med 6 eller flere jobsøgninger",
    "persons": "Personer",
    "persons_0": "Ingen jobsøgning (0)",
    "persons_1_5": "1–5 jobsøgninger",
    "persons_6plus": "6+ jobsøgninger",
    "suppressed": "for få personer",
    "national": "Hele landet",
}


def t(key: str, **values: object) -> str:
    """The Danish text for `key`, with `{placeholders}` filled from `values`."""
    text = DA[key]
    return text.format(**values) if values else text
