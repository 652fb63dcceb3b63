"""The latest month is named on every page and marked provisional ("foreløbige tal"), also in the month filter.

The demo ends in August 2026 (demo.DEMO_END), so that is the month every page must name.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import run_page

from joblog_dash.ui.layout import month_option

NOTE = "Seneste måned: august 2026 — foreløbige tal"


@pytest.mark.parametrize("page", [None, "pages/1_kommuner.py", "pages/5_om_tallene.py"])
def test_every_page_names_the_latest_month_as_provisional(demo_data_dir: Path, page: str | None) -> None:
    at = run_page(page, {"maaned": "2018-09"})  # also when an older month is selected
    notices = [w.value for w in at.warning if "Demodata" in w.value]
    assert len(notices) == 1 and NOTE in notices[0], notices


def test_month_filter_marks_only_the_latest_month(demo_data_dir: Path) -> None:
    at = run_page(None)
    box = at.selectbox(key="filter_month")
    assert box.value == date(2026, 8, 1)  # without a month in the URL the latest month is shown
    assert box.options[:3] == ["aug. 2026 (foreløbig)", "jul. 2026", "jun. 2026"]
    assert sum("foreløbig" in option for option in box.options) == 1
    assert box.options[-1] == "jan. 2015"


def test_month_option():
    assert month_option(date(2026, 8, 1), date(2026, 8, 1)) == "aug. 2026 (foreløbig)"
    assert month_option(date(2021, 12, 1), date(2026, 8, 1)) == "dec. 2021"
    assert month_option(date(2021, 12, 1), None) == "dec. 2021"
