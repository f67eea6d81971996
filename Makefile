# improvenet: `make up` runs the platform, `make test` runs every test. Both set themselves up.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_VERSION_OF = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
PY_VERSION := $(call PY_VERSION_OF,$(PYTHON))
# The stamp names the interpreter's version too: another PYTHON means another install.
STAMP  := $(VENV)/.installed-py$(PY_VERSION)-$(shell cat pyproject.toml libs/client/pyproject.toml | cksum | cut -d' ' -f1)
SUPPORTED_PYTHONS := 3.11 3.12 3.13

# `install` also builds the web console (gateway/console) when its sources or lock changed.
.PHONY: install up test test-fast test-newest-python lint schemas bench clean

$(STAMP): pyproject.toml libs/client/pyproject.toml
	@if [ -z "$(PY_VERSION)" ]; then \
	  echo "$(PYTHON) does not run: install Python 3.11, 3.12 or 3.13, or name one: make PYTHON=python3.12 ..."; exit 1; fi
	@if ! echo " $(SUPPORTED_PYTHONS) " | grep -q " $(PY_VERSION) "; then \
	  echo "$(PYTHON) is Python $(PY_VERSION); improvenet needs one of $(SUPPORTED_PYTHONS): make PYTHON=python3.12 ..."; \
	  exit 1; fi
	@if [ -e $(BIN)/python ] || [ -L $(BIN)/python ]; then \
	  have=$$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null || echo "a Python that no longer runs"); \
	  if [ "$$have" != "$(PY_VERSION)" ]; then \
	    echo "$(VENV) was made by Python $$have, but $(PYTHON) is Python $(PY_VERSION): recreating $(VENV)" \
	         "(what make clean would do; to keep the old one, run make PYTHON=python$$have ...)"; \
	    rm -rf $(VENV); \
	  fi; \
	fi
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q -e ./libs/client
	@rm -f $(VENV)/.installed-* && touch $@

## The web console (gateway/console, served at /app): `npm ci` when its lock changes, `npm run build` when its
## sources do; each stamp makes a second `make install` with nothing changed a no-op.
CONSOLE := gateway/console
CONSOLE_SOURCES := $(shell find $(CONSOLE)/src -type f 2>/dev/null) $(CONSOLE)/index.html $(CONSOLE)/vite.config.ts \
                   $(CONSOLE)/tsconfig.json $(CONSOLE)/package.json
NPM_STAMP := $(CONSOLE)/node_modules/.installed
CONSOLE_STAMP := $(CONSOLE)/dist/.built

$(NPM_STAMP): $(CONSOLE)/package-lock.json
	@command -v npm >/dev/null || { echo "npm is missing: the web console needs Node.js 20 and npm" \
	  "(Debian: apt-get install nodejs npm)"; exit 1; }
	cd $(CONSOLE) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CONSOLE_STAMP): $(NPM_STAMP) $(CONSOLE_SOURCES)
	cd $(CONSOLE) && npm run --silent build
	@touch $@

install: $(STAMP) $(CONSOLE_STAMP)

## Run the platform on embedded PostgreSQL and the embedded bus (Ctrl-C stops it).
up: install
	$(BIN)/improvenet-admin up

## Every test: unit, integration on real PostgreSQL and real Apache Kafka, end to end.
test: install
	$(BIN)/python -m pytest

## Unit, contract and integration tests again on the newest supported Python, 3.13 (CI runs this after
## `make test`). A python3.13 on PATH is used; otherwise one is built once from Debian's source tarball.
NEWEST_VENV := .venv-py3.13
test-newest-python:
	@newest=$$(deploy/local/python/build.sh) && $(MAKE) --no-print-directory VENV=$(NEWEST_VENV) PYTHON=$$newest install
	$(NEWEST_VENV)/bin/python -m pytest -p no:cacheprovider tests/unit tests/contract tests/integration

## Unit tests only (no database, no broker).
test-fast: install
	$(BIN)/python -m pytest tests/unit

## Measure the platform against the bare limit of this machine (about 5 minutes; JSON in bench/results/).
bench: install
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python -m bench

lint: install
	$(BIN)/ruff check libs services gateway improvenet tests bench
	$(BIN)/mypy libs services gateway improvenet bench deploy
	$(BIN)/lint-imports

## Write the JSON Schema of every event type into libs/contracts/schemas.
schemas: install
	$(BIN)/python -m libs.contracts schemas

clean:
	rm -rf $(VENV) $(NEWEST_VENV) .pytest_cache .mypy_cache .ruff_cache
