"""Crafted links never crash a page: every page × every URL parameter × a list of hostile values.

Each value is put into every parameter of the page at once (the parameters are resolved independently, so
one run exercises all of them) and must give no exception, a Danish notice for the bad values and the
default view. A few values are then checked one parameter at a time where the fallback is specific.
"""

from __future__ import annotations

import pytest
from helpers import run_page

from joblog_dash.ui import state
from joblog_dash.ui.layout import PAGES, PRESENTATION_PARAM, SECTION_PARAM
from joblog_dash.ui.presenting import SLIDE_PARAM

# Superscripts and other Unicode digits pass str.isdigit() but not int(); 5,000 nines pass isdigit() but
# int() refuses strings over 4,300 digits; year 0 and 9999 are outside what datetime.date can step around.
HOSTILE = [
    "0000-01",
    "9999-12",
    "²",
    "2018-⁰¹",
    "١٢٣",  # Arabic-Indic digits: str.isdecimal() is true, int() reads them
    "9" * 5000,
    "-1",
    "",
    " ",
    "1e400",
    "[klik](http://x.example) ![](http://x.example/i.png)",
    "<script>alert(1)</script>",
    "\x00\u202e",
    "a" * 20000,
]
PARAMS = [*state.PARAMS.values(), SLIDE_PARAM, SECTION_PARAM]


@pytest.mark.parametrize("page", [script for script, _, _ in PAGES])
def test_every_parameter_with_every_hostile_value_renders(demo_data_dir, page: str) -> None:
    failures = []
    for value in HOSTILE:
        at = run_page(None if page == "app.py" else page, dict.fromkeys(PARAMS, value), check=False)
        if at.exception:
            failures.append(f"{value[:30]!r}: {at.exception[0].value[:300]}")
            continue
        shown = " ".join(n.value for n in at.info)
        # A value that is not valid for a parameter is named in a notice (never silently used).
        if value.strip() and "Ugyldig værdi" not in shown:
            failures.append(f"{value[:30]!r}: no notice")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", list(state.PARAMS.values()))
def test_one_hostile_parameter_falls_back_to_the_default_view(demo_data_dir, name: str) -> None:
    default = run_page(None, {})
    for value in ("²", "9" * 5000, "0000-01"):
        at = run_page(None, {name: value}, check=False)
        assert not at.exception, (name, value[:20], at.exception)
        assert [n.value for n in at.info if "Ugyldig værdi" in n.value], (name, value[:20])
        assert at.query_params[name] == default.query_params[name]  # the cleaned value went back into the URL


def test_a_month_outside_the_data_shows_the_nearest_month(demo_data_dir) -> None:
    at = run_page(None, {"maaned": "2099-06", "fra": "2001-01"})
    assert at.query_params["maaned"] == "2026-08"  # the demo's last month
    assert at.query_params["fra"] == "2015-01"  # its first
    assert len([n for n in at.info if "data har ikke den måned" in n.value]) == 2


def test_presentation_slide_out_of_range_or_hostile(demo_data_dir) -> None:
    page = "pages/6_praesentation.py"
    for value, slide in (("²", "1"), ("9" * 5000, "4"), ("3", "3"), ("0", "1")):
        at = run_page(page, {SLIDE_PARAM: value, PRESENTATION_PARAM: "1"}, check=False)
        assert not at.exception, (value[:20], at.exception)
        assert at.query_params[SLIDE_PARAM] == slide, value[:20]
