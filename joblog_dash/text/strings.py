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
    "nav_presentation": "Præsentation",
    # The heavier pages show one section at a time (ui.layout.sections); the label is the URL's value
    "sections_others": "Andre afsnit: {others}.",
    "section_ranking": "Rangliste",
    "section_ranking_about": "kommunerne rangeret efter andelen og tabellen over dem alle",
    "section_fair": "Tragt og kort",
    "section_fair_about": "hvem der afviger mere end tilfældigt, i et tragtdiagram og på et kort",
    "section_regions": "Regioner",
    "section_regions_about": "kommunernes spredning inden for hver region",
    "section_key": "Nøgletal og udvikling",
    "section_key_about": "månedens nøgletal og udviklingen i alle ydelsesgrupper",
    "section_rank": "Placering og fordeling",
    "section_rank_about": "placeringen blandt kommunerne over tid og fordelingen på 0, 1–5 og 6+ jobsøgninger",
    "section_breakdowns": "Køn og alder",
    "section_breakdowns_about": "andelen efter køn og aldersgruppe i måneden",
    "section_followup": "Brev og opfølgning",
    "section_followup_about": "virkningen af ministerens brev, placeringen i tragten og kontroldiagrammet",
    "section_chosen": "Valgte kommuner",
    "section_chosen_about": "kommunen side om side med op til 8 kommuner, du selv vælger",
    "chosen_pick": "Sammenlign med (op til 8 kommuner)",
    "chosen_help": "Valget gemmes i linket, og det kommer med i kommunebesøgsbriefen og præsentationens sidste dias.",
    "chosen_none": "Vælg kommuner ovenfor for at se dem side om side med {name}.",
    "chosen_title": "{name} og de valgte kommuner: andel med registreret jobsøgning, {group}",
    "chosen_subtitle": "Seneste 24 måneder; kommuner med under 5 personer eller skjulte tal vises ikke",
    "chosen_heading": "Nøgletal, {month}",
    "section_compare": "Sammenligning",
    "section_compare_about": "kommunerne måned for måned i et varmekort",
    "section_spread": "Spredning over tid",
    "section_spread_about": "medianen og spredningen af kommunernes andele over tid",
    "section_movers": "Fremgang og tilbagegang",
    "section_movers_about": "de kommuner, der har flyttet sig mest siden fra-måneden",
    # Filters
    "filters": "Filtre",
    "filter_month": "Måned",
    "filter_from": "Fra måned",
    "filter_area": "Område",
    "filter_group": "Ydelsesgruppe",
    "filter_municipality": "Kommune",
    "notice_bad_param": "Ugyldig værdi i linket for {name}: »{value}«. Viser i stedet {fallback}.",
    "notice_month_missing": (
        "Linket beder om {month} ({name}), men data har ikke den måned — de går fra {first} til {last}. "
        "Viser i stedet {fallback}."
    ),
    "group_period_between": "{first} – {last}",
    "group_period_until": "til og med {last}",
    "group_period_from": "fra {first}",
    "cli_group_period": (
        "Ydelsesgruppen »{group}« ({label}) findes kun {period} (kontanthjælpsreformen 1. juli 2025)."
    ),
    "cli_group_period_hint": " Brug »{other}« for {month}.",
    "series_break_label": "Brud i serien",
    "series_break_note": (
        "Brud i serien fra {month}: {before} fortsætter som {after} (kontanthjælpsreformen, lov nr. 1655) — "
        "tallene før og efter er ikke helt sammenlignelige."
    ),
    "notice_group_period": (
        "{group} findes kun {period} (kontanthjælpsreformen 1. juli 2025), ikke i {month}. "
        "Viser i stedet den nærmeste visning: {fallback}."
    ),
    # Data notices
    "demo_notice": (
        "**Demodata:** syntetiske tal, kalibreret til de offentliggjorte landstal — ikke rigtige kommunetal."
    ),
    "real_notice": "Kilde: {source} · importeret {imported} · {first} – {last}.",
    "dataset_missing": "Der er ingen data at vise endnu.",
    # The latest month is provisional (the notice on every page and the month filter)
    "latest_month_notice": "Seneste måned: {month} — foreløbige tal, der kan blive revideret.",
    "month_provisional": "{month} (foreløbig)",
    # Measures
    "measure_joblogged": "Andel med registreret jobsøgning",
    "measure_none": "Andel uden registreret jobsøgning",
    "measure_6plus": "Andel med 6 eller flere jobsøgninger",
    "persons": "Personer",
    "persons_0": "Ingen jobsøgning (0)",
    "persons_1_5": "1–5 jobsøgninger",
    "persons_6plus": "6+ jobsøgninger",
    "suppressed": "for få personer",
    "relation_level": "på niveau med",
    "target_national_lower": "landet",
    "source_demo": "Kilde: demodata (syntetiske tal) — ikke rigtige kommunetal",
    "source_real": "Kilde: {source}",
    "kf_suppressed": "{name} har for få personer i gruppen i {month} til at vise tallene.",
    "rank_hidden": "Placeringen vises ikke for {name}: for få personer.",
    "letter_hidden": "Effekten af brevet vises ikke for {name}: for få personer.",
    "profile_signals_hidden": "Signaler vises ikke for {name} i denne måned: for få personer.",
    "relation_over": "over",
    "relation_under": "under",
    "export_col_funnel": "Tragtdiagram (andel med jobsøgning mod landet)",
    "export_col_signal": "Signaler (seneste måned)",
    "export_col_letter": "Efter brevet (maj 2018)",
    "national": "Hele landet",
    # Overblik, Kommuner, Om tallene (pages owned by the overview/spread engineer)
    "headline": "I {month} havde {share} af de {group}{where} registreret jobsøgning",
    "headline_in": " i {area}",
    "headline_more": " — {pp} pct.-point mere end et år før.",
    "headline_less": " — {pp} pct.-point mindre end et år før.",
    "headline_same": " — det samme som et år før.",
    "headline_no_data": "Der er ingen tal for {month}.",
    "kpi_heading": "{month} · {area}",
    "kpi_help": "Andel af personerne i gruppen med mindst én registreret jobsøgning i Joblog i måneden.",
    "kpi_year": "Siden {month}: {pp}",
    "kpi_month_delta_label": "siden sidste måned",
    "kpi_none": "{n} personer uden jobsøgning (af {total})",
    "kpi_no_data": "Ingen tal",
    "trend_title": "Andelen med registreret jobsøgning, {first}–{last}",
    "trend_title_area": "Andelen med registreret jobsøgning: {area} (stiplet) og hele landet, {first}–{last}",
    "trend_subtitle": "Andel af personerne i gruppen med mindst én jobsøgning i Joblog i måneden",
    "trend_alt": (
        "Linjediagram over andelen med registreret jobsøgning pr. måned fra {first} til {last} for "
        "{groups}{area}. Lodrette linjer og skraverede felter markerer begivenheder: {events}."
    ),
    "trend_alt_area": ", med stiplede linjer for {area}",
    "see_table": "Se tallene bag figuren",
    "col_month": "Måned",
    "col_group": "Ydelsesgruppe",
    "col_area": "Område",
    "col_rank": "Rang",
    "col_municipality": "Kommune",
    "col_region": "Region",
    "col_share": "Andel med jobsøgning",
    "col_change_month": "Siden sidste måned",
    "col_change_year": "Siden sidste år",
    "col_persons": "Personer",
    "col_trend": "Seneste 12 måneder (pct.)",
    "col_event": "Begivenhed",
    "col_start": "Fra",
    "col_end": "Til",
    "col_description": "Beskrivelse",
    "col_groups": "Ydelsesgrupper",
    "ranked_title": "{name} har den laveste andel med jobsøgning {where} ({share})",
    "ranked_title_adjusted": (
        "{name} har den laveste andel med jobsøgning {where}, justeret for køn og alder ({share})"
    ),
    "ranked_subtitle_adjusted": (
        "{group}, {month}. Justeret andel: faktisk i forhold til forventet × landets andel. "
        "Lodret linje: hele landet ({national}){area_part}"
    ),
    "ranked_hover_adjusted": (
        "<b>%{customdata[1]}</b><br>Justeret andel %{customdata[2]}<br>Faktisk %{customdata[6]}, "
        "forventet %{customdata[7]}<br>%{customdata[3]} af %{customdata[4]} personer<extra></extra>"
    ),
    "col_share_adjusted": "Justeret andel",
    "chart_basis_adjusted": ". Justeret for køn og alder",
    "ranked_title_empty": "Ingen kommuner i {area} har tal, der kan vises",
    "in_country": "i hele landet",
    "in_area": "i {area}",
    "ranked_subtitle": "{group}, {month}. Lodret linje: hele landet ({national}){area_part}",
    "ranked_subtitle_area": ", stiplet: {area} ({share})",
    "ranked_suppressed_note": "Ikke vist (for få personer): {names}.",
    "ranked_alt": (
        "Prikdiagram med {n} kommuner i {area} sorteret efter andelen med registreret jobsøgning i {month} "
        "for {group}. Lavest: {lowest}. Højest: {highest}. Farven viser regionen."
    ),
    "ranked_hover": "Klik på en kommune for at åbne dens profil.",
    "national_line": "Hele landet",
    "search_label": "Søg kommune",
    "search_placeholder": "Skriv en del af navnet, fx »Lol«",
    "search_none": "Ingen kommuner matcher »{query}«.",
    "region_title": "{region} har den højeste median blandt regionerne ({share})",
    "region_subtitle": "Kommunernes andel med jobsøgning pr. region, {group}, {month}. Hver prik er en kommune",
    "region_subtitle_adjusted": (
        "Kommunernes andel med jobsøgning justeret for køn og alder pr. region, {group}, {month}. "
        "Hver prik er en kommune"
    ),
    "region_alt": (
        "Boksdiagram med kommunernes andel med registreret jobsøgning i hver af de fem regioner i {month} "
        "for {group}. Medianer: {medians}."
    ),
    "table_heading": "Alle kommuner i {area}",
    "table_caption": (
        "Sortér ved at klikke på en kolonneoverskrift (rang 1 = højeste andel; sortér på rang for at sortere "
        "efter andel). Vælg en række for at åbne kommunens profil."
    ),
    "table_caption_adjusted": (
        "Sortér ved at klikke på en kolonneoverskrift (rang 1 = højeste justerede andel; sortér på rang for at "
        "sortere efter den justerede andel). Vælg en række for at åbne kommunens profil."
    ),
    "table_alt": "Tabel over kommunerne i {area} med rang, andel, ændringer, personer og de seneste 12 måneder.",
    "profile_missing": "Kommuneprofilen er ikke klar endnu.",
    "table_suppressed_note": "For få personer (under {min}) til at vise andel og fordeling: {names}.",
    "col_rank_from": "Rang fra (95 pct.)",
    "col_rank_to": "Rang til (95 pct.)",
    "col_bound": "Grænse",
    "bound_word_min": "mindst",
    "bound_word_max": "højst",
    "col_share_pct": "Andel med jobsøgning (pct.)",
    "col_interval_from": "95 pct.-interval fra (pct.)",
    "col_interval_to": "95 pct.-interval til (pct.)",
    "col_change_month_pp": "Siden sidste måned (pct.-point)",
    "col_change_year_pp": "Siden sidste år (pct.-point)",
    "kf_bound_help": (
        "Grænse i stedet for andel: 0–4 af kommunens personer mangler (eller har) registreret jobsøgning, og "
        "det præcise antal vises ikke. Grænsen afhænger kun af antallet af personer (se Om tallene)."
    ),
    "brief_bound_point": (
        "{share} af de {group} i {name} har registreret jobsøgning i {month} (landet: {nation}). Det præcise "
        "tal vises ikke, fordi 0–4 personer mangler (eller har) jobsøgning."
    ),
    "export_col_ranked": "Rangeret ud af",
    "export_col_bound_value": "Grænse for andel med registreret jobsøgning (pct.)",
    "kf_persons_0_at_most": "0–4",
    "kf_persons_0_at_least": "mindst {n}",
    "bound_min": "mindst {share}",
    "bound_max": "højst {share}",
    "bound_legend_min": "Mindst (0–4 uden jobsøgning)",
    "bound_legend_max": "Højst (0–4 med jobsøgning)",
    "bound_note": (
        "Grænse i stedet for andel (0–4 personer med eller uden jobsøgning; se Om tallene): {names}. "
        "Placeret ved grænsen; rangintervallet dækker hele grænsen."
    ),
    "bound_hover": (
        "<b>%{customdata[1]}</b><br>%{customdata[2]} (grænse: 0–4 personer med eller uden jobsøgning)"
        "<br>%{customdata[4]} personer<extra></extra>"
    ),
    "spread_heading": "Kommunerne i {area}",
    "region_heading": "Spredning inden for regionerne (hele landet)",
    # Om tallene
    "about_measure_heading": "Hvad måles?",
    "about_measure": (
        "Tallet er **andelen af personerne i en ydelsesgruppe, der har registreret mindst én jobsøgning i "
        "Joblog i måneden**. Styrelsen for Arbejdsmarked og Rekruttering (STAR) deler personerne i tre "
        "kategorier efter antallet af registrerede jobsøgninger i måneden: **0**, **1–5** og **6 eller "
        "flere**. Andelen med jobsøgning er 1 minus andelen i kategorien 0. Andele for flere kommuner eller "
        "måneder regnes altid som summen af personer med jobsøgning delt med summen af personer."
    ),
    "about_groups_heading": "Hvem er med?",
    "about_groups": "Datasættet dækker disse ydelsesgrupper:",
    "about_events_heading": "Begivenheder",
    "about_events": "Begivenhederne vises på tidsseriefigurerne (lodrette linjer og skraverede perioder).",
    "about_system_heading": "Systemet ændrer sig: 2019–2027",
    "about_system": (
        "- **STAR's benchmark** af Joblog dækkede fra januar 2019 de jobparate kontanthjælpsmodtagere og fra "
        "maj 2021 også jobparate modtagere af selvforsørgelses- og hjemrejseydelse og overgangsydelse.\n"
        "- **Områder:** de 8 regionale arbejdsmarkedsråd (RAR) blev 1. januar 2025 afløst af 5 regionale "
        "beskæftigelsesråd, ét pr. region (lov nr. 1656 af 30. december 2024). STAR's arbejdsmarkedskontorer "
        "(AMK) vises som historiske: ingen kilde bekræfter dem efter 2025.\n"
        "- **Kontanthjælpsreformen** (lov nr. 1655 af 30. december 2024, L 13 2024-25) trådte i kraft "
        "1. juli 2025: selvforsørgelses- og hjemrejseydelse, overgangsydelse og uddannelseshjælp blev til én "
        "kontanthjælp. **Uddannelseshjælp findes ikke efter juni 2025.** Fra juli 2025 følger tallene "
        "visitationskategorierne: jobparate kontanthjælpsmodtagere og uddannelsesparate "
        "kontanthjælpsmodtagere under 30 uden uddannelse. De sidste fortsætter serien for de åbenlyst "
        "uddannelsesparate uddannelseshjælpsmodtagere, med et **brud i serien** i juli 2025, som alle "
        "figurer, tabeller og eksporter over bruddet viser.\n"
        "- **Andre værktøjer end Joblog:** med lov nr. 1750 af 29. december 2025 (L 66, i kraft i to trin "
        "1. februar og 1. juli 2026) kan kommuner og a-kasser bruge egne digitale cv- og joblogværktøjer, hvis "
        "de synkroniserer med Det Fælles Datagrundlag. **Fra 2026 kan registreringerne derfor komme fra "
        "andre værktøjer end Jobnets Joblog**; tallene her er registrerede jobsøgninger, uanset værktøj.\n"
        "- **Varslet, ikke data:** med aftalen om en beskæftigelsesreform af 9. april 2025 skal "
        "kontanthjælpsmodtagere som udgangspunkt være jobparate. Det ventes at ske med den nye hovedlov "
        "1. januar 2027. Det er endnu ikke i tallene."
    ),
    "col_event_source": "Kilde",
    "about_source_heading": "Datakilde og periode",
    "about_demo": (
        "Tallene er **demodata**: syntetiske tal, kalibreret til de offentliggjorte landstal. De er ikke "
        "rigtige kommunetal og må ikke citeres."
    ),
    "about_real": "Tallene er **importeret** fra en eksport (se filerne nedenfor).",
    "about_kind": "Type",
    "about_kind_demo": "Demodata (syntetiske tal)",
    "about_kind_real": "Importerede data",
    "about_source": "Kilde",
    "about_created": "Oprettet",
    "about_rows": "Rækker",
    "about_period": "Periode",
    "about_months": "Måneder",
    "about_version": "Version",
    "about_files": "Filer",
    "about_no_files": "Ingen kildefiler (demodata er genereret af programmet).",
    "about_file": "Fil",
    "about_sha": "SHA-256",
    "about_provisional": (
        "**Foreløbige tal:** den seneste måned ({month}) er foreløbig. STAR reviderer tallene for de seneste "
        "måneder, når der kommer flere registreringer, så tallet kan ændre sig ved næste opdatering."
    ),
    "about_suppression_heading": "Diskretionering (for få personer)",
    "about_suppression": (
        "Ingen optælling på 1–{max} personer vises, hverken direkte eller så den kan regnes ud ved at trække "
        "fra. En kommune med færre end {min} personer i alt står med »for få personer« og uden tal.\n\n"
        "**Grænser i stedet for huller.** Når 0–{max} personer i en kommune mangler registreret jobsøgning, "
        "ville andelen afsløre antallet. Kommunen vises da med en grænse i stedet: »mindst 96,8 pct.« betyder, "
        "at højst {max} af kommunens personer mangler jobsøgning — også 0 er muligt. Grænsen afhænger kun af "
        "antallet af personer (n): mindst (n − {max})/n. Omvendt står der »højst …«, når 0–{max} har "
        "jobsøgning. Kommunen beholder sin plads i ranglisten, tabellerne, kommuneprofilen, kommunebesøg, "
        "præsentation og eksport, markeret som grænse: en trekant, der peger mod andelen, i figurerne, "
        "»mindst«/»højst« i tekst og tabeller. Tragtdiagrammet og kortet bedømmer kun præcise andele.\n\n"
        "**Rang.** Rangen beregnes én gang af de viste tal og er den samme overalt: en kommune med en grænse "
        "placeres ved grænsen, og rangens 95 pct.-interval dækker alle placeringer, som grænsen tillader.\n\n"
        "**Summer.** Når summen for et område vises, og de skjulte antal ellers kunne regnes ud (én skjult "
        "kommune, eller en sum på 1–{max}), får også den kommune med færrest uden jobsøgning en grænse: "
        "»højst (n − {min})/n«. Det er sandt, fordi den har mindst {min} uden jobsøgning, og det holder de "
        "andres antal ukendte."
    ),
    # --- Administrators, rollback, audit log and damaged versions (issue 12, points 3 and 4) ---
    "fallback_notice": (
        "**Den nyeste version af datasættet kan ikke læses**, så siden viser den seneste hele version "
        "({version}). En administrator kan importere igen eller rulle tilbage. Fejl: {problem}"
    ),
    "admin_heading": "Ændre data",
    "admin_none": (
        "Data kan ikke ændres her: der er ikke sat nogen administrator-login op på denne installation. "
        "Rigtige tal indlæses på serveren med `joblog-dash import FIL`, og `joblog-dash rollback` ruller "
        "tilbage (se README om administratorer)."
    ),
    "admin_intro": "Kun en administrator kan indlæse nye tal og rulle tilbage til en tidligere version.",
    "admin_oidc_login": "Log ind",
    "admin_oidc_no_admins": (
        "Der er ingen administratorer angivet (JOBLOG_ADMIN_EMAILS), så data kan ikke ændres her."
    ),
    "admin_oidc_broken": "Log ind er ikke sat rigtigt op på serveren (se README om administratorer): {problem}",
    "admin_not_admin": "Du er logget ind som {email}, men er ikke administrator.",
    "admin_oidc_unverified": (
        "Du er logget ind som {email}, men log ind-tjenesten har ikke bekræftet e-mailadressen, så du kan "
        "ikke ændre data her."
    ),
    "admin_oidc_wrong_issuer": (
        "Dit log ind kommer ikke fra den log ind-tjeneste, serveren er sat op til, så du kan ikke ændre data her."
    ),
    "admin_signed_in": "Logget ind som {who}.",
    "admin_logout": "Log ud",
    "admin_password": "Administratoradgangskode",
    "admin_sign_in": "Log ind som administrator",
    "admin_wrong": "Forkert adgangskode. {left} forsøg tilbage.",
    "admin_wait": "Næste forsøg tidligst om {seconds} sekunder.",
    "admin_too_soon": "For kort tid efter et forkert forsøg: vent {seconds} sekunder. Adgangskoden er ikke prøvet.",
    "admin_locked": (
        "For mange forkerte forsøg. Log ind er spærret i op til {minutes} minutter — for alle, der prøver "
        "herfra. Spørg en driftsansvarlig, hvis du har brug for at ændre data nu (joblog-dash på serveren)."
    ),
    "admin_rollback_heading": "Rul tilbage til en tidligere version",
    "admin_rollback_none": "Der er ingen anden version at rulle tilbage til.",
    "admin_rollback_pick": "Version",
    "admin_rollback_confirm": "Ja, gør denne version aktiv for alle brugere",
    "admin_rollback_button": "Rul tilbage",
    "admin_rollback_done": "Aktiv version er nu {version} ({source}, {rows} rækker, {first} – {last}).",
    "admin_rollback_failed": "Intet er ændret: {problem}",
    "admin_version_label": "{created} · {kind} · {rows} rækker · {first} – {last} · {source}",
    "admin_kind_demo": "demo",
    "admin_kind_real": "rigtige tal",
    "audit_heading": "Ændringslog",
    "audit_intro": "Hver import og tilbagerulning, nyeste først. Loggen kan kun skrives til, aldrig rettes.",
    "audit_empty": "Ingen importer eller tilbagerulninger endnu.",
    "audit_when": "Tidspunkt",
    "audit_who": "Hvem",
    "audit_action": "Handling",
    "audit_import": "Import",
    "audit_rollback": "Tilbagerulning",
    "audit_signin_failed": "Forkert adgangskode",
    "audit_unknown_from": "ukendt fra {source}",
    "audit_file": "Fil",
    "audit_sha": "SHA-256",
    "audit_added": "Tilføjet",
    "audit_changed": "Ændret",
    "audit_removed": "Fjernet",
    "audit_before": "Version før",
    "audit_after": "Version efter",
    "audit_replaced": "Erstattet",
    "audit_phase": "Status",
    "audit_phase_done": "gennemført",
    "audit_phase_aborted": "afbrudt, intet ændret",
    "audit_phase_intent": "påbegyndt, ikke bekræftet",
    "fallback_detail": "Detaljer om den beskadigede version (vises kun for administratorer): {detail}",
    # --- Kommuneprofil and Ydelsesgrupper (pages 2 and 3) ---
    "profile_peers": "Sammenlignelige kommuner: {names} ({reason}).",
    "peer_population": "indbyggertal",
    "peer_group_rate": "antal på {group} pr. indbygger",
    "profile_key_heading": "Nøgletal for {name}, {group}, {month}",
    "kf_share": "Andel med registreret jobsøgning",
    "kf_share_help": "95 pct.-interval (Wilson): {lower} – {upper} ({joblogged} af {persons} personer)",
    "kf_change_year": "Ændring siden {month}",
    "kf_change_year_help": "Andel for et år siden: {share}",
    "kf_persons": "Personer i målgruppen",
    "kf_persons_0": "Personer uden registreret jobsøgning",
    "kf_persons_0_help": "{share} af målgruppen",
    "kf_rank": "Placering blandt {ranked} kommuner",
    "kf_rank_value": "{rank}. ({lower}.–{upper}.)",
    "kf_rank_help": (
        "1 = højeste andel. I parentes: 95 pct.-interval for placeringen (simulering ud fra usikkerheden "
        "på hver kommunes andel). Placeringer tæt på hinanden kan ikke skelnes."
    ),
    "kf_region": "{region}",
    "kf_region_help": "Andel med registreret jobsøgning i regionen. Forskellen er kommunen minus regionen.",
    "kf_region_delta": "{name} i forhold til regionen",
    "table_all_columns": "Vis alle kolonner (region, ændring på et år, antal personer)",
    "open_profile_label": "Åbn kommuneprofil",
    "open_profile_placeholder": "Vælg en kommune fra tabellen",
    "open_profile_help": "Samme som at vælge en række i tabellen, men med tastaturet: Tab hertil, skriv eller "
    "brug piletasterne, og tryk Enter.",
    "followup_why_below": "Begrundelserne står i listen under tabellen.",
    "kf_no_data": "Ingen personer i målgruppen i {month}.",
    "series_peers": "Sammenlignelige kommuner",
    "title_trend_over": "{name} ligger over {ref} siden {since}",
    "title_trend_under": "{name} ligger under {ref} siden {since}",
    "title_trend_equal": "{name} ligger på niveau med {ref} siden {since}",
    "title_trend_over_all": "{name} har ligget over {ref} i hele perioden",
    "title_trend_under_all": "{name} har ligget under {ref} i hele perioden",
    "title_trend_equal_all": "{name} har ligget på niveau med {ref} i hele perioden",
    "ref_region": "regionen",
    "subtitle_trend": "Andel med registreret jobsøgning. {group}.",
    "subtitle_trend_all": "Andel med registreret jobsøgning i hver ydelsesgruppe",
    "alt_trend": (
        "Linjediagram over andelen med registreret jobsøgning per måned for {name}, {region}, hele landet "
        "og sammenlignelige kommuner, et panel per ydelsesgruppe."
    ),
    "title_rank_top": "{name} er blandt de {k} bedste kommuner i {month}",
    "title_rank_bottom": "{name} er blandt de {k} svageste kommuner i {month}",
    "title_rank_middle": "{name} ligger mellem nr. {lower} og {upper} af {ranked} i {month}",
    "subtitle_rank": "Placering (1 = højeste andel) med 95 pct.-interval. {group}.",
    "rank_axis": "Placering",
    "rank_observed": "Placering",
    "rank_band": "95 pct.-interval",
    "alt_rank": "Placering af {name} blandt kommunerne per måned med et bånd for 95 pct.-intervallet.",
    "title_split": "{name}: {share} uden registreret jobsøgning i {month}",
    "subtitle_split": "Fordeling efter antal registrerede jobsøgninger i måneden.",
    "alt_split": "Stablet arealdiagram over andelen med 0, 1–5 og 6+ jobsøgninger per måned for {name}.",
    "breakdown_gender": "Køn",
    "breakdown_age_group": "Alder",
    "breakdown_origin": "Herkomst",
    "title_breakdown": "Højest andel: {category} med {share} ({month})",
    "title_breakdown_none": "{dimension}: for få personer til at vise tal i {month}",
    "alt_breakdown": "Søjlediagram over andelen med registreret jobsøgning efter {dimension} i {month}.",
    "breakdown_heading": "Køn og alder i {month}",
    "breakdown_missing": "Data har ingen opdeling efter køn eller alder.",
    "letter_heading": "Efter ministerens brev (maj 2018)",
    "letter_not_covered": "Data dækker ikke 12 måneder før og efter maj 2018, så før/efter-sammenligningen vises ikke.",
    "letter_before": "12 mdr. før (maj 2017–apr. 2018)",
    "letter_after": "12 mdr. efter (jun. 2018–maj 2019)",
    "title_letter": "{name}: {change} efter brevet, landet: {national}",
    "subtitle_letter": "Andel med registreret jobsøgning, 12 måneder før og efter brevet. Vurdering: {verdict}.",
    "alt_letter": "Søjler for andelen før og efter ministerens brev for {name} og hele landet.",
    "col_lower": "Nedre 95 pct.",
    "col_upper": "Øvre 95 pct.",
    "col_change": "Ændring",
    "col_median": "Median",
    "col_p10": "10 %-fraktil",
    "col_p90": "90 %-fraktil",
    "col_count": "Antal kommuner",
    "col_share_start": "Andel {month}",
    "col_share_end": "Andel {month}",
    "col_interval_month": "95 pct.-interval {month}",
    "groups_heatmap_title": "{top} har den højeste andel i {month}, {bottom} den laveste",
    "groups_heatmap_subtitle": "Andel med registreret jobsøgning per kommune, de seneste {months} måneder. {group}, {area}. Hvid: for få personer.",
    "heatmap_scale_title": "Andel<br>(skala {low}–{high} pct.,<br>tilpasset data)",
    "heatmap_hidden_legend": "Hvid: for få personer (skjult)",
    "alt_heatmap": "Varmekort: en række per kommune i {area}, sorteret efter andelen i {month}, en kolonne per måned.",
    "heatmap_click": "Klik på en kommune i varmekortet for at åbne dens profil.",
    "spread_title_narrower": "Forskellen mellem kommunerne er blevet mindre siden {first}",
    "spread_title_wider": "Forskellen mellem kommunerne er blevet større siden {first}",
    "spread_subtitle": "Median og 10–90 pct. af kommunernes andele per måned og den samlede andel for {area}. {group}.",
    "spread_band": "10–90 pct. af kommunerne",
    "spread_median": "Median (kommuner)",
    "spread_area": "Samlet andel, {area}",
    "alt_spread": "Bånd med 10–90 pct. af kommunernes andele, medianen og den samlede andel per måned.",
    "movers_heading": "Største fremgang og tilbagegang, {start} – {end}",
    "movers_title": "{best} gik mest frem ({best_change}), {worst} mest tilbage ({worst_change})",
    "movers_title_up": "Alle viste kommuner gik frem; mest {best} ({best_change})",
    "movers_title_down": "Alle viste kommuner gik tilbage; mest {worst} ({worst_change})",
    "movers_subtitle": "Ændring i andel med registreret jobsøgning. Kun kommuner med mindst {min} personer i begge måneder.",
    "movers_none": "Ingen kommuner med mindst {min} personer i begge måneder.",
    "movers_improvers": "Fremgang",
    "movers_decliners": "Tilbagegang",
    "alt_movers": "Vandret søjlediagram over ændringen i andel for de kommuner med størst fremgang og tilbagegang.",
    "groups_breakdown_heading": "Køn og alder, {group}, {area}, {month}",
    "letter_table_unit": "Område",
    # --- Fair comparison: funnel, map, follow-up, the letter's effect (issue 4) ---
    "fair_measure": "Mål",
    "fair_target": "Sammenlign med",
    "fair_target_national": "Hele landet",
    "fair_adjust": "Juster for overspredning",
    "fair_adjust_on": "justeret for overspredning",
    "fair_adjust_off": "ikke justeret for overspredning",
    "fair_target_area": "det valgte område",
    "fair_adjust_help": (
        "Kommunerne er mere forskellige, end tilfældighed alene giver. Med justeringen bliver grænserne "
        "bredere, så kun de kommuner, der skiller sig ud ud over den almindelige forskel, markeres."
    ),
    "hover_share": "Andel: {share} (95 pct.-interval {interval})",
    "hover_persons": "Personer: {persons}",
    "hover_z": "z-score: {z}",
    "hover_verdict": "{verdict} forventet niveau",
    "funnel_heading": "Hvem afviger mere end tilfældigt? ({month})",
    "funnel_title": "{under} ligger under forventet niveau, {over} over",
    "funnel_title_none": "Alle kommuner ligger inden for forventet niveau",
    "funnel_subtitle": "{measure}, {group}, {month}.<br>Grænser: 95 pct. (stiplet) og 99,8 pct. (prikket), {adjust}",
    "funnel_adjusted": "justeret for overspredning",
    "funnel_not_adjusted": "uden justering for overspredning",
    "funnel_limit_95": "95 pct.-grænser",
    "funnel_limit_998": "99,8 pct.-grænser",
    "funnel_target": "{where} ({share})",
    "funnel_verdict_legend": "{verdict} forventet niveau ({n})",
    "funnel_x": "Personer i målgruppen (logaritmisk akse)",
    "funnel_alt": (
        "Tragtdiagram med {n} kommuner: {measure} mod antal personer, med kontrolgrænser omkring "
        "{target} ({share}). {under} kommuner ligger under og {over} over forventet niveau."
    ),
    "funnel_caption": (
        "Jo flere personer, jo smallere tragt: en lille kommune kan afvige meget af ren tilfældighed. "
        "Punkter uden for tragten afviger mere, end tilfældighed forklarer. Klik på en kommune for at åbne "
        "dens profil."
    ),
    "funnel_suppressed": "Ikke vist (for få personer): {names}.",
    "col_interval": "95 pct.-interval",
    "col_rank_interval": "Rang, 95 pct.-interval",
    "col_verdict": "Vurdering",
    "col_level": "Prioritet",
    "col_why": "Hvorfor",
    "col_national_change": "Landet",
    "col_moved": "Vurdering",
    "map_heading": "Kort over kommunerne",
    "map_title": "Højest {measure} i {top} ({top_share}), lavest i {bottom} ({bottom_share})",
    "map_title_empty": "Ingen kommuner med tal, der kan vises",
    "map_subtitle": "{group}, {month}. Grå: for få personer. Lys: uden for det valgte område",
    "map_outside_area": "uden for det valgte område",
    "map_no_data": "ingen personer",
    "map_centres": "Kommuner",
    "map_suppressed_legend": "For få personer (grå, skraveret)",
    "map_alt_hex": (
        "Sekskantkort over Danmark med én sekskant pr. kommune ({n} i området), farvet efter {measure}. "
        "{suppressed} kommuner har for få personer og er grå."
    ),
    "map_alt_geo": (
        "Kort over Danmark med kommunegrænser ({n} kommuner i området), farvet efter {measure}. "
        "{suppressed} kommuner har for få personer og er grå."
    ),
    "map_kind": "Korttype",
    "map_kind_hex": "Sekskantkort",
    "map_kind_geo": "Kommunegrænser",
    "map_caption": "Hver sekskant er en kommune, placeret omtrent som på et Danmarkskort. Klik for at åbne profilen.",
    "boundaries_bad": "Kommunegrænserne (JOBLOG_BOUNDARIES) kan ikke bruges: {message} Viser sekskantkortet.",
    "boundaries_missing": "Grænsefilen mangler {n} kommuner: {names}.",
    "followup_intro": (
        "Listen samler de kommuner, der bør følges op i den valgte måned: kommuner under forventet niveau "
        "(tragtdiagrammet), og kommuner, der har ændret sig vedvarende i forhold til deres eget niveau "
        "(kontroldiagram). Listen er tænkt som udgangspunkt for planlægningen af besøg."
    ),
    "followup_heading": "Kommuner at følge op på, {month} · {area}",
    "followup_summary": "**{n}** af {checked} kommuner bør følges op for {group}.",
    "followup_none": "Ingen af de {n} kommuner skiller sig ud på {measure} i den valgte måned.",
    "followup_list_caption": (
        "Sorteret efter prioritet. Vælg en række for at se kommunens kontroldiagram nedenfor. "
        "Brevets effekt er kun med som baggrund."
    ),
    "followup_skipped": "Ikke vurderet (for få personer): {names}.",
    "open_profile": "Åbn profilen for {name}",
    "pchart_heading": "Kontroldiagram for en kommune",
    "pchart_title_signal": "{name}: {text}",
    "pchart_title_none": "{name}: ingen signaler i den valgte måned",
    "pchart_subtitle": (
        "{group}, {first}–{last}. Midterlinje: kommunens eget niveau det første år; grænser ud fra "
        "månedens antal personer"
    ),
    "pchart_centre": "Eget niveau",
    "pchart_excluded": "udeladt (jobsøgningskravet var suspenderet)",
    "pchart_excluded_note": ".<br>Måneder med suspenderet jobsøgningskrav er udeladt",
    "pchart_signal": "Signal",
    "pchart_no_data": "{name} har ingen personer i målgruppen frem til {month}.",
    "pchart_alt": (
        "Kontroldiagram for {name}, {first} til {last}: andel pr. måned med kommunens eget niveau og "
        "95 pct.- og 99,8 pct.-grænser; måneder med signal er markeret med en ruder."
    ),
    "profile_fair_heading": "Opfølgning: {name}",
    "profile_funnel_position": (
        "I tragtdiagrammet (sammenlignet med hele landet) ligger {name} **{verdict} forventet niveau** "
        "({share}, z = {z})."
    ),
    "profile_fair_no_funnel": "{name} har for få personer i måneden til at blive placeret i tragtdiagrammet.",
    "profile_signals": "**Aktive signaler:** {text}.",
    "profile_no_signals": "Ingen aktive signaler i den valgte måned i forhold til kommunens eget niveau.",
    "profile_to_followup": "Se alle kommuner at følge op på",
    "letter_fair_heading": "Brevets effekt: hvem flyttede sig, hvem gjorde ikke? ({area})",
    "letter_fair_title": "{more} af {n} kommuner flyttede sig mere end landet efter brevet, {less} mindre",
    "letter_fair_subtitle": (
        "Ændring i {measure} fra de 12 måneder før til de 12 måneder efter maj 2018. {group}. "
        "Stiplet: landets ændring"
    ),
    "letter_national": "Landet: {change}",
    "letter_x": "Ændring (procentpoint)",
    "letter_fair_alt": (
        "Prikdiagram over ændringen efter ministerens brev for hver kommune i {area}, sorteret, med "
        "landets ændring som lodret linje; farve og form viser, om kommunen flyttede sig mere end landet."
    ),
    "letter_fair_caption": (
        "»Mere/mindre end landet« betyder, at forskellen til resten af landet er større, end tilfældighed "
        "forklarer (95 pct.). Klik på en kommune for at åbne dens profil."
    ),
    # Meeting-ready: downloads, brief, presentation, copy link (issue 6)
    "download_csv": "⬇️ CSV (Excel)",
    "download_csv_help": "Semikolon, decimalkomma og UTF-8 — åbner direkte i dansk Excel.",
    "download_xlsx": "⬇️ XLSX",
    "download_image_make": "🖼️ Lav billede (PNG/SVG)",
    "download_image_help": "Diagrammet med titel, kilde og datastatus, klar til slides.",
    "download_image_working": "Tegner billedet …",
    "download_png": "⬇️ PNG",
    "download_svg": "⬇️ SVG",
    "brief_heading": "Kommunebesøg",
    "brief_make": "📄 Lav kommunebesøgsbrief",
    "brief_help": "To sider med nøgletal, udvikling, fordeling, tragtplacering, signaler og talepunkter.",
    "brief_working": "Laver briefen …",
    "brief_pdf": "⬇️ Brief som PDF",
    "brief_html": "⬇️ Brief som HTML",
    "pack_make": "🗂️ Lav besøgspakke: alle briefs i {area} ({count} kommuner)",
    "pack_help": "Én PDF-brief pr. kommune i området, samlet i én zip-fil.",
    "pack_progress": "Brief {done} af {total}: {name}",
    "pack_zip": "⬇️ Besøgspakke (zip, {count} briefs)",
    "copy_link": "Kopiér link",
    "copy_link_done": "Link kopieret",
    "copy_link_manual": "Kopiér linket herunder:",
    "presentation_previous": "◀ Forrige",
    "presentation_next": "Næste ▶",
    "presentation_counter": "Dias {index} af {total}",
    "presentation_slide": "dias {index}",
    "presentation_exit": "Afslut præsentation",
    "presentation_keys": "Piletasterne ← → skifter dias.",
    "deck_settings": "⚙️ Periode og kommune",
    "deck_last": "Sidste dias",
    "deck_last_kommune": "Den valgte kommune",
    "deck_last_opfoelgning": "Kommunen med størst behov for opfølgning i området",
    "deck_download_heading": "Hent præsentationen",
    "deck_download_pptx": "⬇️ PowerPoint (.pptx)",
    "deck_download_pdf": "⬇️ PDF (et dias pr. side)",
    "deck_download_help": "Diasene med titler, kilde og talepunkter som noter. Diagrammerne kan redigeres i PowerPoint.",
    "deck_pdf_unavailable": "PDF kræver Chromium på serveren; hent PowerPoint-udgaven.",
    # Expected versus actual (issue 14: analysis/standardise.py; the lead wires them into the pages)
    "std_dimension_gender": "køn",
    "std_dimension_age_group": "alder",
    "std_dimension_origin": "herkomst",
    "std_adjustment_none": "ingen",
    "std_adjusted_for": "justeret for {adjustment}",
    "std_not_adjusted": "Datasættet er ikke opdelt efter køn, alder eller herkomst, så tallene kan ikke justeres.",
    "std_choice_raw": "Faktiske andele",
    "std_choice_adjusted": "Justeret for {adjustment}",
    "std_expected_share": "Forventet andel",
    "std_basis": "Grundlag",
    "searches_not_in_funnel": (
        "Jobsøgninger pr. person står i tabellen over kommunerne, men ikke i tragtdiagrammet: det er en rate "
        "(en person kan have mange jobsøgninger), og tragtens grænser bygger på andele af personer."
    ),
    "std_basis_raw": "Faktiske andele",
    "std_basis_adjusted": "Justeret for køn og alder",
    "std_basis_help": (
        "Justeret: hver kommune sammenlignes med den andel, den ville have, hvis hver af dens grupper (køn, "
        "alder og, hvor data har den, herkomst) registrerede jobsøgning som landets gruppe. Se Om tallene."
    ),
    "std_basis_used_adjusted": (
        "Sammenligningerne på siden bygger på andele justeret for køn og alder (faktisk i forhold til "
        "forventet × landets andel); tabellerne viser også den faktiske andel."
    ),
    "kf_searches": "Registrerede jobsøgninger pr. person",
    "kf_searches_help": (
        "STARs mål for intensitet: alle registrerede jobsøgninger i måneden delt med antal personer i "
        "målgruppen (hele landet: {nation}). Det er en rate, ikke en andel af personer, og indgår derfor ikke "
        "i tragtdiagrammet, hvis grænser bygger på andele."
    ),
    "export_col_searches": "Jobsøgninger pr. person",
    "title_trend_hidden": "{name}: for få personer til at vise andelen i {month}",
    "std_expected_caption": "Forventet ud fra sammensætningen ({adjustment}): {share}",
    "std_ratio": "Faktisk i forhold til forventet",
    "std_profile_sentence": (
        "Ud fra hvem modtagerne er ({adjustment}), ville {name} forventes at ligge på {expected} — "
        "kommunen ligger på {actual}, og af forskellen til landet ({gap}) forklarer sammensætningen "
        "{explained}, mens {rest} skyldes andet."
    ),
    "about_searches_heading": "Jobsøgninger pr. person",
    "about_searches": (
        "STAR måler også intensiteten: antal registrerede jobsøgninger i måneden delt med antal personer i "
        "målgruppen. Den vises på Kommuneprofil, i kommunebesøgsbriefen og i eksporterne. Den er en rate og "
        "ikke en andel af personer (en person kan have mange jobsøgninger), så tragtdiagrammets grænser, der "
        "bygger på andele, passer ikke til den; den indgår derfor ikke i tragtdiagrammet."
    ),
    "std_about_heading": "Forventet i forhold til faktisk",
    "std_about": (
        "Nogle grupper registrerer oftere jobsøgning end andre — fx logger unge sjældnere end ældre. En "
        "kommune med mange unge modtagere kan derfor ligge lavt, uanset hvad jobcenteret gør. Derfor "
        "viser vi også en **forventet** andel: den andel kommunen ville have, hvis hver af dens grupper "
        "(fx kvinder 16-24 år) loggede som landets gennemsnit for netop den gruppe i samme måned og "
        "ydelsesgruppe. Forventet antal = summen over grupperne af landets andel i gruppen × kommunens "
        "antal personer i gruppen (indirekte standardisering).\n\n"
        "**Forholdet** faktisk/forventet er 1,00, når kommunen ligger præcis som forventet; 1,10 betyder 10 "
        "pct. flere end forventet. **Forskellen** i pct.-point er den faktiske minus den forventede andel. "
        "Tragtdiagrammet for det justerede tal har grænser ud fra det forventede antal og samme "
        "overspredning som det ujusterede.\n\n"
        "Vi justerer kun for det, datasættet er opdelt efter (køn, alder og herkomst, når de findes for "
        "alle kommuner); siden siger hvilke. Justeringen forklarer forskelle i sammensætning — ikke alt "
        "andet, fx det lokale arbejdsmarked. Kommuner med færre end 5 personer vises ikke.\n\n"
        "Den **justerede andel** er forholdet faktisk/forventet × landets andel. Den kan regnes til over "
        "100 pct., når en kommune ligger langt over det forventede i en ydelsesgruppe, hvor landets andel "
        "er høj; en andel kan ikke være over 100 pct., så den vises da som 100 pct. Vurderingen over, "
        "inden for eller under tragten og forholdet bygger på det uafkortede tal."
    ),
    # Upload and the mapping step (ui/upload.py)
    "upload_heading": "Indlæs rigtige tal",
    "upload_gate_off": (
        "Upload er slået fra på denne server, fordi den ikke kan begrænses til administratorer. "
        "Brug kommandolinjen: joblog-dash import FIL."
    ),
    "upload_intro": (
        "Eksport fra Jobindsats (API v3/v2 som JSON eller CSV), et STAR-benchmarkark eller et andet udtræk "
        "(CSV, JSON, Excel .xlsx) eller det kanoniske format (CSV/parquet), højst {limit} MB. Du ser tabellen, "
        "vælger hvad kolonnerne betyder og ser, hvad importen vil ændre; intet ændres, før du trykker Importér, "
        "og en import lander helt eller slet ikke."
    ),
    "upload_file": "Eksportfil",
    "upload_too_big": "filen er over grænsen på {limit} MB",
    "upload_failed": (
        "filen kunne ikke behandles og er slettet igen; intet er ændret. Gem den fx som CSV og prøv igen."
    ),
    "upload_unreadable": "{name} kan ikke læses. Ret problemet og upload filen igen.",
    "upload_refused": "{name} kan ikke importeres. Ret problemerne nedenfor eller kortlægningen og prøv igen.",
    "upload_step_table": "1. Tabellen i filen",
    "upload_table_caption": "De første {shown} af {rows} rækker, som filen er læst ({format}).",
    "upload_step_mapping": "2. Hvad betyder kolonnerne?",
    "upload_mapping_intro": (
        "Det bedste gæt er valgt på forhånd. Ret det, hvis filen har en anden opbygning, og tryk "
        "»Kontrollér og vis ændringer«."
    ),
    "upload_canonical": "Filen er i dashboardets kanoniske format; der er intet at kortlægge.",
    "upload_profile": "Importprofil",
    "upload_profile_guess": "(gæt ud fra filen)",
    "upload_profile_help": "En gemt kortlægning fra en tidligere måned.",
    "upload_profile_bad": "Profilen kan ikke bruges: {error}",
    "upload_layout": "Opbygning",
    "upload_layout_long": "Lang: én række pr. kommune og måned",
    "upload_layout_wide": "Bred: månederne står på tværs som kolonner",
    "upload_not_in_file": "(ikke i filen)",
    "upload_group_fixed": "Ydelsesgruppe for hele filen",
    "upload_group_fixed_none": "(står i en kolonne)",
    "upload_period_fixed": "Måned for hele filen (fx 2024M01)",
    "upload_unit": "Enhed",
    "upload_unit_count": "Antal",
    "upload_unit_percent": "Andel i pct. af Antal personer",
    "upload_unit_fraction": "Andel 0-1 af Antal personer",
    "upload_measure_column": "Kolonnen der navngiver målet i hver række",
    "upload_measure_none": "(ingen: hele arket er ét mål)",
    "upload_wide_measure": "Arkets mål",
    "upload_measure_value": "Rækker med »{value}«",
    "upload_measure_unused": "(bruges ikke)",
    "upload_measure_values_note": "Tryk »Kontrollér« for at se målene i en ny kolonne.",
    "upload_check": "Kontrollér og vis ændringer",
    "upload_step_preview": "3. Hvad importen vil ændre",
    "upload_ok": "Filen er i orden: {rows} rækker for {municipalities} kommuner, {first} – {last}.",
    "upload_preview": (
        "Importen vil tilføje {added}, ændre {changed} og fjerne {removed} rækker. Datasættet får {total} rækker."
    ),
    "upload_preview_demo": "Demodata erstattes helt af de rigtige tal (demo og rigtige tal blandes aldrig).",
    "upload_preview_months": "Måneder der ændres: {months}.",
    "upload_preview_nothing": "Filen giver de samme tal som det nuværende datasæt; en import ændrer intet.",
    "upload_largest": "Største ændringer",
    "upload_warnings": "Advarsler",
    "upload_confirm": "Importér",
    "upload_confirm_help": "Skriver en ny version af datasættet. Den forrige version gemmes og kan hentes tilbage.",
    "upload_profile_name": "Gem kortlægningen som importprofil",
    "upload_profile_save": "Gem profil",
    "upload_profile_saved": "Importprofilen »{name}« er gemt; vælg den næste gang under Importprofil.",
    "upload_nothing_imported": "Intet er importeret; de nuværende data er uændrede.",
    "upload_done": (
        "Importeret: {rows} rækker læst; {added} tilføjet, {changed} ændret, {removed} fjernet. "
        "Datasættet har nu {total} rækker."
    ),
    "upload_done_demo": "Demodata er erstattet helt af de rigtige tal. Demo og rigtige tal blandes aldrig.",
    "upload_done_nothing": "Ingen ændringer: filen giver de samme tal som det nuværende datasæt; intet er skrevet.",
    "upload_done_rollback": "Fortryd importen med »{form}« længere nede på siden.",
}


def t(key: str, **values: object) -> str:
    """The Danish text for `key`, with `{placeholders}` filled from `values`."""
    text = DA[key]
    return text.format(**values) if values else text


def source_line(manifest: object) -> str:
    """THE source line under every chart and table: demo data says so, real data names its source."""
    if getattr(manifest, "is_demo", True):
        return t("source_demo")
    return t("source_real", source=getattr(manifest, "source", ""))
