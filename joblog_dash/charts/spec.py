"""SpecFigure: a plotly figure built as plain JSON, validated only if someone asks for its graph objects.

Building traces as `go.Scatter(...)` and laying out with `update_layout` runs plotly's validators on every
property: 60–70 % of a cold page rerun (issue 11). `st.plotly_chart` and `plotly.io.to_json` take any
`BaseFigure` as validated and only call `to_dict()`, so a figure whose `to_dict()` returns a ready spec skips
all of it (STACK_NOTES "Chart speed").

A SpecFigure starts as that spec. It has the handful of methods the chart builders use (`add_trace` with a
trace dict, `update_layout`, `update_xaxes`/`update_yaxes`, `add_annotation`, `add_shape`, `add_hline`,
`add_vline`), which edit the spec directly. Anything else — `fig.layout.height`, `fig.data[0]`, `to_image`,
`fig.update_layout(title_text=...)` — first turns the object into an ordinary, validated `go.Figure` with the
same content (the export path and the tests use that), after which it behaves exactly like one.

The spec is not checked by plotly on the fast path, so the builders must write it right (axis titles as
{"text": ...}, no magic underscores); tests validate every builder's spec by materialising it.
"""

from __future__ import annotations

import base64
import copy
import re
from typing import Any

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import convert_to_base64

# Layout properties whose names contain an underscore (anything else with one is a plotly "magic
# underscore" path like title_text, which only the validated figure understands).
_UNDERSCORE_PROPS = frozenset({"plot_bgcolor", "paper_bgcolor"})
_AXIS = re.compile(r"^[xy]axis\d*$")
# Names served from the spec without turning the figure into graph objects.
_SPEC_API = frozenset(
    {
        "_spec",
        "_fresh",
        "_materialise",
        "_axes",
        "_update_axes",
        "_add_to_list",
        "to_dict",
        "to_plotly_json",
        "add_trace",
        "update_layout",
        "update_xaxes",
        "update_yaxes",
        "add_annotation",
        "update_annotations",
        "add_shape",
        "add_hline",
        "add_vline",
    }
)


_DTYPES = {"int8": "i1", "uint8": "u1", "int16": "i2", "uint16": "u2", "int32": "i4", "uint32": "u4",
           "float32": "f4", "float64": "f8"}  # fmt: skip


