# The two commands of the README: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev lint lock bench clean

run: install
	$(BIN)/congress-api migrate
	$(BIN)/congress-api seed
	$(BIN)/congress-api serve

test: install-dev
	$(BIN)/pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/congress-api openapi build/openapi.json
	node_modules/.bin/spectral lint build/openapi.json --ruleset .spectral.yaml --fail-severity warn
	node_modules/.bin/redocly lint build/openapi.json --config redocly.yaml
	$(BIN)/hadolint Dockerfile

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev node_modules/.installed

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(VENV)/.installed $@

# The npm tools (API linters, client generators, axe-core), pinned in package-lock.json.
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Regenerates both pins from pyproject.toml in throw-away environments.
lock:
	rm -rf .lock-env && $(PYTHON) -m venv .lock-env
	.lock-env/bin/pip install --quiet .
	.lock-env/bin/pip freeze --exclude congress-api > requirements.lock
	.lock-env/bin/pip install --quiet '.[dev]'
	.lock-env/bin/pip freeze --exclude congress-api > requirements-dev.lock
	rm -rf .lock-env

# Load benchmark (needs wrk: apt-get install -y wrk); writes bench/RESULTS.md.
bench: install-dev
	$(BIN)/python -m bench.load

# Write benchmark: PATCH throughput and latency on one worker, and a 40-record import, on SQLite
# and on the local PostgreSQL (a database of its own); writes the Writes section of
# bench/RESULTS.md. About three minutes.
.PHONY: bench-writes
bench-writes: install-dev
	$(BIN)/python -m bench.write_bench

clean:
	rm -rf $(VENV) data node_modules
