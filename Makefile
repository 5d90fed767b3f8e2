# Two commands for a newcomer: `make demo` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint lock clean mutation

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

## Run a node with demo data on this machine (SQLite, nothing else to install).
demo: $(VENV)/.installed
	@# The public site's map uses Leaflet from npm; without npm the site shows its list only.
	@if command -v npm >/dev/null; then npm ci --prefix tools/leaflet --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: national search shows its results without the map"; fi
	$(BIN)/nettungen demo

## Run the test suite. TEST_DATABASE_URL / TEST_BROKER_URL select PostgreSQL / RabbitMQ.
test: $(VENV)/.installed
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Mutation testing of one core module (slow; not part of CI): `make mutation MUTATE=signing`.
## The modules and their tests are in pyproject.toml ([tool.mutmut.modules.*]); the scores are
## kept in docs/testing.md. One worker, so a run leaves the other core to everyone else.
mutation: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[mutation]'
	rm -rf mutants
	MUTATE=$(MUTATE) $(BIN)/python tools/mutation.py run --max-children 1
	MUTATE=$(MUTATE) $(BIN)/python tools/mutation.py results --all true

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache --no-logo

## Re-resolve the pinned versions after changing dependencies in pyproject.toml.
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --upgrade pip
	.lock-venv/bin/python -m pip install --quiet '.[dev,mutation]'
	.lock-venv/bin/python -m pip freeze --exclude-editable | grep -v '^nettungen' > constraints.txt
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache .hypothesis mutants
