"""A series continued under another group across the kontanthjælp reform (July 2025) is drawn as one series
with a visible break marker and a note, on every chart that spans the break."""

from __future__ import annotations

from datetime import date

import polars as pl

from joblog_dash.charts import profile, trend
from joblog_dash.data import reference


def _frame(months: list[date]) -> pl.DataFrame:
    rows = []
    for month in months:
        rows.append(("kontanthjaelp", month, 0.8))
        rows.append(("dagpenge", month, 0.9))
        group = "uddannelsesparate" if month >= reference.REFORM_2025 else "uddannelseshjaelp"
        rows.append((group, month, 0.6))
    return pl.DataFrame(rows, schema=["benefit_group", "month", "share_joblogged"], orient="row")


SPANS = _frame([date(2025, m, 1) for m in range(1, 13)])
BEFORE = _frame([date(2024, m, 1) for m in range(1, 13)])
GROUPS = ["kontanthjaelp", "uddannelseshjaelp", "dagpenge", "uddannelsesparate"]


def test_profile_panels_join_the_series_and_mark_the_break() -> None:
    fig = profile.trend_panels(
        [profile.Series("Aarhus", SPANS, "#000")], GROUPS, "titel", "undertitel"
    ).to_dict()
    titles = [a["text"] for a in fig["layout"]["annotations"] if a["text"].startswith("<b>")]
    assert titles == [
        "<b>Kontanthjælp</b>",
        "<b>Uddannelseshjælp → Uddannelsesparate u. 30</b>",
        "<b>Dagpenge</b>",
    ]
    joined = next(tr for tr in fig["data"] if tr["xaxis"] == "x2")
    assert len(joined["x"]) == 12  # both groups' months on one line
    assert [(s["xref"], s["x0"]) for s in fig["layout"]["shapes"]] == [("x2", "2025-06-16")]
    assert any(a["text"].startswith("Brud i serien fra juli 2025") for a in fig["layout"]["annotations"])


def test_no_marker_or_note_on_a_chart_that_does_not_span_the_break() -> None:
    fig = profile.trend_panels([profile.Series("Aarhus", BEFORE, "#000")], GROUPS[:3], "t", "u").to_dict()
    assert not fig["layout"].get("shapes")
    assert not any("Brud" in a["text"] for a in fig["layout"]["annotations"])
    national = BEFORE.with_columns(pl.lit(False).alias("suppressed"))
    figure = trend.trend_figure(national, GROUPS[:3], ()).to_dict()
    assert not any("Brud" in a["text"] for a in figure["layout"].get("annotations", []))


def test_the_trend_chart_marks_the_break_and_carries_the_note() -> None:
    national = SPANS.with_columns(pl.lit(False).alias("suppressed"))
    figure = trend.trend_figure(national, GROUPS, (), source_note="Kilde: demo").to_dict()
    texts = [a["text"] for a in figure["layout"]["annotations"]]
    assert "Brud i serien" in texts
    note = next(x for x in texts if x.startswith("Brud i serien fra juli 2025")).replace("<br>", " ")
    assert "Åbenlyst uddannelsesparate uddannelseshjælpsmodtagere fortsætter som" in note
    assert note.endswith("Kilde: demo")
