"""Filter state shared by every page and held in the URL.

The URL (`st.query_params`) is the single source of truth, so a copied link opens the same view:
`?maaned=2018-01&omraade=region-sjaelland&gruppe=kontanthjaelp&kommune=360&fra=2017-01`.
Each run reads and validates the parameters (a bad value falls back with a notice), remembers them in
`st.session_state` for page links that arrive without parameters, and writes the cleaned values back.
Widgets write their new value to the URL in an `on_change` callback, before the rerun reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

import streamlit as st

from joblog_dash.data import reference
from joblog_dash.text import fmt
from joblog_dash.text.safety import escape_markdown
from joblog_dash.text.strings import t

PARAMS = {"month": "maaned", "area": "omraade", "group": "gruppe", "municipality": "kommune", "start": "fra"}
_REMEMBERED = "_joblog_filters"
DEFAULT_MUNICIPALITY = 101  # København: the largest, a sensible first profile


@dataclass(frozen=True)
class Filters:
    month: date
    area: str
    group: str
    municipality: int
    start: date  # start of a period, for pages that show change over a period
    notices: tuple[str, ...] = field(default=(), compare=False)

    def query_params(self) -> dict[str, str]:
        return {
            PARAMS["month"]: fmt.month_key(self.month),
            PARAMS["area"]: self.area,
            PARAMS["group"]: self.group,
            PARAMS["municipality"]: str(self.municipality),
            PARAMS["start"]: fmt.month_key(self.start),
        }


@dataclass(frozen=True)
class Choices:
    """What the loaded data offers: the valid values for each filter."""

    months: list[date]
    groups: list[str]
    areas: list[str]
    municipalities: list[int]


def default_filters(choices: Choices) -> Filters:
    month = choices.months[-1]
    start = fmt.add_months(month, -12)
    group = "kontanthjaelp" if "kontanthjaelp" in choices.groups else choices.groups[0]
    municipality = (
        DEFAULT_MUNICIPALITY if DEFAULT_MUNICIPALITY in choices.municipalities else choices.municipalities[0]
    )
    return Filters(
        month=month,
        area=reference.NATIONAL,
        group=group,
        municipality=municipality,
        start=start if start in choices.months else choices.months[0],
    )


def _parse(name: str, raw: str, choices: Choices) -> object | None:
    """The validated value of one URL parameter, or None if it is not valid."""
    if name in ("month", "start"):
        month = fmt.parse_month_key(raw)
        return month if month in choices.months else None
    if name == "area":
        return raw if raw in choices.areas else None
    if name == "group":
        return raw if raw in choices.groups else None
    if name == "municipality":
        text = raw.strip()
        code = int(text) if text.isdigit() and len(text) <= 4 else reference.resolve_municipality(text)
        return code if code in choices.municipalities else None
    return None


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
    return str(value)


def resolve(raw_params: dict[str, str], remembered: Filters | None, choices: Choices) -> Filters:
    """Filters from URL parameters, falling back to the remembered ones and then the defaults."""
    fallback = remembered or default_filters(choices)
    values: dict[str, object] = {}
    notices: list[str] = []
    for name, param in PARAMS.items():
        raw = raw_params.get(param)
        default = getattr(fallback, name)
        if name != "month" and not _parse(name, str(_key_of(name, default)), choices):
            default = getattr(default_filters(choices), name)  # remembered value not valid for this dataset
        if raw is None:
            values[name] = default
            continue
        parsed = _parse(name, raw, choices)
        if parsed is None:
            values[name] = default
            notices.append(
                t(
                    "notice_bad_param",
                    name=param,
                    value=escape_markdown(raw[:40]),
                    fallback=_describe(name, default),
                )
            )
        else:
            values[name] = parsed
    if values["month"] not in choices.months:
        values["month"] = choices.months[-1]
    if values["start"] >= values["month"]:  # type: ignore[operator]
        earlier = [m for m in choices.months if m < values["month"]]  # type: ignore[operator]
        values["start"] = fmt.add_months(values["month"], -12) if earlier else values["month"]  # type: ignore[arg-type]
        if values["start"] not in choices.months:
            values["start"] = earlier[0] if earlier else values["month"]
    return Filters(**values, notices=tuple(notices))  # type: ignore[arg-type]


def _key_of(name: str, value: object) -> str:
    return fmt.month_key(value) if name in ("month", "start") else str(value)  # type: ignore[arg-type]


def current_filters(choices: Choices) -> Filters:
    """Resolve the filters for this run and write the cleaned values back to the URL."""
    raw = {key: st.query_params[key] for key in st.query_params}
    filters = resolve(raw, st.session_state.get(_REMEMBERED), choices)
    store_filters(filters)
    return filters


def store_filters(filters: Filters) -> None:
    st.session_state[_REMEMBERED] = replace(filters, notices=())
    params = filters.query_params()
    for key, value in params.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def _on_change(name: str, widget_key: str) -> None:
    value = st.session_state[widget_key]
    st.query_params[PARAMS[name]] = _key_of(name, value)


def widget_key(name: str) -> str:
    return f"filter_{name}"


def prepare_widget(name: str, filters: Filters) -> dict[str, object]:
    """Keyword arguments for a filter widget: its key (preset to the current value) and its callback."""
    key = widget_key(name)
    st.session_state[key] = getattr(filters, name)
    return {"key": key, "on_change": _on_change, "args": (name, key)}