def typed(values: np.ndarray) -> dict[str, str]:
    """A plotly.js typed array ({"dtype", "bdata"}, plus "shape" for a 2-D array such as a heat map's z) of
    a numeric numpy array, encoded directly: plotly's own conversion (convert_to_base64, run by to_dict)
    copies and checks each array, ~1 ms apiece."""
    array = np.ascontiguousarray(values)
    spec = {"dtype": _DTYPES[str(array.dtype)], "bdata": base64.b64encode(array.tobytes()).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = ",".join(str(n) for n in array.shape)
    return spec


def clean(value: Any) -> Any:
    """A copy of a spec fragment without None-valued keys (plotly's 'unset'), recursing into dicts and into
    lists of dicts; lists of values are kept as they are (None there is a gap in a line)."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [clean(v) for v in value]
    return value


def merge(target: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Recursive update like plotly's: dicts merge, anything else replaces, None unsets (a compound property
    becomes {}, as plotly leaves it); a string `title` means {"text": ...}."""
    for key, value in patch.items():
        if key == "title" and isinstance(value, str):
            value = {"text": value}
        if value is None:
            if isinstance(target.get(key), dict):
                target[key] = {}
            else:
                target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            merge(target[key], value)
        else:
            target[key] = clean(value)
    return target


class SpecFigure(go.Figure):
    """A go.Figure whose content is a plain JSON spec until graph objects are asked for (see module)."""

    def __init__(self, spec: dict[str, Any] | None = None) -> None:
        # go.Figure.__init__ is not called: even an empty figure costs ~4 ms of validator set-up.
        spec = spec or {}
        state = object.__getattribute__(self, "__dict__")
        state["_spec"] = {
            "data": [clean(trace) for trace in spec.get("data", [])],
            "layout": clean(dict(spec.get("layout", {}))),
        }
        state["_fresh"] = False  # typed arrays not yet encoded

    def __getattribute__(self, name: str) -> Any:
        if name in _SPEC_API or (name.startswith("__") and name.endswith("__")):
            return object.__getattribute__(self, name)
        object.__getattribute__(self, "_materialise")()
        return object.__getattribute__(self, name)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickling (st.cache_data) and deepcopy keep the cheap form.
        return (SpecFigure, (copy.deepcopy(self.to_dict()),))

    def _materialise(self) -> None:
        """Become an ordinary validated go.Figure with the same content."""
        spec = copy.deepcopy(self.to_dict())
        object.__setattr__(self, "__class__", go.Figure)
        go.Figure.__init__(self, spec)

    def to_dict(self) -> dict[str, Any]:
        """The spec itself, not a copy (st.plotly_chart serialises it on every rerun): do not mutate it."""
        spec = self._spec
        if not self._fresh:
            convert_to_base64(spec)  # numpy arrays -> typed arrays, as go.Figure.to_dict does
            object.__getattribute__(self, "__dict__")["_fresh"] = True
        return spec

    def to_plotly_json(self) -> dict[str, Any]:
        return self.to_dict()

    # --- the builder API (plotly's names and meaning, on the spec) -------------------------------------

    def add_trace(self, trace: dict[str, Any] | Any) -> SpecFigure:
        if not isinstance(trace, dict):  # a graph object trace: already validated
            trace = trace.to_plotly_json()
        self._spec["data"].append(clean(trace))
        self._fresh = False
        return self

    def update_layout(self, dict1: dict[str, Any] | None = None, overwrite: bool = False,
                      **kwargs: Any) -> go.Figure:  # fmt: skip
        if overwrite or any("_" in key and key not in _UNDERSCORE_PROPS for key in kwargs):
            self._materialise()
            return go.Figure.update_layout(self, dict1, overwrite, **kwargs)
        merge(self._spec["layout"], {**(dict1 or {}), **kwargs})
        self._fresh = False
        return self

    def _axes(self, letter: str) -> list[str]:
        layout = self._spec["layout"]
        names = [k for k in layout if _AXIS.match(k) and k[0] == letter]
        return names or [f"{letter}axis"]

    def _update_axes(self, letter: str, patch: dict[str, Any] | None, kwargs: dict[str, Any]) -> go.Figure:
        if kwargs.keys() & {"selector", "row", "col", "secondary_y", "overwrite"} or any(
            "_" in k for k in kwargs
        ):
            self._materialise()
            method = go.Figure.update_xaxes if letter == "x" else go.Figure.update_yaxes
            return method(self, patch, **kwargs)
        settings = {**(patch or {}), **kwargs}
        layout = self._spec["layout"]
        for name in self._axes(letter):
            merge(layout.setdefault(name, {}), copy.deepcopy(settings))
        self._fresh = False
        return self

    def update_xaxes(self, patch: dict[str, Any] | None = None, **kwargs: Any) -> go.Figure:
        return self._update_axes("x", patch, kwargs)

    def update_yaxes(self, patch: dict[str, Any] | None = None, **kwargs: Any) -> go.Figure:
        return self._update_axes("y", patch, kwargs)

    def _add_to_list(self, key: str, item: dict[str, Any]) -> go.Figure:
        merged: dict[str, Any] = {}
        merge(merged, item)
        self._spec["layout"].setdefault(key, []).append(merged)
        self._fresh = False
        return self

    def add_annotation(self, arg: dict[str, Any] | None = None, **kwargs: Any) -> go.Figure:
        return self._add_to_list("annotations", {**(arg or {}), **kwargs})

    def update_annotations(self, patch: dict[str, Any] | None = None, **kwargs: Any) -> go.Figure:
        if kwargs.keys() & {"selector", "row", "col", "secondary_y"} or any("_" in k for k in kwargs):
            self._materialise()
            return go.Figure.update_annotations(self, patch, **kwargs)
        for annotation in self._spec["layout"].get("annotations", []):
            merge(annotation, copy.deepcopy({**(patch or {}), **kwargs}))
        self._fresh = False
        return self

    def add_shape(self, arg: dict[str, Any] | None = None, **kwargs: Any) -> go.Figure:
        return self._add_to_list("shapes", {**(arg or {}), **kwargs})

    def add_hline(self, y: float, line: dict[str, Any] | None = None, annotation_text: str | None = None,
                  annotation_position: str | None = None, **kwargs: Any) -> go.Figure:  # fmt: skip
        """A horizontal line across the plot (plotly's add_hline: x in the axis' domain), optionally labelled."""
        if kwargs:
            self._materialise()
            return go.Figure.add_hline(self, y, line=line, annotation_text=annotation_text,
                                       annotation_position=annotation_position, **kwargs)  # fmt: skip
        self.add_shape(type="line", xref="x domain", yref="y", x0=0, x1=1, y0=y, y1=y, line=line or {})
        if annotation_text:
            position = annotation_position or "top right"
            left = "left" in position
            self.add_annotation(
                text=annotation_text, xref="x domain", yref="y", x=0 if left else 1, y=y, showarrow=False,
                xanchor="left" if left else "right", yanchor="bottom" if "top" in position else "top",
            )  # fmt: skip
        return self

    def add_vline(self, x: float, line: dict[str, Any] | None = None, **kwargs: Any) -> go.Figure:
        """A vertical line over the plot's height (plotly's add_vline: y in the axis' domain)."""
        if kwargs:
            self._materialise()
            return go.Figure.add_vline(self, x, line=line, **kwargs)
        return self.add_shape(type="line", xref="x", yref="y domain", x0=x, x1=x, y0=0, y1=1, line=line or {})
