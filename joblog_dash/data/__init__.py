"""Parquet to DuckDB to polars: the only SQL and the only dataset I/O.

reference.py holds the municipalities, areas, benefit groups and events; schema.py the canonical fact
table; store.py writes dataset versions atomically (and aggregates.py their pre-aggregated tables);
demo.py generates the synthetic default data; warehouse.py opens a version in DuckDB; queries.py asks it
every question the views need; hexmap.py and boundaries.py give the map's geometry.
"""
