"""Danish formatting: decimal comma, thousands dot, 'pct.', Danish month names."""

from datetime import date

from joblog_dash.text import fmt


def test_numbers_use_decimal_comma_and_thousands_dot() -> None:
    assert fmt.number(12345.67, 1) == "12.345,7"
    assert fmt.number(987840) == "987.840"
    assert fmt.number(None) == fmt.MISSING
    assert fmt.number(float("nan")) == fmt.MISSING


def test_shares_and_changes() -> None:
    assert fmt.pct(0.682) == "68,2 pct."
    assert fmt.pct_short(0.682) == "68,2 %"
    assert fmt.pp(0.031) == "+3,1 pct.-point"
    assert fmt.pp(-0.0312) == "−3,1 pct.-point"
    assert fmt.pp(0.0) == "±0,0 pct.-point"
    # A change that rounds to zero has no sign: never "−0,0" or "+0,0".
    assert fmt.pp(-0.0004) == "±0,0 pct.-point" and fmt.pp(0.0004) == "±0,0 pct.-point"
    assert fmt.signed(-0.04) == "0,0" and fmt.signed(-0.06) == "−0,1" and fmt.signed(2.31) == "2,3"


def test_months() -> None:
    assert fmt.month_short(date(2018, 1, 1)) == "jan. 2018"
    assert fmt.month_short(date(2018, 5, 1)) == "maj 2018"
    assert fmt.month_long(date(2020, 3, 1)) == "marts 2020"
    assert fmt.day_long(date(2019, 1, 28)) == "28.\u00a0januar 2019"
    assert fmt.month_key(date(2018, 9, 1)) == "2018-09"
    assert fmt.parse_month_key("2018-09") == date(2018, 9, 1)
    for bad in ("2018-13", "2018-00", "18-01", "2018/01", "<script>", "", "2018-1-1"):
        assert fmt.parse_month_key(bad) is None, bad
    # Outside the year range (year 0 made datetime raise), Unicode digits, a month of many digits.
    for bad in (
        "0000-01",
        "9999-12",
        "1999-12",
        "2018-⁰¹",
        "²⁰¹⁸-01",
        "١٢٣٤-01",
        "2018-001",
        "2018-" + "9" * 5000,
    ):
        assert fmt.parse_month_key(bad) is None, bad[:20]
    assert fmt.parse_month_key("2099-12") == date(2099, 12, 1)
    assert fmt.add_months(date(2018, 1, 1), -1) == date(2017, 12, 1)
    assert fmt.add_months(date(2018, 11, 1), 14) == date(2020, 1, 1)


def test_pp_metric_uses_an_ascii_minus_for_streamlits_arrow() -> None:
    assert fmt.pp_metric(-0.024) == "-2,4 pct.-point"
    assert fmt.pp_metric(0.028) == "+2,8 pct.-point"
    assert fmt.pp_metric(None) is None and fmt.pp_metric(float("nan")) is None
