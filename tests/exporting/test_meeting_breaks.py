"""The visit brief, the deck and Ydelsesgrupper draw a series continued across the kontanthjælp reform (uddannelseshjælp ->
uddannelsesparate kontanthjælp under 30, July 2025) whole, with the trend chart's break marker and note,
when their months span the break, and neither when they do not."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import polars as pl
import pytest

from joblog_dash.charts import meeting
from joblog_dash.data import reference, warehouse
from joblog_dash.exporting import brief, deck
from joblog_dash.ui import groups as groups_ui
from joblog_dash.views import groups as groups_view
from joblog_dash.views import profile
from joblog_dash.views.selection import Selection

MARKER_X = "2025-06-16"  # between June 2025, the last month of uddannelseshjælp, and July 2025
NOTE = "Brud i serien fra juli 2025"
AARHUS = 751


def _frame(months: list[date]) -> pl.DataFrame:
    groups = ["uddannelsesparate" if m >= reference.REFORM_2025 else "uddannelseshjaelp" for m in months]
    return pl.DataFrame({"benefit_group": groups, "month": months, "share_joblogged": [0.6] * len(months)})


def _marked(fig: go.Figure) -> bool:
    layout = fig.to_dict()["layout"]
    return any(str(s.get("x0")) == MARKER_X for s in layout.get("shapes", [])) and any(
        a["text"] == "Brud i serien" for a in layout.get("annotations", [])
    )


def _noted(fig: go.Figure) -> bool:
    return any(a["text"].startswith(NOTE) for a in fig.to_dict()["layout"].get("annotations", []))


def test_share_lines_mark_a_span_across_the_break_and_carry_the_note() -> None:
    spans = _frame([date(2025, m, 1) for m in range(1, 13)])
    fig = meeting.share_lines([("Landet", spans, "#000", None)], "titel", group="uddannelsesparate")
    assert _marked(fig) and _noted(fig)
    note = next(a["text"] for a in fig.to_dict()["layout"]["annotations"] if a["text"].startswith(NOTE))
    assert "fortsætter som" in note.replace("<br>", " ")


def test_share_lines_before_or_after_the_break_have_neither() -> None:
    before = _frame([date(2024, m, 1) for m in range(1, 13)])
    after = _frame([date(2025, m, 1) for m in range(7, 13)])
    for frame, group in ((before, "uddannelseshjaelp"), (after, "uddannelsesparate")):
        fig = meeting.share_lines([("Landet", frame, "#000", None)], "titel", group=group)
        assert not _marked(fig) and not _noted(fig)


@pytest.fixture(scope="module")
def db(demo_data_dir: Path) -> warehouse.JoblogDB:
    return warehouse.open_db(demo_data_dir)


def _brief_trend(db: warehouse.JoblogDB, month: date, group: str) -> go.Figure:
    view = profile.build(db, Selection(month=month, group=group, municipality=AARHUS))
    return brief.charts(brief.figures(view, ""))["trend"]  # type: ignore[return-value]


def test_the_brief_draws_the_continued_series_whole_with_marker_and_note(db: warehouse.JoblogDB) -> None:
    fig = _brief_trend(db, date(2026, 3, 1), "uddannelsesparate")
    assert _marked(fig) and _noted(fig)
    national = next(tr for tr in fig.to_dict()["data"] if tr["name"] == "Hele landet")
    assert str(national["x"][0]) < "2025-07" < str(national["x"][-1])  # both groups' months on one line


def test_the_brief_before_the_break_has_neither(db: warehouse.JoblogDB) -> None:
    fig = _brief_trend(db, date(2025, 3, 1), "uddannelseshjaelp")
    assert not _marked(fig) and not _noted(fig)


def test_the_deck_marks_the_break_and_says_it_on_the_slide(db: warehouse.JoblogDB) -> None:
    spans = [
        deck.national_slide(db, "uddannelsesparate", date(2024, 9, 1), date(2026, 3, 1)),
        deck.municipality_slide(db, "uddannelsesparate", AARHUS, date(2024, 9, 1), date(2026, 3, 1)),
    ]
    for slide in spans:
        assert _marked(slide.figure)
        assert NOTE in slide.message
    after = deck.national_slide(db, "uddannelsesparate", date(2025, 8, 1), date(2026, 3, 1))
    assert not _marked(after.figure) and NOTE not in after.message


# --- Ydelsesgrupper: the heat map's month columns and the spread over the months of the series ----------


def _groups_figures(db: warehouse.JoblogDB, month: date, group: str) -> tuple[go.Figure, go.Figure]:
    view = groups_view.build(db, Selection(month, group, area="region-nordjylland"))
    return groups_ui._heatmap_figure(view), groups_ui._spread_figure(view)


def test_ydelsesgrupper_shows_the_continued_series_with_marker_and_note(db: warehouse.JoblogDB) -> None:
    heat, spread = _groups_figures(db, date(2026, 3, 1), "uddannelsesparate")
    # the month columns' scatter traces carry their month; the hidden cells' legend entry has none
    months = [tr["meta"] for tr in heat.to_dict()["data"] if tr["type"] == "scatter" and "meta" in tr]
    assert months[0] < "2025-07" < months[-1]  # the heat map's columns on both sides of the break
    column = months.index("2025-07-01") - 0.5
    shapes = heat.to_dict()["layout"]["shapes"]
    assert any(s.get("x0") == column and s.get("yref") == "paper" for s in shapes) and _noted(heat)
    assert _marked(spread) and _noted(spread)


def test_ydelsesgrupper_before_the_break_or_in_another_group_has_neither(db: warehouse.JoblogDB) -> None:
    heat = _groups_figures(db, date(2025, 3, 1), "uddannelseshjaelp")[0]  # 36 months up to March 2025
    assert not any(s.get("yref") == "paper" for s in heat.to_dict()["layout"].get("shapes", []))
    assert not _noted(heat)
    # The spread covers every month of the series, so it spans the break from either side; another group not.
    assert _marked(_groups_figures(db, date(2025, 3, 1), "uddannelseshjaelp")[1])
    spread = _groups_figures(db, date(2026, 3, 1), "kontanthjaelp")[1]
    assert not _marked(spread) and not _noted(spread)


def test_the_brief_lists_only_the_groups_that_exist_in_the_month(db: warehouse.JoblogDB) -> None:
    def listed(month: date, group: str) -> set[str]:
        view = profile.build(db, Selection(month=month, group=group, municipality=AARHUS))
        return {g.group for g in brief.figures(view, "").groups}

    assert "uddannelseshjaelp" not in listed(date(2026, 3, 1), "uddannelsesparate")
    assert "uddannelseshjaelp" in listed(date(2025, 3, 1), "uddannelseshjaelp")
