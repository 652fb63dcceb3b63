"""One sweep over every page: the figures speak Danish (months, 'pct.') and each title is bold once."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from helpers import figures, run_page, section

from joblog_dash.charts import style

# English month abbreviations as plotly writes them ("Jan 2020", "Oct 15"); Danish ones are lower case
# with a dot ("jan. 2020") or "maj", so a capitalised name followed by a space or digit is English.
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[ \d]")
# Date formats in hover templates would make plotly write English month names at hover time.
DATE_FORMAT = re.compile(r"%\{[^}]*\|[^}]*%[bBaA]")
# A share written with a bare per cent sign in a label, legend or hover text ('75,8 %', '%{y:.1%}').
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
PERCENT_SIGN = re.compile(r"\d %|:\.\d%\}")

PAGES = [
    (None, {}),
    *[("pages/1_kommuner.py", section(key)) for key in ("ranking", "fair", "regions")],
    *[
        ("pages/2_kommuneprofil.py", {"kommune": "360", "maaned": "2018-09", **section(key)})
        for key in ("key", "rank", "breakdowns", "followup")
    ],
    *[("pages/3_ydelsesgrupper.py", section(key)) for key in ("compare", "spread", "movers", "breakdowns")],
    ("pages/4_opfoelgning.py", {"kommune": "360"}),
    ("pages/5_om_tallene.py", {}),
]


def texts(value: Any) -> list[str]:
    """Every string in a figure JSON except axis formats (tick labels may keep '%')."""
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in ("tickformat", "hoverformat") for s in texts(v)]
    if isinstance(value, list):
        return [s for v in value for s in texts(v)]
    return [value] if isinstance(value, str) else []


@pytest.fixture(scope="module")
def all_figures(demo_data_dir: Path) -> list[tuple[str, dict[str, Any]]]:
    found = []
    for page, params in PAGES:
        at = run_page(page, params)
        found += [(page or "app.py", fig) for fig in figures(at)]
    return found


def test_every_page_has_figures(all_figures: list[tuple[str, dict[str, Any]]]) -> None:
    assert {page for page, _ in all_figures} >= {"app.py", "pages/1_kommuner.py", "pages/4_opfoelgning.py"}


def test_no_english_month_names(all_figures: list[tuple[str, dict[str, Any]]]) -> None:
    for page, fig in all_figures:
        text = json.dumps(fig, ensure_ascii=False)
        assert not ENGLISH_MONTH.search(text), (page, ENGLISH_MONTH.search(text))
        assert not DATE_FORMAT.search(text), (page, DATE_FORMAT.search(text))


def date_axes(fig: dict[str, Any]) -> set[str]:
    """Layout names of the x axes that carry dates (plotly decides the type in the browser, by the values)."""
    found = set()
    for trace in fig["data"]:
        xs = trace.get("x")
        if isinstance(xs, list) and xs and isinstance(xs[0], str) and ISO_DATE.match(xs[0]):
            found.add("xaxis" + trace.get("xaxis", "x")[1:])
    return found


def test_date_axes_have_danish_tick_labels(all_figures: list[tuple[str, dict[str, Any]]]) -> None:
    dated = 0
    for page, fig in all_figures:
        for name in date_axes(fig):
            dated += 1
            axis = fig["layout"].get(name, {})
            assert axis.get("ticktext"), (page, name, fig["layout"]["title"]["text"])
            assert not any(ENGLISH_MONTH.search(str(label)) for label in axis["ticktext"]), (page, name)
    assert dated >= 5  # trend, p-charts, profile panels, heat map, spread


def test_title_bold_by_font_and_subtitle_plain(all_figures: list[tuple[str, dict[str, Any]]]) -> None:
    # Streamlit's theme wraps the title text in <b> in the browser (again on every render): a <b> or a
    # subtitle inside the text would come out nested / bold. Bold is the font weight, the subtitle separate.
    for page, fig in all_figures:
        title = fig["layout"]["title"]
        assert "<b>" not in title["text"] and "<br>" not in title["text"], (page, title["text"])
        assert title["font"]["weight"] == "bold", page
        if title.get("subtitle", {}).get("text"):
            assert title["subtitle"]["font"]["weight"] == "normal", page
            assert "<b>" not in title["subtitle"]["text"], page


def test_shares_are_written_with_pct(all_figures: list[tuple[str, dict[str, Any]]]) -> None:
    for page, fig in all_figures:
        for text in texts(fig):
            assert not PERCENT_SIGN.search(text), (page, text)


def test_danish_date_axis_labels() -> None:
    months = [date(2019, m, 1) for m in range(1, 13)] + [date(2020, m, 1) for m in range(1, 7)]
    fig = style.danish_date_axis(go.Figure(go.Scatter(x=months, y=list(range(18)))), months)
    layout = fig.to_plotly_json()["layout"]["xaxis"]
    assert layout["type"] == "date"
    assert layout["ticktext"][0] == "jan. 2019"
    assert all(not ENGLISH_MONTH.search(label) for label in layout["ticktext"])
    assert len(layout["tickvals"]) == len(layout["ticktext"]) <= 8


@pytest.mark.parametrize("height", [300, 420, 1500])
def test_source_note_sits_inside_the_figure(height: int) -> None:
    fig = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]))
    style.base_layout(fig, "Titel", "Undertitel", height=height)
    style.add_source_note(fig, "Kilde: test")
    note = fig.layout.annotations[-1]
    bottom = fig.layout.margin.b
    assert fig.layout.height == height + style.NOTE_PX
    # Anchored at the plot's bottom edge and moved down into the margin, but never past the figure's edge.
    assert note.y == 0 and note.yanchor == "bottom" and -bottom < note.yshift < -bottom + 10


def test_every_figure_spec_is_valid_plotly(all_figures: list[tuple[str, dict[str, Any]]]) -> None:
    # The charts are built as plain JSON (charts.spec.SpecFigure) that Streamlit sends unchecked: plotly's
    # validators must still accept every figure every page sends.
    for page, fig in all_figures:
        go.Figure(fig)  # raises ValueError on an unknown property or a bad value
        assert fig["data"], page
