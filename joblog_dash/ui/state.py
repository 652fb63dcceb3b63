"""The one URL codec: the Selection shared by every page, held in the URL.

The URL (`st.query_params`) is the single source of truth, so a copied link opens the same view:
`?maaned=2018-01&omraade=region-sjaelland&gruppe=kontanthjaelp&kommune=360&fra=2017-01&maal=ingen`.
Each run reads and validates the parameters (a bad value falls back with a notice), remembers them in
`st.session_state` for page links that arrive without parameters, and writes the cleaned values back.
Widgets write their new value to the URL in an `on_change` callback, before the rerun reads it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import streamlit as st

from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.safety import escape_markdown
from joblog_dash.text.strings import t
from joblog_dash.views.selection import MAX_COMPARE, Selection, group_period_text, nearest_valid

# Every URL parameter of the app: Selection field -> parameter name. Values are written in Danish words
# (VALUE_WORDS) where the field is not a month, a key or a code.
PARAMS = {
    "month": "maaned", "area": "omraade", "group": "gruppe", "municipality": "kommune", "start": "fra",
    "measure": "maal", "overdispersion": "spredning", "target": "niveau", "basis": "grundlag",
    "compare": "sammenlign",
}  # fmt: skip
VALUE_WORDS: dict[str, dict[object, str]] = {
    "measure": {"joblogged": "jobsoegning", "none": "ingen", "6plus": "6plus"},
    "overdispersion": {True: "justeret", False: "ujusteret"},
    "target": {"national": "land", "area": "omraade"},
    "basis": {"raw": "faktisk", "adjusted": "justeret"},
}
_REMEMBERED = "_joblog_filters"
# Longer than any valid value (the longest area key is under 60 characters); a longer one is refused before
# it is parsed, so a crafted link costs no more than a short one.
MAX_PARAM_LENGTH = 100
DEFAULT_MUNICIPALITY = 101  # København: the largest, a sensible first profile


@dataclass(frozen=True)
class Choices:
    """What the loaded data offers: the valid values for each filter."""

    months: list[date]
    groups: list[str]
    areas: list[str]
    municipalities: list[int]


def to_params(selection: Selection) -> dict[str, str]:
    """The URL parameters of a selection (every field: a copied link opens the same view)."""
    return {param: _key_of(name, getattr(selection, name)) for name, param in PARAMS.items()}


def groups_in_month(choices: Choices, month: date) -> list[str]:
    """The groups the filter offers for a month: those of the data that exist then (reference.GROUP_PERIODS)."""
    return [g for g in choices.groups if reference.group_exists(g, month)] or choices.groups


def default_selection(choices: Choices) -> Selection:
    month = choices.months[-1]
    start = fmt.add_months(month, -12)
    offered = groups_in_month(choices, month)
    group = "kontanthjaelp" if "kontanthjaelp" in offered else offered[0]
    municipality = (
        DEFAULT_MUNICIPALITY if DEFAULT_MUNICIPALITY in choices.municipalities else choices.municipalities[0]
    )
    return Selection(
        month=month,
        area=reference.NATIONAL,
        group=group,
        municipality=municipality,
        start=start if start in choices.months else choices.months[0],
    )


def _parse(name: str, raw: str, choices: Choices) -> object | None:
    """The validated value of one URL parameter, or None if it is not valid."""
    if len(raw) > MAX_PARAM_LENGTH:
        return None
    if name in ("month", "start"):
        month = fmt.parse_month_key(raw)
        return month if month in choices.months else None
    if name == "area":
        return raw if raw in choices.areas else None
    if name == "group":
        return raw if raw in choices.groups else None
    if name == "municipality":
        text = raw.strip()
        if text.isascii() and text.isdecimal():
            code = int(text) if len(text) <= 4 else None
        elif any(ch.isdigit() for ch in text):  # "²" and other digits: no municipality name has one
            code = None
        else:
            code = reference.resolve_municipality(text)
        return code if code in choices.municipalities else None
    if name == "compare":
        return _parse_compare(raw, choices)
    if name in VALUE_WORDS:
        return next((value for value, word in VALUE_WORDS[name].items() if word == raw), None)
    return None


def _parse_compare(raw: str, choices: Choices) -> tuple[int, ...] | None:
    """'360,147' -> (360, 147): at most MAX_COMPARE known municipality codes, each once; None otherwise."""
    parts = [p for p in raw.split(",") if p] if raw else []
    if len(parts) > MAX_COMPARE or not all(p.isascii() and p.isdecimal() and len(p) <= 4 for p in parts):
        return None
    codes = tuple(dict.fromkeys(int(p) for p in parts))
    return codes if all(c in choices.municipalities for c in codes) else None


def _nearest_month(raw: str, choices: Choices) -> date | None:
    """For a well-formed month the data does not have (before the first, after the last, in a gap): the
    nearest month it has, so a link to a month not yet imported opens the latest one."""
    month = fmt.parse_month_key(raw) if len(raw) <= MAX_PARAM_LENGTH else None
    if month is None or not choices.months:
        return None
    index = month.year * 12 + month.month
    return min(choices.months, key=lambda m: abs(m.year * 12 + m.month - index))


def _describe(name: str, value: object) -> str:
    if name in ("month", "start"):
        return fmt.month_short(value)  # type: ignore[arg-type]
    if name == "area":
        area = reference.area_by_key(str(value))
        return area.label if area else str(value)
    if name == "group":
        return reference.group_label(str(value))
    if name == "municipality":
        return reference.municipality_name(int(value))  # type: ignore[call-overload]
    if name == "measure":
        return t(f"measure_{value}")
    if name == "overdispersion":
        return t("fair_adjust_on") if value else t("fair_adjust_off")
    if name == "target":
        return t("fair_target_national") if value == "national" else t("fair_target_area")
    if name == "basis":
        return t("std_basis_raw") if value == "raw" else t("std_basis_adjusted")
    if name == "compare":
        return ", ".join(reference.municipality_name(int(c)) for c in value) or "ingen"  # type: ignore[attr-defined]
    return str(value)


def resolve(
    raw_params: dict[str, str], remembered: Selection | None, choices: Choices
) -> tuple[Selection, tuple[str, ...]]:
    """The selection from URL parameters, falling back to the remembered one and then the defaults, and a
    notice for each bad value."""
    fallback = remembered or default_selection(choices)
    values: dict[str, object] = {}
    bad: list[tuple[str, str]] = []  # (field, raw value): named in a notice with the value shown instead
    missing: list[tuple[str, date]] = []  # (field, a well-formed month the data lacks, e.g. after a rollback)
    for name, param in PARAMS.items():
        raw = raw_params.get(param)
        default = getattr(fallback, name)
        if name != "month" and _parse(name, str(_key_of(name, default)), choices) is None:
            default = getattr(default_selection(choices), name)  # remembered value not valid for this dataset
        if raw is None:
            values[name] = default
            continue
        parsed = _parse(name, raw, choices)
        if parsed is None:
            nearest = _nearest_month(raw, choices) if name in ("month", "start") else None
            values[name] = default if nearest is None else nearest
            if nearest is None:
                bad.append((name, raw))
            else:
                missing.append((name, fmt.parse_month_key(raw)))  # type: ignore[arg-type]
        else:
            values[name] = parsed
    if values["month"] not in choices.months:
        values["month"] = choices.months[-1]
    period_notices = []
    nearest = nearest_valid(values["group"], values["month"], choices.groups, choices.months)  # type: ignore[arg-type]
    if nearest is not None:  # a group outside its months (a reform ended or began it): the nearest valid view
        group, month = values["group"], values["month"]
        values["group"], values["month"] = nearest
        period_notices.append(
            t(
                "notice_group_period",
                group=reference.group_label(str(group)),
                period=group_period_text(str(group)),
                month=fmt.month_short(month),  # type: ignore[arg-type]
                fallback=f"{reference.group_label(nearest[0])}, {fmt.month_short(nearest[1])}",
            )
        )
    if values["start"] >= values["month"]:  # type: ignore[operator]
        earlier = [m for m in choices.months if m < values["month"]]  # type: ignore[operator]
        values["start"] = fmt.add_months(values["month"], -12) if earlier else values["month"]  # type: ignore[arg-type]
        if values["start"] not in choices.months:
            values["start"] = earlier[0] if earlier else values["month"]
    notices = [
        t(
            "notice_bad_param",
            name=PARAMS[name],
            value=escape_markdown(raw[:40]),
            fallback=_describe(name, values[name]),
        )
        for name, raw in bad
    ] + [
        t(
            "notice_month_missing",
            name=PARAMS[name],
            month=fmt.month_short(month),
            first=fmt.month_short(choices.months[0]),
            last=fmt.month_short(choices.months[-1]),
            fallback=_describe(name, values[name]),
        )
        for name, month in missing
    ]
    return Selection(**values), tuple(notices + period_notices)  # type: ignore[arg-type]


def _key_of(name: str, value: object) -> str:
    if name in ("month", "start"):
        return fmt.month_key(value)  # type: ignore[arg-type]
    if name in VALUE_WORDS:
        return VALUE_WORDS[name][value]
    if name == "compare":
        return ",".join(str(int(c)) for c in value)  # type: ignore[attr-defined]
    return str(value)


def current(choices: Choices) -> tuple[Selection, tuple[str, ...]]:
    """Resolve the selection for this run and write the cleaned values back to the URL."""
    raw = {key: st.query_params[key] for key in st.query_params}
    selection, notices = resolve(raw, st.session_state.get(_REMEMBERED), choices)
    store(selection)
    return selection, notices


def store(selection: Selection) -> None:
    st.session_state[_REMEMBERED] = selection
    for key, value in to_params(selection).items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def _on_change(name: str, widget_key: str) -> None:
    value = st.session_state[widget_key]
    st.query_params[PARAMS[name]] = _key_of(name, value)


def widget_key(name: str) -> str:
    return f"filter_{name}"


def prepare_widget(name: str, selection: Selection, key: str | None = None) -> dict[str, object]:
    """Keyword arguments for a widget bound to a URL parameter: its key (preset to the current value) and
    the callback that writes the new value to the URL before the rerun reads it."""
    key = key or widget_key(name)
    value = getattr(selection, name)
    st.session_state[key] = list(value) if isinstance(value, tuple) else value  # a multiselect holds a list
    return {"key": key, "on_change": _on_change, "args": (name, key)}
