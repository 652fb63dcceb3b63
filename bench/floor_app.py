"""The stack's floor for the browser figures: Streamlit with one month selectbox and one small plotly chart.

`make bench` serves this beside the app and times it exactly as it times the pages (a month change until the
chart is redrawn; a shared link in a new browser until the chart is drawn). What the app takes beyond these
figures is ours; what the floor itself takes is Streamlit's frontend and plotly.js on this machine.
The month labels come from the bench (JOBLOG_FLOOR_OPTIONS, JSON), so both are driven by the same picks.
"""

import json
import os

import plotly.graph_objects as go
import streamlit as st

from joblog_dash.text.strings import t

OPTIONS = json.loads(os.environ.get("JOBLOG_FLOOR_OPTIONS", '["a", "b"]'))

st.set_page_config(page_title="floor", layout="wide")
# The bench passes the latest month last, and starts on it as the app does: every pick is then a change.
choice = st.sidebar.selectbox(t("filter_month"), OPTIONS, index=len(OPTIONS) - 1)
shift = OPTIONS.index(choice)
figure = go.Figure(go.Scatter(x=list(range(24)), y=[(i * 7 + shift) % 11 for i in range(24)], mode="lines"))
st.title("floor")
st.plotly_chart(figure, key="floor")
