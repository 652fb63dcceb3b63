"""Paths and settings, all overridable by environment variables."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
# Reference facts ship with the project (never read from ../shared at run time).
REFERENCE_DIR = PACKAGE_ROOT / "data" / "reference"
EVENTS_FILE = PACKAGE_ROOT / "data" / "events.csv"


def data_dir() -> Path:
    """The data directory holding `joblog/` (the fact table versions); `JOBLOG_DATA_DIR` overrides."""
    return Path(os.environ.get("JOBLOG_DATA_DIR", PACKAGE_ROOT / "data")).resolve()


def boundaries_file() -> Path | None:
    """Optional municipality boundary GeoJSON for a true choropleth (`JOBLOG_BOUNDARIES`)."""
    value = os.environ.get("JOBLOG_BOUNDARIES")
    return Path(value) if value else None


def uploads_enabled() -> bool:
    """Whether the web upload on 'Om tallene' is offered; a public deployment sets `JOBLOG_ALLOW_UPLOAD=0`."""
    return os.environ.get("JOBLOG_ALLOW_UPLOAD", "1").strip().lower() not in {"0", "false", "no", "off"}
