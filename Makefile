# Two commands a newcomer needs: `make run` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATA_DIR ?= $(or $(JOBLOG_DATA_DIR),data)

.PHONY: run test lint demo bench load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Build the synthetic demo dataset only when the data directory has no dataset yet.
$(DATA_DIR)/joblog/CURRENT: | $(STAMP)
	$(BIN)/joblog-dash demo --data-dir $(DATA_DIR)

demo: $(STAMP)
	$(BIN)/joblog-dash demo --data-dir $(DATA_DIR)

run: $(STAMP) $(DATA_DIR)/joblog/CURRENT
	JOBLOG_DATA_DIR=$(DATA_DIR) $(BIN)/streamlit run app.py

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

load: $(STAMP)
	$(BIN)/python -m bench.load --sessions 20 --seconds 60

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-output
