"""Kommunebesøg: a two-page brief for one municipality and month, as self-contained HTML and as PDF.

`figures` reads the figures off the profile view (views.profile, what the page shows); `talking_points` turns them into
plain-Danish sentences (pure, tested on hand-made figures); `render_html` writes one HTML file with inline
CSS and charts as inline SVG (no scripts, no fonts, no network); `html_to_pdf` prints that file with
headless Chromium (exporting.pdf). Without Chromium the PDF is unavailable (PdfUnavailable) and the HTML is the way out.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field, replace
from datetime import date

import polars as pl

from joblog_dash.analysis import fair, followup, stats
from joblog_dash.charts import meeting, style
from joblog_dash.data import reference, warehouse
from joblog_dash.exporting import files as exports
from joblog_dash.exporting import pdf
from joblog_dash.exporting import tables as export_tables
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.views import profile
from joblog_dash.views.profile import ProfileView
from joblog_dash.views.selection import Selection

PDF_UNAVAILABLE = pdf.PDF_UNAVAILABLE
PdfUnavailable = pdf.PdfUnavailable  # Chromium is missing or failed: offer the HTML brief instead
TREND_MONTHS = 24


# --- Figures ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupFigures:
    group: str
    persons: int | None
    persons_0: int | None
    persons_1_5: int | None
    persons_6plus: int | None
    share: float | None  # share with registered job search (None when suppressed or no persons)
    region: float | None
    nation: float | None
    peers: float | None
    suppressed: bool = False
    searches: float | None = None  # registered job searches per person (a rate)
    bound_text: str | None = None  # "mindst 96,8 pct." where only a bound of the share is published

    @property
    def share_none(self) -> float | None:
        return None if self.share is None else 1 - self.share


@dataclass(frozen=True)
class BriefFigures:
    code: int
    name: str
    region_label: str
    month: date
    group: str  # the benefit group the brief is about
    groups: tuple[GroupFigures, ...]
    start: date  # the month changes are measured from ("siden januar")
    share_none_start: float | None  # the municipality's share without registered job search at `start`
    region_none: float | None  # the region's share without registered job search now
    funnel_verdict: str | None  # stats.funnel verdict against the country ("over", "inden for", "under")
    funnel_outside_998: bool = False
    signal_text: str | None = None
    signal_adverse: bool = False
    expected_sentence: str | None = None  # the composition's part of the gap (views.profile)
    peer_names: tuple[str, ...] = ()
    is_demo: bool = True
    source: str = ""
    extras: dict[str, object] = field(default_factory=dict, compare=False)  # frames for the charts
    compared: pl.DataFrame | None = field(default=None, compare=False)  # views.profile.Comparison.table

    @property
    def main(self) -> GroupFigures | None:
        return next((g for g in self.groups if g.group == self.group), None)


def _month_word(start: date, month: date) -> str:
    """'januar' when the start is January of the same year, else 'januar 2017'."""
    name = fmt.MONTHS_LONG[start.month - 1]
    return name if start.year == month.year else f"{name} {start.year}"


def _relation(value: float, other: float) -> str:
    return t("relation_" + fair.relation(value, other))


def _list_names(names: tuple[str, ...] | list[str]) -> str:
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def talking_points(figures: BriefFigures) -> list[str]:
    """Three to five plain-Danish sentences, each stating one figure and what it is compared with."""
    main = figures.main
    group_label = reference.group_label(figures.group).lower()
    month_text = fmt.month_long(figures.month)
    points: list[str] = []
    if main is not None and main.share is None and main.bound_text:
        points.append(
            t("brief_bound_point", share=main.bound_text.capitalize(), group=group_label, name=figures.name,
              month=month_text, nation=fmt.pct(main.nation))
        )  # fmt: skip
    elif main is None or main.share is None:
        reason = "for få personer" if main is not None and main.suppressed else "ingen personer"
        points.append(
            f"Der er {reason} i gruppen {group_label} i {month_text} til at vise andele for {figures.name}."
        )
    else:
        if main.nation is not None:
            diff = main.share - main.nation
            relation = _relation(main.share, main.nation)
            tail = (
                "" if relation == "på niveau med" else f" — {fmt.pp(abs(diff)).lstrip('+')} {relation} landet"
            )
            points.append(
                f"{fmt.pct(main.share).capitalize()} af de {group_label} i {figures.name} har registreret "
                f"jobsøgning i {month_text}{tail} ({fmt.pct(main.nation)})."
                if tail
                else f"{fmt.pct(main.share).capitalize()} af de {group_label} i {figures.name} har registreret "
                f"jobsøgning i {month_text} — på niveau med landet ({fmt.pct(main.nation)})."
            )
        if figures.share_none_start is not None and main.share_none is not None:
            change = main.share_none - figures.share_none_start
            since = _month_word(figures.start, figures.month)
            if abs(change) < 0.0005:
                moved = f"er uændret siden {since}"
            else:
                verb = "steget" if change > 0 else "faldet"
                moved = f"er {verb} {fmt.pp(abs(change)).lstrip('+')} siden {since}"
            sentence = f"Andelen uden registreret jobsøgning {moved}"
            if figures.region_none is not None:
                where = _relation(main.share_none, figures.region_none)
                sentence += f" og ligger nu {where} regionen ({fmt.pct(figures.region_none)})"
            points.append(sentence + ".")
        if main.peers is not None and figures.peer_names:
            relation = _relation(main.share, main.peers)
            gap = (
                "" if relation == "på niveau med" else f"{fmt.pp(abs(main.share - main.peers)).lstrip('+')} "
            )
            points.append(
                f"Kommunen ligger {gap}{relation} de sammenlignelige kommuner "
                f"({_list_names(figures.peer_names)}: {fmt.pct(main.peers)})."
            )
        if figures.funnel_verdict is not None:
            if figures.funnel_verdict == stats.VERDICT_WITHIN:
                points.append(
                    "I tragtdiagrammet ligger kommunen inden for 95 pct.-grænserne: forskellen til landet kan "
                    "være tilfældig variation."
                )
            else:
                strength = " og også uden for 99,8 pct.-grænsen" if figures.funnel_outside_998 else ""
                points.append(
                    f"I tragtdiagrammet ligger kommunen {figures.funnel_verdict} det forventede niveau{strength} — "
                    "mere end tilfældig variation kan forklare."
                )
    if figures.signal_adverse and figures.signal_text:
        points.append(f"Til opfølgning: {figures.signal_text[:1].lower()}{figures.signal_text[1:]}.")
    if figures.expected_sentence:  # after the follow-up point: a brief keeps at most five
        points.append(figures.expected_sentence)
    others = [
        g for g in figures.groups if g.group != figures.group and g.share is not None and g.nation is not None
    ]
    if others and len(points) < 5:
        widest = max(others, key=lambda g: abs(g.share - g.nation))  # type: ignore[operator]
        relation = _relation(widest.share, widest.nation)  # type: ignore[arg-type]
        if relation != "på niveau med":
            points.append(
                f"Blandt {reference.group_label(widest.group).lower()} er andelen {fmt.pct(widest.share)}, "
                f"{fmt.pp(abs(widest.share - widest.nation)).lstrip('+')} {relation} landet."  # type: ignore[operator]
            )
    if (
        len(points) < 3
        and main is not None
        and main.persons
        and None not in (main.persons_0, main.persons_1_5, main.persons_6plus)
    ):
        points.append(
            f"{fmt.number(main.persons)} personer i gruppen: {fmt.number(main.persons_0)} uden registreret "
            f"jobsøgning, {fmt.number(main.persons_1_5)} med 1–5 og {fmt.number(main.persons_6plus)} med 6 eller flere."
        )
    return points[:5]


def figures(view: ProfileView, source: str) -> BriefFigures:
    """The brief's figures, read off the profile view (no computation here: the page shows the same)."""
    groups = tuple(
        GroupFigures(
            group=r["benefit_group"], persons=r["persons"], persons_0=r["persons_0"],
            persons_1_5=r["persons_1_5"], persons_6plus=r["persons_6plus"], share=r["share_joblogged"],
            region=r["region_share"], nation=r["nation_share"], peers=r["peers_share"], suppressed=r["suppressed"],
            searches=r["searches_per_person"],
            bound_text=fmt.bounded(r["bound"], r["bound_lower"], r["bound_upper"]) if r.get("bound") else None,
        )
        for r in view.table.iter_rows(named=True)
    )  # fmt: skip
    first = max(view.months[0], fmt.add_months(view.month, -(TREND_MONTHS - 1)))

    # A series continued under another group across a break is drawn whole (the chart marks the break).
    series = [view.group, *filter(None, [reference.continuing_group(view.group)])]

    def recent(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.filter(
            pl.col("benefit_group").is_in(series) & pl.col("month").is_between(first, view.month)
        )

    status = view.status
    funnel_table = None
    if status.funnel_table is not None:
        funnel_table = status.funnel_table.rename({"code": "municipality_code", "name": "municipality"})
    return BriefFigures(
        code=view.code,
        name=view.name,
        region_label=view.region.label,
        month=view.month,
        group=view.group,
        groups=groups,
        start=view.start,
        share_none_start=view.share_none_start,
        region_none=view.region_none,
        funnel_verdict=status.verdict,
        funnel_outside_998=status.outside_998,
        signal_text=status.signal_text,
        signal_adverse=status.signal_adverse,
        expected_sentence=status.expected_sentence,
        peer_names=view.peer_names,
        is_demo=view.is_demo,
        source=source,
        extras={
            "own": recent(view.own),
            "region": recent(view.region_trend),
            "nation": recent(view.nation),
            "funnel": funnel_table,
            "curve": status.funnel_curve,
            "target": status.funnel_target,
        },
    )


# --- Charts ----------------------------------------------------------------------------------------------


def charts(figures: BriefFigures) -> dict[str, object]:
    """The brief's three figures: trend with events, the 0 / 1–5 / 6+ split, the funnel position."""
    extras = figures.extras
    group_short = reference.group_label(figures.group, short=True).lower()
    main = figures.main
    own_share = main.share if main else None
    trend_title = f"{figures.name}: andel med registreret jobsøgning, {group_short}"
    if own_share is not None and main is not None and main.nation is not None:
        trend_title = f"{figures.name} ligger {_relation(own_share, main.nation)} landet i {fmt.month_short(figures.month)}"
    trend = meeting.share_lines(
        [
            (figures.name, extras["own"].filter(pl.col("persons") >= 5), meeting.HIGHLIGHT, None),  # type: ignore[union-attr]
            (figures.region_label, extras["region"], style.OKABE_ITO[0], "dash"),  # type: ignore[arg-type]
            (t("national"), extras["nation"], style.REFERENCE_LINE, "dot"),  # type: ignore[arg-type]
        ],
        trend_title,
        f"Andel med registreret jobsøgning, {group_short}, seneste {TREND_MONTHS} måneder",
        group=figures.group,
        height=330,
    )
    split_rows: list[tuple[str, int, int, int]] = []
    if main is not None and None not in (main.persons_0, main.persons_1_5, main.persons_6plus):
        split_rows.append((figures.name, main.persons_0, main.persons_1_5, main.persons_6plus))
    for label, frame in ((figures.region_label, extras["region"]), (t("national"), extras["nation"])):
        now = frame.filter(pl.col("month") == figures.month)  # type: ignore[union-attr]
        if now.height:
            split_rows.append((label, now["persons_0"][0], now["persons_1_5"][0], now["persons_6plus"][0]))
    split = meeting.category_split(
        split_rows, f"Antal registrerede jobsøgninger, {fmt.month_short(figures.month)}"
    )
    funnel_title = (
        f"{figures.name} ligger {figures.funnel_verdict} det forventede niveau (tragtdiagram)"
        if figures.funnel_verdict
        else f"{figures.name} i tragtdiagrammet (for få personer til en vurdering)"
    )
    if extras["funnel"] is None:
        return {"trend": trend, "split": split, "funnel": None}
    funnel = meeting.funnel_chart(
        extras["funnel"],  # type: ignore[arg-type]
        extras["curve"],  # type: ignore[arg-type]
        float(extras["target"]),  # type: ignore[arg-type]
        funnel_title,
        highlight=figures.code,
        height=330,
    )
    return {"trend": trend, "split": split, "funnel": funnel}


# --- HTML ------------------------------------------------------------------------------------------------

CSS = """
@page { size: A4; margin: 12mm 13mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; color: #1a1a1a;
       font-size: 10pt; line-height: 1.35; margin: 0 auto; max-width: 190mm; }
h1 { font-size: 18pt; margin: 0 0 1mm 0; }
h2 { font-size: 11.5pt; margin: 4mm 0 1.5mm 0; border-bottom: 1px solid #bbb; padding-bottom: 0.8mm; }
.sub { color: #555; margin: 0 0 2mm 0; }
.demo { background: #fff1e6; border: 1.5px solid #B34700; color: #7a3000; padding: 1.5mm 3mm;
        font-weight: bold; margin: 2mm 0; }
ul.points { margin: 1mm 0 0 0; padding-left: 5mm; } ul.points li { margin-bottom: 1.2mm; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; }
th, td { padding: 1mm 1.5mm; border-bottom: 1px solid #ddd; text-align: right; white-space: nowrap; }
td:first-child, th { white-space: normal; }
th:first-child, td:first-child { text-align: left; }
th { background: #f2f2f2; font-weight: bold; vertical-align: bottom; font-size: 8.5pt; }
th:first-child { width: 30%; }
td.muted { color: #888; font-style: italic; }
.chart svg { width: 100%; height: auto; display: block; }
.page { page-break-after: always; break-after: page; }
.page:last-child { page-break-after: auto; break-after: auto; }
.signal { padding: 1.5mm 3mm; border-left: 3px solid #0072B2; background: #f4f8fb; }
.signal.adverse { border-left-color: #D55E00; background: #fdf3ec; }
footer { color: #555; font-size: 8pt; margin-top: 3mm; border-top: 1px solid #ccc; padding-top: 1mm; }
"""


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _svg(fig: object, width: int, height: int) -> str:
    if fig is None:
        return f"<p class='sub'>{_e(t('suppressed'))}</p>"
    try:
        return exports.plain_svg(fig, width, height)  # type: ignore[arg-type]
    except exports.StaticExportUnavailable:
        return "<p class='sub'>Diagrammet kræver Chromium, som ikke er installeret.</p>"


def _key_table(figures: BriefFigures) -> str:
    head = (
        "<tr><th>Ydelsesgruppe</th><th>Personer</th>"
        f"<th>{_e(figures.name)}</th><th>{_e(figures.region_label)}</th><th>Hele landet</th>"
        "<th>Sammenlignelige kommuner</th><th>Forskel til landet (pct.-point)</th>"
        f"<th>{_e(t('export_col_searches'))}</th></tr>"
    )
    rows = []
    for g in figures.groups:
        if g.share is None and g.bound_text:
            own = f"<td><b>{_e(g.bound_text)}</b></td>"
        elif g.share is None:
            own = f"<td class='muted'>{_e(t('suppressed') if g.suppressed else fmt.MISSING)}</td>"
            diff = fmt.MISSING
        else:
            own = f"<td><b>{_e(fmt.pct_short(g.share))}</b></td>"
            diff = (
                fmt.pp(g.share - g.nation).removesuffix(" pct.-point")
                if g.nation is not None
                else fmt.MISSING
            )
        rows.append(
            f"<tr><td>{_e(reference.group_label(g.group))}</td><td>{_e(fmt.number(g.persons))}</td>{own}"
            f"<td>{_e(fmt.pct_short(g.region))}</td><td>{_e(fmt.pct_short(g.nation))}</td>"
            f"<td>{_e(fmt.pct_short(g.peers))}</td><td>{_e(diff)}</td>"
            f"<td>{_e(fmt.number(g.searches, 1))}</td></tr>"
        )
    return f"<table>{head}{''.join(rows)}</table>"


def _compared_page(figures: BriefFigures) -> str:
    """A third page with the chosen municipalities beside this one (Kommuneprofil's 'Valgte kommuner'):
    their key figures and the last TREND_MONTHS months; nothing when none were chosen."""
    if figures.compared is None or figures.compared.height < 2:
        return ""
    comparison = figures.extras["compared"]
    group_short = reference.group_label(figures.group, short=True).lower()
    fig = meeting.chosen_lines(
        comparison.trend, comparison.codes, comparison.names,  # type: ignore[attr-defined]
        fmt.add_months(figures.month, -(TREND_MONTHS - 1)), figures.month,
        f"{figures.name} og de valgte kommuner, {group_short}", group=figures.group, height=330,
    )  # fmt: skip
    rows = "".join(
        f"<tr><td>{_e(r['name'])}</td><td>{_e(fmt.number(r['persons']))}</td>"
        f"<td>{_e(fmt.pct_short(r['share']) if r['share'] is not None else t('suppressed'))}</td>"
        f"<td>{_e(fmt.pp(r['change_year']).removesuffix(' pct.-point') if r['change_year'] is not None else fmt.MISSING)}</td></tr>"
        for r in figures.compared.iter_rows(named=True)
    )
    head = (
        "<tr><th>Kommune</th><th>Personer</th><th>Andel med registreret jobsøgning</th>"
        "<th>Ændring på et år (pct.-point)</th></tr>"
    )
    return (
        f"<section class='page'><h2>Sammenlignet med valgte kommuner, {_e(fmt.month_short(figures.month))}</h2>"
        f"<table>{head}{rows}</table><div class='chart'>{_svg(fig, 720, 330)}</div></section>"
    )


def render_html(figures: BriefFigures, points: list[str] | None = None) -> str:
    """The brief as one self-contained HTML document (inline CSS and SVG; no scripts, no external files)."""
    points = talking_points(figures) if points is None else points
    figs = charts(figures)
    month_text = fmt.month_long(figures.month)
    group_text = reference.group_label(figures.group)
    demo = (
        f"<div class='demo'>{_e(exports.DEMO_STATUS)}. Briefen må ikke bruges som kommunens rigtige tal.</div>"
        if figures.is_demo
        else ""
    )
    peers = _list_names(figures.peer_names) if figures.peer_names else "ingen"
    signal_class = "signal adverse" if figures.signal_adverse else "signal"
    signal = figures.signal_text or "Ingen vurdering: for få personer eller måneder."
    footer = (
        f"<footer>Kilde: {_e(figures.source)} · {_e(exports.DEMO_STATUS if figures.is_demo else exports.REAL_STATUS)}"
        f" · Andele er andelen af personer i gruppen; kommuner med 1–4 personer vises ikke (for få personer)."
        f" · Sammenlignelige kommuner: de {len(figures.peer_names)} kommuner, der ligner mest i indbyggertal og "
        f"gruppernes størrelse.</footer>"
    )
    return f"""<!DOCTYPE html>
<html lang="da"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kommunebesøg: {_e(figures.name)}, {_e(month_text)}</title>
<style>{CSS}</style></head>
<body>
<section class="page">
<h1>Kommunebesøg: {_e(figures.name)} Kommune</h1>
<p class="sub">{_e(figures.region_label)} · {_e(month_text)} · {_e(group_text)}</p>
{demo}
<h2>Det vigtigste</h2>
<ul class="points">{"".join(f"<li>{_e(p)}</li>" for p in points)}</ul>
<h2>Nøgletal: andel med registreret jobsøgning, {_e(fmt.month_short(figures.month))}</h2>
{_key_table(figures)}
<p class="sub">Sammenlignelige kommuner: {_e(peers)}.</p>
<h2>Udviklingen</h2>
<div class="chart">{_svg(figs["trend"], 720, 330)}</div>
</section>
<section class="page">
<h2>Fordeling: 0, 1–5 og 6+ registrerede jobsøgninger</h2>
<div class="chart">{_svg(figs["split"], 720, 250)}</div>
<h2>Placering i tragtdiagrammet</h2>
<div class="chart">{_svg(figs["funnel"], 720, 330)}</div>
<h2>Signaler at følge op på</h2>
<p class="{signal_class}">{_e(signal)} (p-kort for kommunens egen udvikling over {followup.WINDOW} måneder, uden måneder med suspenderet jobsøgningskrav; signaler i seneste måned).</p>
{footer}
</section>
{_compared_page(figures)}
</body></html>
"""


# --- PDF -------------------------------------------------------------------------------------------------


def html_to_pdf(document: str, timeout: float = 90) -> bytes:
    """Print the HTML with the process's headless Chromium (A4, no header/footer). PdfUnavailable without it."""
    return pdf.html_to_pdf(document, timeout)


@dataclass(frozen=True)
class Brief:
    figures: BriefFigures
    points: list[str]
    html: str
    seconds: float

    @property
    def filename(self) -> str:
        demo = "-demodata" if self.figures.is_demo else ""
        return (
            f"kommunebesoeg-{reference.slugify(self.figures.name)}-{fmt.month_key(self.figures.month)}{demo}"
        )


def build(db: warehouse.JoblogDB, selection: Selection) -> Brief:
    """The brief of the profile view for the selection's municipality, month and group (and, with
    `selection.compare`, the chosen municipalities side by side)."""
    began = time.perf_counter()
    brief_figures = figures(profile.build(db, selection), export_tables.source_text(db.manifest))
    if selection.compare:
        comparison = profile.compared(db, selection)
        brief_figures = replace(
            brief_figures, compared=comparison.table,
            extras={**brief_figures.extras, "compared": comparison},
        )  # fmt: skip
    points = talking_points(brief_figures)
    return Brief(brief_figures, points, render_html(brief_figures, points), time.perf_counter() - began)
