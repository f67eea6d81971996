# improvenet: `make up` runs the platform, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: install up test test-fast lint schemas bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## Run the platform on embedded PostgreSQL and the embedded bus (Ctrl-C stops it).
up: install
	$(BIN)/improvenet-admin up

## Every test: unit, integration on real PostgreSQL and real Apache Kafka, end to end.
test: install
	$(BIN)/python -m pytest

## Unit tests only (no database, no broker).
test-fast: install
	$(BIN)/python -m pytest tests/unit

## Measure the platform against the bare limit of this machine (about 5 minutes; JSON in bench/results/).
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check libs services gateway improvenet tests bench
	$(BIN)/mypy libs services gateway improvenet
	$(BIN)/lint-imports

## Write the JSON Schema of every event type into libs/contracts/schemas.
schemas: install
	$(BIN)/python -m libs.contracts schemas

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
