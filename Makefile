# The two commands: `make run` and `make test`. Everything else is set up on the way.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
SYNCED := $(VENV)/.synced

# uv must use this machine's Python; it may not download one.
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(shell $(PYTHON) -c 'import sys; print(sys.executable)')
export UV_PROJECT_ENVIRONMENT := $(VENV)
# Bytecode is compiled at install, so the first start does not compile every module
# (and starts as fast where PYTHONDONTWRITEBYTECODE is set).
export UV_COMPILE_BYTECODE := 1

.PHONY: run test lint pytest bench migrate docs clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(SYNCED): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --all-extras
	@touch $@

## Start the server on the embedded SQLite database (./voipbin.db), migrating it first.
run: $(SYNCED)
	VOIPBIN_WEBHOOK_ALLOW_PRIVATE=$${VOIPBIN_WEBHOOK_ALLOW_PRIVATE:-true} $(UV) run --no-sync voipbin serve

## Apply the database migrations and exit.
migrate: $(SYNCED)
	$(UV) run --no-sync voipbin migrate

## Lint, type-check, then run the whole test suite.
test: lint pytest

lint: $(SYNCED)
	$(UV) run --no-sync ruff check src tests benchmarks examples
	$(UV) run --no-sync ruff format --check src tests benchmarks examples
	$(UV) run --no-sync mypy
	$(UV) run --no-sync lint-imports

# Tests run on every core, at most four (pytest-xdist): each worker makes its own databases.
pytest: $(SYNCED)
	$(UV) run --no-sync pytest -q -n auto --maxprocesses 4 $(PYTEST_ARGS)

## Benchmarks: throughput ratios against bare reference handlers (not part of `make test`).
bench: $(SYNCED)
	$(UV) run --no-sync python -m benchmarks $(BENCH_ARGS)

## Regenerate the generated docs (the reason catalog page).
docs: $(SYNCED)
	$(UV) run --no-sync python -m voipbin.server.docs

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
