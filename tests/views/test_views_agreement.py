"""Page, brief, deck and `export profile` say the same about every municipality: one computation each.

Issue 10 measured the brief contradicting the page for all 98 municipalities in June 2020 (the brief ran the
signal rules over the whole series without the COVID suspension and with a 3-month window). The rule now
lives once (views.parts.signals → analysis.followup.municipality_signals): a 24-month window ending in the
chosen month, suspended months left out, signals of the chosen month. This test renders every surface for
all 98 municipalities in June 2020, September 2020 and March 2021 and compares what each says.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from helpers import run_page, section

from joblog_dash.analysis import followup
from joblog_dash.data import reference, warehouse
from joblog_dash.exporting import brief, deck
from joblog_dash.exporting import files as exports
from joblog_dash.exporting import tables as export_tables
from joblog_dash.text import fmt
from joblog_dash.text.strings import t
from joblog_dash.views import profile
from joblog_dash.views.selection import Selection

MONTHS = (date(2020, 6, 1), date(2020, 9, 1), date(2021, 3, 1))
GROUP = "kontanthjaelp"
CODES = reference.municipalities()["code"].to_list()


def _export_status(db: warehouse.JoblogDB, sel: Selection) -> dict[str, str]:
    frame, meta = export_tables.build(db, "profile", sel)
    text = exports.to_danish_csv(frame, meta).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))[exports.PREAMBLE_LINES :]
    header, body = rows[0], rows[1:]
    chosen = next(r for r in body if r[0] == reference.group_label(GROUP))
    return {
        "funnel": chosen[header.index(t("export_col_funnel"))],
        "signal": chosen[header.index(t("export_col_signal"))],
        "letter": chosen[header.index(t("export_col_letter"))],
    }


@pytest.mark.parametrize("month", MONTHS, ids=lambda m: m.isoformat()[:7])
def test_brief_deck_and_export_render_the_profile_view(demo_data_dir: Path, month: date) -> None:
    db = warehouse.open_db(demo_data_dir)
    adverse_points = 0
    for code in CODES:
        sel = Selection(month=month, group=GROUP, municipality=code)
        view = profile.build(db, sel)
        figures = brief.figures(view, "test")
        points = brief.talking_points(figures)
        assert figures.funnel_verdict == view.status.verdict
        assert figures.signal_text == view.status.signal_text
        follow = [p for p in points if p.startswith("Til opfølgning")]
        assert bool(follow) == bool(view.status.signal_adverse and view.status.signal_text), (code, points)
        adverse_points += bool(follow)
        exported = _export_status(db, sel)
        assert exported == {
            "funnel": view.status.verdict or "",
            "signal": view.status.signal_text or "",
            "letter": (view.status.letter or {}).get("moved") or "",
        }
        slide = deck.municipality_slide(db, GROUP, code, fmt.add_months(month, -12), month)
        share = view.key.share
        assert (fmt.pct(share) in slide.title) if share is not None else ("for få personer" in slide.title)
    # The national suspension (March–May 2020) no longer reads as every municipality failing.
    assert adverse_points < len(CODES) // 4


def test_signal_rule_leaves_out_the_suspended_months(demo_data_dir: Path) -> None:
    """Worked independently: the window's months, minus those the events file marks as suspended."""
    db = warehouse.open_db(demo_data_dir)
    view = profile.build(db, Selection(month=date(2020, 9, 1), group=GROUP, municipality=101))
    table = view.status.signals
    assert table.height == followup.WINDOW
    assert table["month"].min() == date(2018, 10, 1) and table["month"].max() == date(2020, 9, 1)
    excluded = table.filter(pl.col("excluded"))["month"].to_list()
    assert excluded == [date(2020, 3, 1), date(2020, 4, 1), date(2020, 5, 1)]
    assert table.filter(pl.col("excluded"))["share"].null_count() == 3  # no share drawn for those months


@pytest.mark.parametrize(("code", "month"), [(101, MONTHS[0]), (360, MONTHS[1]), (751, MONTHS[2])])
def test_the_page_shows_the_view_s_verdict_and_signals(demo_data_dir: Path, code: int, month: date) -> None:
    db = warehouse.open_db(demo_data_dir)
    view = profile.build(db, Selection(month=month, group=GROUP, municipality=code))
    at = run_page(
        "pages/2_kommuneprofil.py",
        {"kommune": str(code), "maaned": fmt.month_key(month), "gruppe": GROUP, **section("followup")},
    )
    text = "\n".join(m.value for m in at.markdown)
    if view.status.verdict is not None:
        assert f"**{view.status.verdict}**" in text or view.status.verdict in text
    if view.status.signal_text is not None and view.status.signal_active:
        assert view.status.signal_text in text
    elif view.status.signal_text is not None:
        assert t("profile_no_signals") in text
