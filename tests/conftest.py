"""Shared pytest fixtures. Others add fixtures here with small edits; keep the names obvious.

Fixtures:

- ``isolated_data_dir`` (session, autouse): sets ``JOBLOG_DATA_DIR`` to an empty session temp directory for
  the whole run, so no test ever reads or writes the developer's ``./data``. Returns that directory.
- ``demo_data_dir`` (session): builds the synthetic demo dataset (seed 2018, scale "demo") once per session
  into ``isolated_data_dir`` and returns it. Because ``JOBLOG_DATA_DIR`` already points there, AppTest pages
  and ``warehouse.open_db()`` find the demo data once a test requests this fixture. Request it in every test
  (or page test) that needs data.
- ``demo_facts_path`` (session): the demo dataset's ``facts.parquet``.
- ``clear_streamlit_caches`` (autouse): clears ``st.cache_data`` and ``st.cache_resource`` before and after
  each test, because Streamlit caches survive between AppTest instances in one process.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("joblog-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JOBLOG_DATA_DIR", str(path))
        # Views are not stored with the session's dataset: a test that patches a builder or a query must
        # not leave its result for the next (tests/data/test_viewstore.py turns the store on for itself).
        patch.setenv("JOBLOG_STORED_VIEWS", "0")
        yield path


@pytest.fixture(scope="session")
def demo_data_dir(isolated_data_dir: Path) -> Path:
    from joblog_dash.data import demo

    demo.build_demo(data_dir=isolated_data_dir)
    return isolated_data_dir


@pytest.fixture(scope="session")
def demo_facts_path(demo_data_dir: Path) -> Path:
    from joblog_dash.data import store

    return store.current_paths(demo_data_dir)[0]


def _clear_streamlit_caches() -> None:
    for cache in ("joblog_dash.views.cache", "joblog_dash.ui.cache"):
        if cache in sys.modules:
            sys.modules[cache].clear()
    # Only when Streamlit is loaded: tests that never import it have no caches and skip the import cost.
    if "streamlit" in sys.modules:
        import streamlit as st

        st.cache_data.clear()
        st.cache_resource.clear()


@pytest.fixture(autouse=True)
def clear_streamlit_caches() -> Iterator[None]:
    _clear_streamlit_caches()
    yield
    _clear_streamlit_caches()
