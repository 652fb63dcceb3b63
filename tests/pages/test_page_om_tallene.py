"""AppTest of the Om tallene page on the demo dataset."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from helpers import run_page
from streamlit.testing.v1 import AppTest

from joblog_dash.config import EVENTS_FILE
from joblog_dash.data import reference, store
from joblog_dash.text import fmt


def run() -> AppTest:
    return run_page("pages/5_om_tallene.py")


def test_renders_measure_groups_events_source_and_admin_section(demo_data_dir: Path) -> None:
    at = run()
    text = " ".join(m.value for m in at.markdown)
    assert "mindst én jobsøgning" in text and "**0**, **1–5** og **6 eller flere**" in text
    for group in ("kontanthjaelp", "uddannelseshjaelp", "dagpenge"):
        assert reference.group_label(group) in text
    # Events: one row per line of events.csv.
    events = at.table[0].value
    assert len(events) == pl.read_csv(EVENTS_FILE).height
    assert "Ministerens brev" in set(events["Begivenhed"])
    # Source and period from the manifest, flagged as demo.
    manifest = store.current_manifest(demo_data_dir)
    assert manifest.version in text and manifest.source in text
    assert "Demodata (syntetiske tal)" in text
    assert fmt.number(manifest.rows) in text
    assert "Ingen kildefiler" in " ".join(c.value for c in at.caption)
    # The latest month is flagged as provisional.
    assert "aug. 2026" in text or "august 2026" in " ".join(w.value for w in at.warning)
    assert any("foreløbig" in w.value for w in at.warning)
    # Suppression is explained with the actual threshold. Changing data needs an administrator: with none
    # configured there is no upload, only the pointer to the CLI (test_admin.py covers the sign-in).
    assert "færre end 5 personer" in text
    headings = [s.value for s in at.subheader]
    assert "Ændre data" in headings and "Ændringslog" in headings and "Indlæs rigtige tal" not in headings
    assert not at.get("file_uploader")
