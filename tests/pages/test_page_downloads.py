"""Every chart on every page has its downloads beside it: the chart's data as CSV (and XLSX) and the chart
as an image (PNG/SVG after 'Lav billede'). Counted per page with AppTest."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import run_page

PARAMS = {"kommune": "360", "maaned": "2018-09", "fra": "2018-01", "gruppe": "kontanthjaelp"}
PAGES = [None, "pages/1_kommuner.py", "pages/2_kommuneprofil.py", "pages/3_ydelsesgrupper.py",
         "pages/4_opfoelgning.py"]  # fmt: skip


@pytest.mark.parametrize("page", PAGES)
def test_every_chart_has_a_csv_and_an_image_download(page: str | None, demo_data_dir: Path):
    at = run_page(page, PARAMS)
    charts = len(at.get("plotly_chart"))
    images = [b for b in at.button if b.label == "🖼️ Lav billede (PNG/SVG)"]
    csvs = [d for d in at.get("download_button") if d.proto.label == "⬇️ CSV (Excel)"]
    assert charts >= 1
    assert len(images) == charts, (page, charts, len(images))
    assert len(csvs) >= charts, (page, charts, len(csvs))
