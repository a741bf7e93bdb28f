# Everyday commands. `make run` and `make test` work on a fresh machine: they create .venv first.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: run test lint build stats clean

$(BIN)/kg: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

run: $(BIN)/kg  ## build the store from the bundled data and answer an example query
	$(BIN)/kg build
	$(BIN)/kg query --canned territories

test: $(BIN)/kg  ## lint, then the whole test suite
	$(BIN)/ruff check kg tests
	$(BIN)/ruff format --check kg tests
	$(BIN)/pytest

lint: $(BIN)/kg
	$(BIN)/ruff check kg tests && $(BIN)/ruff format --check kg tests && $(BIN)/mypy kg

build: $(BIN)/kg
	$(BIN)/kg build

stats: $(BIN)/kg
	$(BIN)/kg stats

clean:
	rm -rf var/store var/store.builds .pytest_cache
