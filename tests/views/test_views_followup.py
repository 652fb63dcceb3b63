"""views.followup.build (Opfølgning): no listed municipality and no letter row shows a figure resting on a
count of 1–4, checked against DuckDB SQL on the parquet file over every region and three months."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from helpers import muni_counts, rests_on_small

from joblog_dash.data import reference, warehouse
from joblog_dash.views import followup
from joblog_dash.views.selection import Selection

MONTHS = (date(2018, 9, 1), date(2020, 9, 1), date(2021, 3, 1))
GROUP = "uddannelseshjaelp"


def test_listed_shares_equal_sql_and_rest_on_no_small_count(
    demo_data_dir: Path, demo_facts_path: Path
) -> None:
    db = warehouse.open_db(demo_data_dir)
    counts = muni_counts(demo_facts_path, GROUP)
    listed = 0
    for month in MONTHS:
        for area in (a for a in reference.areas() if a.kind == "region"):
            view = followup.build(db, Selection(month, GROUP, area=area.key))
            for code, persons, share in view.listed.select("code", "persons", "share").iter_rows():
                n, none = counts[(code, month)]
                assert persons == n and not rests_on_small(n, none), (month, area.key, code)
                assert abs(share - (n - none) / n) < 1e-12
                listed += 1
            for name in view.skipped:
                assert name not in view.listed["name"].to_list()
    assert listed > 0


def test_letter_rows_hidden_whole_show_no_count(demo_data_dir: Path) -> None:
    view = followup.build(
        warehouse.open_db(demo_data_dir), Selection(date(2018, 9, 1), GROUP, area="region-nordjylland")
    )
    assert view.letter is not None
    hidden = view.letter.filter("suppressed")
    assert hidden.height > 0  # Læsø: fewer than 5 persons a month on average
    for column in ("persons_before", "persons_after", "share_before", "share_after", "change", "z"):
        assert hidden[column].null_count() == hidden.height, column
