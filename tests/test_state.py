"""URL filter state: valid values restore the view, bad ones fall back with a notice."""

from datetime import date

from joblog_dash.data.reference import NATIONAL
from joblog_dash.ui import state

CHOICES = state.Choices(
    months=[date(2017, m, 1) for m in range(1, 13)] + [date(2018, m, 1) for m in range(1, 10)],
    groups=["kontanthjaelp", "dagpenge"],
    areas=[NATIONAL, "region-sjaelland"],
    municipalities=[101, 147, 360],
)


def test_defaults_are_latest_month_kontanthjaelp_whole_country() -> None:
    filters = state.resolve({}, None, CHOICES)
    assert (filters.month, filters.group, filters.area, filters.municipality) == (
        date(2018, 9, 1),
        "kontanthjaelp",
        NATIONAL,
        101,
    )
    assert filters.start == date(2017, 9, 1)
    assert filters.notices == ()


def test_valid_parameters_restore_the_view_and_round_trip() -> None:
    params = {"maaned": "2018-01", "omraade": "region-sjaelland", "gruppe": "dagpenge", "kommune": "360"}
    filters = state.resolve(params, None, CHOICES)
    assert filters.month == date(2018, 1, 1) and filters.area == "region-sjaelland"
    assert filters.group == "dagpenge" and filters.municipality == 360
    assert state.resolve(filters.query_params(), None, CHOICES) == filters


def test_municipality_by_name_or_leading_zero_code() -> None:
    assert state.resolve({"kommune": "Lolland"}, None, CHOICES).municipality == 360
    assert state.resolve({"kommune": "0147"}, None, CHOICES).municipality == 147


def test_bad_parameters_fall_back_with_a_notice_each() -> None:
    params = {"maaned": "2099-13", "omraade": "<script>", "gruppe": "x", "kommune": "9999", "fra": "abc"}
    filters = state.resolve(params, None, CHOICES)
    assert filters == state.default_filters(CHOICES)
    assert len(filters.notices) == 5
    # The offending value is quoted, escaped so Markdown shows it literally.
    assert any("script" in n and "<script>" not in n for n in filters.notices)


def test_markdown_in_a_bad_parameter_is_shown_literally() -> None:
    filters = state.resolve({"omraade": "[klik](http://x.example)"}, None, CHOICES)
    assert "\\[klik\\]" in filters.notices[0]


def test_remembered_filters_fill_missing_parameters() -> None:
    remembered = state.resolve({"maaned": "2018-02", "gruppe": "dagpenge"}, None, CHOICES)
    filters = state.resolve({"omraade": "region-sjaelland"}, remembered, CHOICES)
    assert filters.month == date(2018, 2, 1) and filters.group == "dagpenge"
    assert filters.area == "region-sjaelland"


def test_start_after_month_is_moved_before_it() -> None:
    filters = state.resolve({"maaned": "2018-03", "fra": "2018-06"}, None, CHOICES)
    assert filters.start < filters.month
