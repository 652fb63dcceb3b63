"""The presentation deck: a short series of slides rendered from the views for the current filters.

National trend -> spread between municipalities -> funnel -> the chosen municipality. Each slide has an
action title (the message, stated with its figure), one supporting sentence, a chart and alt text. The
funnel is views.parts.funnel and the municipality slide reads views.profile, so the deck says what the
pages and the brief say; every frame is published (analysis.privacy) before it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
import polars as pl

from joblog_dash.analysis import fair, privacy, stats
from joblog_dash.charts import meeting, style
from joblog_dash.charts import trend as trend_charts
from joblog_dash.data import reference, warehouse
from joblog_dash.exporting import brief
from joblog_dash.exporting import tables as export_tables
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.views import followup, parts, profile, spread
from joblog_dash.views.selection import Selection

DECK_HEIGHT = 460  # with the title, sentence and controls: a whole slide on a 1366x768 screen


@dataclass(frozen=True)
class Slide:
    key: str
    title: str  # the action title: what the audience should take away
    message: str
    figure: go.Figure
    alt: str
    notes: tuple[str, ...] = ()  # the talking points: the speaker notes of the PowerPoint


def _change_words(before: float, after: float) -> str:
    diff = after - before
    if abs(diff) < 0.0005:
        return f"er uændret på {fmt.pct(after)}"
    verb = "steget" if diff > 0 else "faldet"
    return f"er {verb} fra {fmt.pct(before)} til {fmt.pct(after)}"


def _share_at(frame: pl.DataFrame, month: date, column: str = "share_joblogged") -> float | None:
    row = frame.filter(pl.col("month") == month)
    return None if row.is_empty() or row[column][0] is None else float(row[column][0])


def _sentence(text: str) -> str:
    """The text ending with one full stop ('70,5 pct.' already has one)."""
    return text if text.endswith(".") else text + "."


def _bigger(fig: go.Figure) -> go.Figure:
    """Presentation type: larger fonts, no chart title (the slide's action title says it)."""
    fig.update_layout(
        title=None, font={"size": 18}, height=DECK_HEIGHT, margin={"t": 30, "l": 80, "r": 30, "b": 100}
    )
    fig.update_layout(legend={"font": {"size": 16}})
    fig.update_annotations(font={"size": 14})
    fig.update_xaxes(tickfont={"size": 16})
    fig.update_yaxes(tickfont={"size": 16})
    return fig


def _series(group: str) -> list[str]:
    """The group and the one continuing its series across a break: a slide draws the series whole and
    marks the break."""
    return [group, *filter(None, [reference.continuing_group(group)])]


def _break_note(group: str, months: pl.DataFrame) -> str:
    """The trend chart's note on a series break the slide's months span (the chart marks it; on a slide
    the note is part of the text, which every format shows, the PowerPoint's native chart included)."""
    if months.is_empty():
        return ""
    note = trend_charts.break_note(
        reference.breaks_within([group], months["month"].min(), months["month"].max())
    )
    return f" {note}" if note else ""


def national_slide(db: warehouse.JoblogDB, group: str, start: date, month: date) -> Slide:
    # THE national trend (views.parts, published row by row, so filtering after publishing is the same).
    trend = parts.area_trend(db, Selection(month, group)).filter(
        pl.col("benefit_group").is_in(_series(group)) & pl.col("month").is_between(start, month)
    )
    before, after = _share_at(trend, start), _share_at(trend, month)
    label = reference.group_label(group).lower()
    if before is not None and after is not None:
        title = f"Andelen med registreret jobsøgning {_change_words(before, after)} siden {fmt.month_short(start)}"
    else:
        title = f"Andelen med registreret jobsøgning, {label}"
    fig = meeting.share_lines(
        [(t("national"), trend, style.group_colour(group), None)], title, group=group, break_note_below=False
    )
    message = f"{t('national')}, {label}, {fmt.month_short(start)} – {fmt.month_short(month)}."
    message += _break_note(group, trend)
    alt = f"Linjediagram: {title}."
    marked = [
        f"{e.label} ({fmt.month_short(e.start)})"
        for e in reference.events()
        if group in e.benefit_groups and start <= e.start <= month
    ]
    notes = (_sentence(title), message, *([f"Markeret på kurven: {', '.join(marked)}."] if marked else []))
    return Slide("trend", title, message, _bigger(fig), alt, notes)


def spread_slide(db: warehouse.JoblogDB, group: str, area: str, month: date, highlight: int | None) -> Slide:
    raw = parts.area_snapshot(db, Selection(month, group, area=area))  # shared with the funnel's query
    snap = spread.build(db, Selection(month, group, area=area)).shown  # THE published, placed snapshot
    shown = snap.filter(pl.col("share_joblogged").is_not_null()).sort("share_joblogged")
    area_label = reference.area_by_key(area).label if reference.area_by_key(area) else area  # type: ignore[union-attr]
    # the area's pooled share: a sum over its municipalities (raw)
    persons = int(raw["persons"].sum())
    pooled = (persons - int(raw["persons_0"].sum())) / persons if persons >= privacy.MIN_PERSONS else None
    if shown.height >= 2:
        low, high = shown.row(0, named=True), shown.row(-1, named=True)
        title = (
            f"Kommunerne spænder fra {fmt.pct(low['share_joblogged'])} ({low['name']}) "
            f"til {fmt.pct(high['share_joblogged'])} ({high['name']})"
        )
    else:
        title = f"For få kommuner med tal i {area_label}"
    fig = meeting.spread_dots(snap, pooled, title, highlight=highlight, reference_label=area_label)
    message = f"Andel med registreret jobsøgning i hver kommune, {area_label}, {fmt.month_short(month)}."
    placed = snap.filter(pl.col("placed").is_not_null()).height
    hidden, bounded = snap.height - placed, placed - shown.height
    notes = (
        _sentence(title),
        message,
        f"{shown.height} kommuner med tal"
        + (f", {bounded} med en grænse (trekant: mindst/højst)" if bounded else "")
        + (f"; {hidden} vises ikke (for få personer)." if hidden else ".")
        + (f" Stiplet linje: {area_label} samlet, {fmt.pct(pooled)}" if pooled is not None else ""),
    )
    return Slide("spread", title, message, _bigger(fig), f"Prikdiagram: {title}.", notes)


def funnel_slide(db: warehouse.JoblogDB, group: str, area: str, month: date, highlight: int | None) -> Slide:
    table = export_tables.funnel_frame(db, Selection(month=month, group=group, area=area))
    under = int((table["verdict"] == stats.VERDICT_UNDER).sum())
    over = int((table["verdict"] == stats.VERDICT_OVER).sum())
    title = (
        f"{under} {'kommune' if under == 1 else 'kommuner'} ligger under og {over} over det forventede niveau"
    )
    target, tau2 = float(table["target"][0]), float(table["tau2"][0])
    curve = stats.funnel_curve(target, tau2, n_max=float(table["persons"].max() or 10) * 1.2)  # type: ignore[operator]
    fig = meeting.funnel_chart(table, curve, target, title, highlight=highlight)
    message = (
        "Uden for tragten er forskellen større end tilfældig variation; små kommuner svinger mest. "
        f"Landsniveau: {fmt.pct(target)}"
    )
    named = {
        verdict: sorted(table.filter(pl.col("verdict") == verdict)["municipality"].to_list())
        for verdict in (stats.VERDICT_UNDER, stats.VERDICT_OVER)
    }
    notes = (
        _sentence(title),
        _sentence(message),
        *(f"{verdict.capitalize()} niveau: {', '.join(names)}." for verdict, names in named.items() if names),
    )
    fig = _bigger(fig).update_layout(margin={"b": 125})  # ticks, axis title and legend in 18 pt
    return Slide("funnel", title, message, fig, f"Tragtdiagram: {title}.", notes)


def follow_up_choice(db: warehouse.JoblogDB, selection: Selection) -> tuple[int, str] | None:
    """(code, why) of the area's municipality most in need of follow-up this month (views.followup's list,
    most severe first); None when the list is empty."""
    listed = followup.build(db, selection).listed
    if listed.is_empty():
        return None
    return int(listed["code"][0]), str(listed["why"][0])


def _chosen_series(
    db: warehouse.JoblogDB, group: str, code: int, start: date, month: date, compare: tuple[int, ...]
) -> list[tuple[str, pl.DataFrame, str, str | None]]:
    """The municipalities chosen on Kommuneprofil, as dashed lines over the deck's period."""
    comparison = profile.compared(db, Selection(month=month, group=group, municipality=code, compare=compare))
    colours = [c for c in style.OKABE_ITO if c not in (meeting.HIGHLIGHT, style.REFERENCE_LINE)]
    in_period = pl.col("month").is_between(start, month) & pl.col("share_joblogged").is_not_null()
    return [
        (
            name,
            comparison.trend.filter((pl.col("code") == other) & in_period),
            colours[i % len(colours)],
            "dash",
        )
        for i, (other, name) in enumerate(zip(comparison.codes[1:], comparison.names[1:], strict=True))
    ]


def municipality_slide(
    db: warehouse.JoblogDB, group: str, code: int, start: date, month: date, why: str | None = None,
    compare: tuple[int, ...] = (),
) -> Slide:  # fmt: skip
    view = profile.build(db, Selection(month=month, group=group, municipality=code))
    name = view.name
    in_period = pl.col("month").is_between(start, month) & pl.col("benefit_group").is_in(_series(group))
    own = view.own.filter(in_period & pl.col("share_joblogged").is_not_null())
    nation = view.nation.filter(in_period)
    share, national = view.key.share, _share_at(nation, month)
    if share is not None and national is not None:
        where = fair.relation(share, national)
        gap = "" if where == fair.LEVEL else f"{fmt.pp(abs(share - national)).lstrip('+')} "
        title = f"{name}: {fmt.pct(share)} — {gap}{t('relation_' + where)} landet"
    else:
        title = f"{name}: for få personer til at vise andelen"
    chosen = _chosen_series(db, group, code, start, month, compare) if compare else []
    fig = meeting.share_lines(
        [(name, own, meeting.HIGHLIGHT, None), (t("national"), nation, style.REFERENCE_LINE, "dot"), *chosen],
        title,
        group=group,
        break_note_below=False,
    )
    before = _share_at(own, start)
    message = (
        f"Andelen i {name} {_change_words(before, share)} siden {fmt.month_short(start)}."
        if before is not None and share is not None
        else f"{name} og landet, {fmt.month_short(start)} – {fmt.month_short(month)}."
    )
    if why is not None:  # chosen by the follow-up list, not by the user: say why
        message = (
            f"Valgt som kommunen med størst behov for opfølgning: {why.replace(' · ', '; ')}. " + message
        )
    elif view.status.expected_sentence:
        message += " " + view.status.expected_sentence
    message += _break_note(group, pl.concat([own.select("month"), nation.select("month")]))
    # The brief's talking points, read off the same profile view.
    notes = (_sentence(title), *brief.talking_points(brief.figures(view, "")))
    return Slide("municipality", title, message, _bigger(fig), f"Linjediagram: {title}.", notes)


def build_deck(db: warehouse.JoblogDB, selection: Selection, follow_up: bool = False) -> list[Slide]:
    """Four slides from the selection (month, start, group, area, municipality): national trend, spread,
    funnel, the chosen municipality. `follow_up`: no municipality was chosen, so the last slide (and the
    marked dot) is the area's municipality most in need of follow-up, with the reasons."""
    month, group, area, municipality = (
        selection.month,
        selection.group,
        selection.area,
        selection.municipality,
    )
    start = selection.start or fmt.add_months(month, -12)
    if start >= month:
        start = fmt.add_months(month, -12)
    months = parts.months(db, selection)
    if start not in months:
        start = months[0]
    why = None
    if follow_up:
        found = follow_up_choice(db, Selection(month=month, group=group, area=area))
        if found is not None:
            municipality, why = found
    return [
        national_slide(db, group, start, month),
        spread_slide(db, group, area, month, municipality),
        funnel_slide(db, group, area, month, municipality),
        municipality_slide(db, group, municipality, start, month, why, selection.compare),
    ]
