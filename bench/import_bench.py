"""Import throughput: the demo data exported as a Jobindsats CSV, then validated, imported and re-imported.

Run: `.venv/bin/python -m bench.import_bench [--scale demo]`. Prints figures; asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

import polars as pl

from joblog_dash.data import demo, schema, store
from joblog_dash.importing import jobindsats, service


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="demo", choices=["demo", "full", "stress"])
    args = parser.parse_args()
    frame = demo.generate(seed=2018, scale=args.scale)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        path = root / "jobindsats_export.csv"
        started = time.perf_counter()
        path.write_bytes(jobindsats.to_jobindsats_csv(frame))
        write_s = time.perf_counter() - started
        started = time.perf_counter()
        validation = service.validate_file(path)
        validate_s = time.perf_counter() - started
        started = time.perf_counter()
        service.import_file(path, data_dir=root / "data")
        import_s = time.perf_counter() - started
        started = time.perf_counter()
        again = service.import_file(path, data_dir=root / "data")  # full revision of every month, no changes
        reimport_s = time.perf_counter() - started
        identical = pl.read_parquet(store.current_paths(root / "data")[0]).equals(schema.conform(frame))
        figures = {
            "rows": frame.height,
            "csv_mb": round(path.stat().st_size / 1e6, 1),
            "export_csv_s": round(write_s, 2),
            "validate_s": round(validate_s, 2),
            "import_s": round(import_s, 2),
            "import_rows_per_s": round(frame.height / import_s),
            "reimport_same_file_s": round(reimport_s, 2),
            "reimport_unchanged": again.unchanged,
            "round_trip_identical": identical,
            "validation_ok": validation.ok,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
