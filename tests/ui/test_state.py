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
    filters, notices = state.resolve({}, None, CHOICES)
    assert (filters.month, filters.group, filters.area, filters.municipality) == (
        date(2018, 9, 1),
        "kontanthjaelp",
        NATIONAL,
        101,
    )
    assert filters.start == date(2017, 9, 1)
    assert notices == ()


def test_valid_parameters_restore_the_view_and_round_trip() -> None:
    params = {"maaned": "2018-01", "omraade": "region-sjaelland", "gruppe": "dagpenge", "kommune": "360"}
    filters, _ = state.resolve(params, None, CHOICES)
    assert filters.month == date(2018, 1, 1) and filters.area == "region-sjaelland"
    assert filters.group == "dagpenge" and filters.municipality == 360
    assert state.resolve(state.to_params(filters), None, CHOICES) == (filters, ())


def test_municipality_by_name_or_leading_zero_code() -> None:
    assert state.resolve({"kommune": "Lolland"}, None, CHOICES)[0].municipality == 360
    assert state.resolve({"kommune": "0147"}, None, CHOICES)[0].municipality == 147


def test_bad_parameters_fall_back_with_a_notice_each() -> None:
    params = {"maaned": "2099-13", "omraade": "<script>", "gruppe": "x", "kommune": "9999", "fra": "abc"}
    filters, notices = state.resolve(params, None, CHOICES)
    assert filters == state.default_selection(CHOICES)
    assert len(notices) == 5
    # The offending value is quoted, escaped so Markdown shows it literally.
    assert any("script" in n and "<script>" not in n for n in notices)


def test_a_month_the_data_lacks_is_named_as_missing_with_the_months_the_data_has() -> None:
    # A link from before a rollback: well-formed months the current data does not have (CHOICES: jan. 2017 to
    # sep. 2018). The notice says so, names the data's range and the months shown, never "invalid value".
    filters, notices = state.resolve({"maaned": "2018-11", "fra": "2016-05"}, None, CHOICES)
    assert (filters.month, filters.start) == (date(2018, 9, 1), date(2017, 1, 1))
    assert notices == (
        "Linket beder om nov. 2018 (maaned), men data har ikke den måned — de går fra jan. 2017 til sep. 2018. "
        "Viser i stedet sep. 2018.",
        "Linket beder om maj 2016 (fra), men data har ikke den måned — de går fra jan. 2017 til sep. 2018. "
        "Viser i stedet jan. 2017.",
    )


def test_markdown_in_a_bad_parameter_is_shown_literally() -> None:
    _, notices = state.resolve({"omraade": "[klik](http://x.example)"}, None, CHOICES)
    assert "\\[klik\\]" in notices[0]


def test_remembered_filters_fill_missing_parameters() -> None:
    remembered, _ = state.resolve({"maaned": "2018-02", "gruppe": "dagpenge"}, None, CHOICES)
    filters, _ = state.resolve({"omraade": "region-sjaelland"}, remembered, CHOICES)
    assert filters.month == date(2018, 2, 1) and filters.group == "dagpenge"
    assert filters.area == "region-sjaelland"


def test_start_after_month_is_moved_before_it() -> None:
    filters, _ = state.resolve({"maaned": "2018-03", "fra": "2018-06"}, None, CHOICES)
    assert filters.start < filters.month


def test_page_choices_round_trip_and_fall_back() -> None:
    """The measure, the over-dispersion toggle and the comparison level are URL parameters like the filters."""
    params = {"maal": "ingen", "spredning": "ujusteret", "niveau": "omraade", "omraade": "region-sjaelland"}
    filters, notices = state.resolve(params, None, CHOICES)
    assert (filters.measure, filters.overdispersion, filters.target) == ("none", False, "area")
    assert notices == ()
    assert state.to_params(filters)["maal"] == "ingen"
    filters, notices = state.resolve({"maal": "alt", "spredning": "1"}, None, CHOICES)
    assert (filters.measure, filters.overdispersion) == ("joblogged", True)
    assert len(notices) == 2


# Around the kontanthjælp reform of 1 July 2025: uddannelseshjælp ends in June 2025, the uddannelsesparate
# kontanthjælp recipients under 30 continue its series from July 2025.
REFORM_CHOICES = state.Choices(
    months=[date(2025, m, 1) for m in range(1, 13)] + [date(2026, m, 1) for m in range(1, 9)],
    groups=["kontanthjaelp", "uddannelseshjaelp", "dagpenge", "uddannelsesparate"],
    areas=[NATIONAL],
    municipalities=[101],
)


def test_the_group_filter_offers_a_group_only_in_its_months() -> None:
    assert state.groups_in_month(REFORM_CHOICES, date(2025, 6, 1)) == [
        "kontanthjaelp", "uddannelseshjaelp", "dagpenge",
    ]  # fmt: skip
    assert state.groups_in_month(REFORM_CHOICES, date(2025, 7, 1)) == [
        "kontanthjaelp", "dagpenge", "uddannelsesparate",
    ]  # fmt: skip


def test_a_link_with_a_group_outside_its_months_gets_the_continuing_series_and_a_notice() -> None:
    filters, notices = state.resolve(
        {"maaned": "2026-03", "gruppe": "uddannelseshjaelp"}, None, REFORM_CHOICES
    )
    assert (filters.group, filters.month) == ("uddannelsesparate", date(2026, 3, 1))
    assert len(notices) == 1
    assert "Åbenlyst uddannelsesparate uddannelseshjælpsmodtagere" in notices[0]
    assert "til og med jun. 2025" in notices[0] and "mar. 2026" in notices[0]
    assert "Uddannelsesparate kontanthjælpsmodtagere under 30" in notices[0]
    # And back: the new group before it existed shows uddannelseshjælp in that month.
    filters, notices = state.resolve(
        {"maaned": "2025-02", "gruppe": "uddannelsesparate"}, None, REFORM_CHOICES
    )
    assert (filters.group, filters.month) == ("uddannelseshjaelp", date(2025, 2, 1))
    assert len(notices) == 1 and "fra jul. 2025" in notices[0]


def test_without_the_continuing_series_the_group_moves_to_its_nearest_month() -> None:
    choices = state.Choices(REFORM_CHOICES.months, ["kontanthjaelp", "uddannelseshjaelp"], [NATIONAL], [101])
    filters, notices = state.resolve({"maaned": "2026-03", "gruppe": "uddannelseshjaelp"}, None, choices)
    assert (filters.group, filters.month) == ("uddannelseshjaelp", date(2025, 6, 1))
    assert len(notices) == 1
    # The default view of such a dataset is a group that exists in its latest month.
    assert state.default_selection(REFORM_CHOICES).group == "kontanthjaelp"
    assert state.resolve({}, None, REFORM_CHOICES)[1] == ()
