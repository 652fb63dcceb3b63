"""ui.cache.figure: the key is made from structure — the draw function, the view's type and selection (or a
Selection), the dataset version and the arguments — never written by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from joblog_dash.data import warehouse
from joblog_dash.ui import cache
from joblog_dash.views.selection import Selection

SEL = Selection(date(2018, 9, 1), "kontanthjaelp", area="region-nordjylland")
CALLS: list[tuple[object, ...]] = []


@dataclass(frozen=True)
class FakeView:
    selection: Selection


def draw(view: object, label: str) -> list[object]:
    CALLS.append((view, label))
    return [view, label]


def test_key_names_draw_view_version_and_arguments(demo_data_dir: Path) -> None:
    version = warehouse.open_db().version
    key = cache.key_of(draw, FakeView(SEL), ("a", draw))
    name = f"{draw.__module__}.draw"
    assert key == (name, f"{FakeView.__module__}.FakeView", SEL, version, ("a", name))
    assert cache.key_of(draw, SEL, ()) == (name, "Selection", SEL, version, ())


def test_figure_is_built_once_per_key(demo_data_dir: Path) -> None:
    CALLS.clear()
    first = cache.figure(draw, FakeView(SEL), "x")
    assert cache.figure(draw, FakeView(SEL), "x") is first  # an equal view: the same shared object
    cache.figure(draw, FakeView(SEL), "y")
    cache.figure(draw, FakeView(SEL.only("month")), "x")
    assert [label for _, label in CALLS] == ["x", "y", "x"]
