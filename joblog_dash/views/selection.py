"""Selection: the one "what the user chose" type, for pages, the deck, the brief and the exports alike.

The URL codec (ui/state.py) and the command line (exporting/commands.py) both produce a Selection; every
view's `build(db, selection)` takes one. It is frozen and hashable, so it is part of a view's cache key.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date

from joblog_dash.data import queries, reference
from joblog_dash.data.warehouse import JoblogDB
from joblog_dash.text import fmt
from joblog_dash.text.strings import t

MEASURES = ("joblogged", "none", "6plus")
TARGETS = ("national", "area")
BASES = ("raw", "adjusted")  # compare raw shares, or shares adjusted for gender, age (and origin)
MAX_COMPARE = 8  # municipalities side by side on Kommuneprofil: more lines than that cannot be told apart
_ANY_MONTH = date(
    1900, 1, 1
)  # a field a view does not read: one value for all  # the funnel's target: the country's share, or the chosen area's


@dataclass(frozen=True)
class Selection:
    month: date
    group: str
    area: str = reference.NATIONAL
    municipality: int = 101
    start: date | None = None  # start of a period, for screens that show change over a period
    measure: str = "joblogged"
    overdispersion: bool = True
    target: str = "national"
    basis: str = "raw"  # "raw" shares, or "adjusted" for the recipients' composition (expected vs actual)
    compare: tuple[int, ...] = ()  # municipalities chosen to compare the profile's one with (at most 8)

    def only(self, *names: str) -> Selection:
        """This selection with every field not named reset to its default: a view that ignores a filter
        is then computed (and cached) once for all its values."""
        defaults = Selection(month=_ANY_MONTH, group="")
        return replace(defaults, **{name: getattr(self, name) for name in names})

    @property
    def area_codes(self) -> list[int] | None:
        """The municipalities of the chosen area; None for the whole country."""
        area = reference.area_by_key(self.area)
        return None if area is None or area.column is None else reference.municipality_codes_in(area)

    @property
    def is_national(self) -> bool:
        return self.area_codes is None

    @property
    def target_kind(self) -> str:
        """The funnel's target: the area's own share only when an area is chosen and asked for."""
        return "area" if self.target == "area" and not self.is_national else "national"

    @property
    def area_label(self) -> str:
        area = reference.area_by_key(self.area)
        return area.label if area else self.area


FIELDS = tuple(f.name for f in fields(Selection))


def nearest_valid(group: str, month: date, groups: list[str], months: list[date]) -> tuple[str, date] | None:
    """None when the group exists in the month (reference.GROUP_PERIODS); otherwise the nearest view that
    is valid: the group continuing its series across a break in the same month (uddannelseshjælp in 2026 ->
    the uddannelsesparate kontanthjælp recipients under 30), else the group in its nearest month."""
    if reference.group_exists(group, month):
        return None
    other = reference.continuing_group(group)
    if other is not None and other in groups and reference.group_exists(other, month):
        return other, month
    valid = [m for m in months if reference.group_exists(group, m)]
    if valid:
        return group, min(valid, key=lambda m: abs((m - month).days))
    fallback = next((g for g in groups if reference.group_exists(g, month)), group)
    return fallback, month


def group_period_text(group: str) -> str:
    """Danish: when a group exists, e.g. "til og med jun. 2025" or "fra jul. 2025"."""
    first, last = reference.group_period(group)
    if first and last:
        return t("group_period_between", first=fmt.month_short(first), last=fmt.month_short(last))
    if last:
        return t("group_period_until", last=fmt.month_short(last))
    return t("group_period_from", first=fmt.month_short(first)) if first else ""


class SelectionError(ValueError):
    """A month, group, area or municipality the dataset does not know (message in Danish)."""


def from_arguments(
    db: JoblogDB,
    month: str | None,
    group: str | None,
    area: str | None = None,
    municipality: str | None = None,
    measure: str = "joblogged",
    overdispersion: bool = True,
    target: str = "national",
    basis: str = "raw",
) -> Selection:
    """Parse command-line style values; SelectionError with a helpful Danish message if one is unknown."""
    months = queries.months(db)
    if month is None:
        parsed = months[-1]
    else:
        parsed = fmt.parse_month_key(month)
        if parsed not in months:
            raise SelectionError(
                f"Ukendt måned »{month}«. Datasættet dækker {fmt.month_key(months[0])} – "
                f"{fmt.month_key(months[-1])} (skriv ÅÅÅÅ-MM)."
            )
    groups = queries.benefit_groups(db)
    group = group or ("kontanthjaelp" if "kontanthjaelp" in groups else groups[0])
    if group not in groups:
        raise SelectionError(f"Ukendt ydelsesgruppe »{group}«. Mulige: {', '.join(groups)}.")
    if month is None:  # the latest month the group exists in (uddannelseshjælp: June 2025)
        parsed = max((m for m in months if reference.group_exists(group, m)), default=parsed)
    if (nearest := nearest_valid(group, parsed, groups, months)) is not None:
        other = nearest[0]
        hint = t("cli_group_period_hint", other=other, month=fmt.month_key(parsed)) if other != group else ""
        raise SelectionError(
            t(
                "cli_group_period",
                group=group,
                label=reference.group_label(group),
                period=group_period_text(group),
            )
            + hint
        )
    area = area or reference.NATIONAL
    if reference.area_by_key(area) is None:
        keys = ", ".join(a.key for a in reference.areas())
        raise SelectionError(f"Ukendt område »{area}«. Mulige: {keys}.")
    code = None
    if municipality is not None:
        code = reference.resolve_municipality(municipality)
        if code is None:
            hint = reference.suggest_municipality(municipality)
            raise SelectionError(f"Ukendt kommune »{municipality}«." + (f" Mente du {hint}?" if hint else ""))
    if measure not in MEASURES:
        raise SelectionError(f"Ukendt mål »{measure}«. Mulige: {', '.join(MEASURES)}.")
    if target not in TARGETS:
        raise SelectionError(f"Ukendt sammenligning »{target}«. Mulige: {', '.join(TARGETS)}.")
    if basis not in BASES:
        raise SelectionError(f"Ukendt grundlag »{basis}«. Mulige: {', '.join(BASES)}.")
    return Selection(
        month=parsed, group=group, area=area, municipality=code if code is not None else Selection.municipality,
        measure=measure, overdispersion=overdispersion, target=target, basis=basis,
    )  # fmt: skip
