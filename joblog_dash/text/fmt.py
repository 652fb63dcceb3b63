"""Danish number and date formatting: decimal comma, thousands dot, 'pct.', Danish month names."""

from __future__ import annotations

import math
from datetime import date

import polars as pl

from joblog_dash.text.strings import t

MONTHS_SHORT = ("jan.", "feb.", "mar.", "apr.", "maj", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.", "dec.")
MONTHS_LONG = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip
MISSING = "–"
_DANISH_SEPARATORS = str.maketrans({",": ".", ".": ","})  # swap thousands and decimal separators


def _is_missing(value: float | int | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def number(value: float | int | None, decimals: int = 0) -> str:
    """12345.6 -> '12.345,6' (decimals=1)."""
    if _is_missing(value):
        return MISSING
    return f"{value:,.{decimals}f}".translate(_DANISH_SEPARATORS)


def pct(share: float | None, decimals: int = 1) -> str:
    """A share as a fraction, 0.682 -> '68,2 pct.'."""
    return MISSING if _is_missing(share) else f"{number(share * 100, decimals)} pct."


def bounded(kind: str | None, lower: float | None, upper: float | None, decimals: int = 1) -> str:
    """A share published as a bound (analysis.privacy): 'min' -> 'mindst 96,8 pct.', 'max' -> 'højst 3,2 pct.'."""
    if kind == "min":
        return t("bound_min", share=pct(lower, decimals))
    if kind == "max":
        return t("bound_max", share=pct(upper, decimals))
    return MISSING


def share_or_bound(
    share: float | None, kind: str | None, lower: float | None, upper: float | None, decimals: int = 1
) -> str:
    """The share, or its bound where only the bound is published."""
    return pct(share, decimals) if not _is_missing(share) else bounded(kind, lower, upper, decimals)


def pct_short(share: float | None, decimals: int = 1) -> str:
    """0.682 -> '68,2 %' only for the tightest places (axis-like table cells); labels, legends and hover
    texts use pct()."""
    return MISSING if _is_missing(share) else f"{number(share * 100, decimals)} %"


def pct_range(lower: float | None, upper: float | None, decimals: int = 1) -> str:
    """An interval of shares, (0.443, 0.583) -> '44,3–58,3 pct.'."""
    if _is_missing(lower) or _is_missing(upper):
        return MISSING
    return f"{number(lower * 100, decimals)}–{number(upper * 100, decimals)} pct."  # type: ignore[operator]


def pp(change: float | None, decimals: int = 1) -> str:
    """A change of shares in percentage points, 0.031 -> '+3,1 pct.-point'."""
    if _is_missing(change):
        return MISSING
    # The sign of the figure as shown: −0.0004 reads "±0,0", never "−0,0".
    shown = round(change * 100, decimals)
    sign = "+" if shown > 0 else ("−" if shown < 0 else "±")
    return f"{sign}{number(abs(change) * 100, decimals)} pct.-point"


def pp_metric(change: float | None, decimals: int = 1) -> str | None:
    """pp() for st.metric's delta: Streamlit picks the arrow (and colour) from a leading ASCII '-', which
    the typographic minus of pp() does not trigger. None (no delta shown) when missing."""
    return None if _is_missing(change) else pp(change, decimals).replace("−", "-")


def month_short(month: date) -> str:
    """date(2018, 1, 1) -> 'jan. 2018'."""
    return f"{MONTHS_SHORT[month.month - 1]} {month.year}"


def month_long(month: date) -> str:
    """date(2018, 1, 1) -> 'januar 2018'."""
    return f"{MONTHS_LONG[month.month - 1]} {month.year}"


def month_key(month: date) -> str:
    """date(2018, 1, 1) -> '2018-01' (the URL form)."""
    return f"{month.year:04d}-{month.month:02d}"


# Months the app can name at all: Joblog began in 2015, and a margin on both sides keeps date arithmetic
# (a year back, a year ahead) clear of datetime's limits for any month that parses.
YEARS = (2000, 2099)


def parse_month_key(text: str) -> date | None:
    """'2018-01' -> date(2018, 1, 1); None for anything else (only ASCII digits, years in YEARS)."""
    parts = text.strip().split("-")
    if len(parts) != 2 or len(parts[0]) != 4 or not 1 <= len(parts[1]) <= 2:
        return None
    if not all(p.isascii() and p.isdecimal() for p in parts):  # isdigit() takes "²", int() does not
        return None
    year, month = int(parts[0]), int(parts[1])
    return date(year, month, 1) if YEARS[0] <= year <= YEARS[1] and 1 <= month <= 12 else None


def add_months(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def day_long(day: date) -> str:
    """date(2019, 1, 28) -> '28. januar 2019'. A no-break space after the dot keeps the date on one line
    and stops markdown renderers (st.table cells) from reading '28. ' as a numbered list."""
    return f"{day.day}.\u00a0{MONTHS_LONG[day.month - 1]} {day.year}"


def signed(value: float | None, decimals: int = 1) -> str:
    """A signed number with a real minus sign, Danish decimal comma: -2.31 -> '−2,3'."""
    if value is None or not math.isfinite(value):
        return MISSING
    return ("−" if round(value, decimals) < 0 else "") + number(abs(value), decimals)


def interval_text(lower: float | None, upper: float | None) -> str:
    """A 95 % interval as '61,2–66,8 pct.' ('–' when it is not shown)."""
    if lower is None or upper is None:
        return MISSING
    return pct_range(lower, upper)


# --- Tables behind the figures -----------------------------------------------------------------------------------

FORMATTERS = {
    "pct": lambda v: pct(v),
    "pp": lambda v: pp(v),
    "month": lambda v: month_short(v) if v is not None else MISSING,
    "int": lambda v: number(v),
    "text": lambda v: MISSING if v is None else str(v),
}


def display_table(frame: pl.DataFrame, spec: list[tuple[str, str, str]]) -> pl.DataFrame:
    """Danish display table: `spec` = (column, heading, kind) with kind pct, pp, month, int or text.

    Values become pre-formatted text, because st.dataframe cannot be pinned to a decimal comma.
    """
    return pl.DataFrame(
        {
            heading: _formatted(frame[column].to_list(), FORMATTERS[kind])
            if kind == "month" or (kind == "text" and frame[column].dtype == pl.String)
            else [FORMATTERS[kind](v) for v in frame[column].to_list()]
            for column, heading, kind in spec
        },
        schema={heading: pl.String for _, heading, _ in spec},
    )


def _formatted(values: list, formatter) -> list[str]:  # type: ignore[no-untyped-def]
    """Each distinct value formatted once: months and names repeat down a long table (a month per group
    and series). Not for numbers: 0.0 and -0.0 are one dict key but format differently."""
    texts: dict[object, str] = {}
    out = []
    for value in values:
        text = texts.get(value)
        if text is None:
            text = texts[value] = formatter(value)
        out.append(text)
    return out
