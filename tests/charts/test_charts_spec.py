"""SpecFigure: plain-JSON figures that plotly takes as validated, checked against plotly's own graph objects."""

from __future__ import annotations

import base64
import copy
import json
import pickle
from datetime import date

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio

from joblog_dash.charts import style
from joblog_dash.charts.spec import SpecFigure, typed


def build(fig: go.Figure) -> go.Figure:
    """The same steps on a SpecFigure or a go.Figure (plotly's result is the expected one)."""
    fig.add_trace(
        {"type": "scatter", "x": [1, 2, 3], "y": np.array([0.1, 0.5, 0.9]), "name": "a", "text": None}
    )
    style.base_layout(fig, "Titel", "Undertitel", height=400)
    style.percent_axis(fig)
    fig.update_xaxes(title="Personer", range=[0, 4])
    fig.update_layout(legend={"y": -0.2}, margin={"l": 130})
    fig.add_hline(
        y=0.5,
        line={"color": "#000", "dash": "dash"},
        annotation_text="Landet",
        annotation_position="top left",
    )
    fig.add_vline(x=2, line={"color": "#999"})
    style.add_source_note(fig, "Kilde: test")
    fig.update_annotations(font={"size": 14})
    fig.update_layout(title=None, font={"size": 18})  # as the presentation deck does
    return fig


def plain(fig: go.Figure) -> dict:
    """JSON of a figure without plotly's template (a go.Figure gets the default template at to_dict) and
    without empty layout objects (plotly keeps `title: {}` after update_layout(title=None), drops it when
    building a figure from JSON)."""
    spec = json.loads(pio.to_json(fig, validate=False))
    spec["layout"] = {k: v for k, v in spec["layout"].items() if k != "template" and v != {}}
    return spec


def test_spec_figure_matches_plotly_graph_objects():
    fast, slow = build(SpecFigure()), build(go.Figure())
    assert type(fast) is SpecFigure  # nothing above needed graph objects
    expected = plain(slow)
    found = plain(fast)
    assert found["layout"] == expected["layout"]
    assert found["data"] == [{k: v for k, v in t.items() if k != "uid"} for t in expected["data"]]


def test_plotly_io_and_streamlit_path_do_not_validate():
    fig = build(SpecFigure())
    text = pio.to_json(fig, validate=False)  # what st.plotly_chart does, after to_dict()
    assert type(fig) is SpecFigure and json.loads(text)["layout"]["height"] == 400 + style.NOTE_PX
    assert fig.to_dict() is fig.to_dict()  # the same dict every rerun, no copy


def test_graph_object_access_materialises_a_validated_figure():
    fig = build(SpecFigure())
    expected = plain(fig)
    assert fig.layout.height == 400 + style.NOTE_PX  # any graph-object access
    assert type(fig) is go.Figure
    assert plain(fig) == expected
    fig.update_layout(title_text="Ny")  # a magic underscore on a fresh SpecFigure also works
    other = SpecFigure({"data": [{"type": "bar", "x": ["a"], "y": [1]}]})
    other.update_layout(title_text="Ny")
    assert type(other) is go.Figure and other.layout.title.text == "Ny"


def test_pickle_and_deepcopy_keep_the_plain_spec():
    fig = build(SpecFigure())
    for copied in (pickle.loads(pickle.dumps(fig)), copy.deepcopy(fig)):
        assert type(copied) is SpecFigure
        assert plain(copied) == plain(fig)


def test_dates_and_typed_arrays_serialise_like_plotly():
    months = [date(2020, 1, 1), date(2020, 2, 1)]
    values = np.array([0.25, 0.5])
    fast = SpecFigure().add_trace({"type": "scatter", "x": months, "y": values})
    slow = go.Figure(go.Scatter(x=months, y=values))
    found, expected = plain(fast)["data"][0], plain(slow)["data"][0]
    assert found["x"] == expected["x"] == ["2020-01-01", "2020-02-01"]
    assert found["y"] == expected["y"] and found["y"]["dtype"] == "f8"  # a typed array, as plotly sends it


def test_two_dimensional_typed_array_carries_its_shape():
    """A heat map's z: row-major bytes plus "rows,columns", which plotly accepts and reads back as the grid."""
    z = np.array([[1.5, np.nan, 3.0], [4.0, 5.0, 6.25]], dtype=np.float32)
    spec = typed(z)
    assert spec["dtype"] == "f4" and spec["shape"] == "2,3"
    back = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.float32).reshape(2, 3)
    assert np.array_equal(back, z, equal_nan=True)
    grid = SpecFigure().add_trace({"type": "heatmap", "z": spec})
    assert go.Figure(copy.deepcopy(grid.to_dict())).data[0].z == spec  # plotly's validator takes it as is
    own = plain(go.Figure(go.Heatmap(z=z)))["data"][0]["z"]  # plotly's own encoding of the same grid
    assert (own["dtype"], own["bdata"]) == (spec["dtype"], spec["bdata"])
    assert [int(n) for n in own["shape"].split(",")] == [2, 3]
