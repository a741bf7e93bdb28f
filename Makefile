# Everyday commands. `make run` and `make test` work on a fresh machine: they create .venv first.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: run test test-fast lint build stats bench clean vendor

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/kg  ## serve the SPARQL endpoint over the bundled data (builds the store when missing)
	$(BIN)/kg serve

test: $(BIN)/kg  ## lint and type-check, then the whole test suite
	$(BIN)/ruff check kg kg_cli api bench tests
	$(BIN)/ruff format --check kg kg_cli api bench tests
	$(BIN)/mypy kg kg_cli api
	$(BIN)/pytest

test-fast: $(BIN)/kg  ## the same checks, then the tests without the browser and slow markers (tests/conftest.py)
	$(BIN)/ruff check kg kg_cli api bench tests
	$(BIN)/ruff format --check kg kg_cli api bench tests
	$(BIN)/mypy kg kg_cli api
	$(BIN)/pytest -m "not browser and not slow"

lint: $(BIN)/kg
	$(BIN)/ruff check kg kg_cli api bench tests && $(BIN)/ruff format --check kg kg_cli api bench tests && $(BIN)/mypy kg kg_cli api

build: $(BIN)/kg
	$(BIN)/kg build

bench: $(BIN)/kg  ## the endpoint benchmark, then the canned queries on Oxigraph and Virtuoso (bench/README.md); over an hour on 2 cores
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py --scales bundled,1m,5m
	$(BIN)/python bench/canned.py --scales bundled,1m

stats: $(BIN)/kg
	$(BIN)/kg stats

vendor:  ## re-vendor the front-end packages (frontend/package-lock.json) into api/static/vendor/; needs node and npm
	cd frontend && npm ci --ignore-scripts --no-audit --no-fund && npm run vendor

clean:
	rm -rf var/store var/store.builds .pytest_cache
