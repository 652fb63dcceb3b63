# Two commands a newcomer needs: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= $(or $(JOBLOG_DATA_DIR),data)

.PHONY: run serve restart-worker test lint demo bench load soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Build the synthetic demo dataset only when the data directory has no dataset yet. Without the stored views
# (minutes of CPU and ~100 MB): the app starts at once and its first worker stores them in the background.
$(DATA_DIR)/joblog/CURRENT: | $(STAMP)
	$(BIN)/joblog-dash demo --no-prebuild --data-dir $(DATA_DIR)

demo: $(STAMP)
	$(BIN)/joblog-dash demo --data-dir $(DATA_DIR)

run: $(STAMP) $(DATA_DIR)/joblog/CURRENT
	JOBLOG_DATA_DIR=$(DATA_DIR) $(BIN)/streamlit run app.py

# Several workers behind HAProxy (deploy/, README "Deployment"): WORKERS=N (default: number of cores),
# SERVE_PORT (default 8501, workers from 8511). `make restart-worker N=1` restarts w1 of a running serve.
SERVE_PORT ?= 8501
serve: $(STAMP) $(DATA_DIR)/joblog/CURRENT
	$(BIN)/python -m deploy.supervise start --port $(SERVE_PORT) --data-dir $(DATA_DIR) $(if $(WORKERS),--workers $(WORKERS))

restart-worker:
	$(if $(N),,$(error give the worker: make restart-worker N=1))
	$(BIN)/python -m deploy.supervise restart-worker $(N) --port $(SERVE_PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# System packages first: a run without Chromium would skip the browser tests, so it stops instead.
test: $(STAMP)
	./scripts/system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

# Benchmarks and load test (not part of `make test`; see docs/PERFORMANCE.md). SCALES=demo,full,stress
SCALES ?= demo,full
bench: $(STAMP)
	$(BIN)/python -m bench.run --scales $(SCALES)

# `make load` and `make soak` run against `deploy/` (HAProxy + WORKERS workers, default: number of cores).
load: $(STAMP)
	$(BIN)/python -m bench.load --serve $(if $(WORKERS),--workers $(WORKERS)) --sessions 20,60,120 --seconds 60

soak: $(STAMP)
	$(BIN)/python -m bench.load --serve $(if $(WORKERS),--workers $(WORKERS)) --soak --sessions 20 --seconds 600

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
