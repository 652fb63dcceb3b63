"""joblog-dash: follow the use of Joblog across Danish municipalities.

Data flows one way, in this order (tests/test_house.py checks it; a cycle is a layout bug):

data/        parquet → DuckDB → polars: reference data, the canonical schema, versioned store, the demo,
             the open dataset (warehouse) and every question as SQL (queries) — the only SQL and dataset I/O
analysis/    pure statistics on frames: the methods (stats), THE disclosure rule (privacy), the measures,
             funnel and letter effect (fair), the signal rule and follow-up list, expected versus actual
importing/   real exports in: readers, Jobindsats conventions, the mapping step, validation, the service
views/       one build(db, selection) per screen, cached by structure: every number a screen, the brief,
             the deck and the exports show, published by the disclosure rule
charts/      plotly figures from view frames (plain JSON)
exporting/   files a user takes away, rendered from the views: tables, CSV/XLSX/PNG/SVG, brief, deck, CLI
ui/          Streamlit only: page setup, the URL codec, the figure cache, sections per screen, sign-in
pages/, app.py  layout only

text/ (every Danish word, Danish formatting, text safety) and config.py are the ground floor any layer uses.
"""

__version__ = "0.1.0"
