# The README's commands. `make run` and `make test` are all a fresh machine needs.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 5000
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app cxculture
STAMP := $(VENV)/.installed
CATALOGS := $(patsubst %.po,%.mo,$(wildcard cxculture/translations/*/LC_MESSAGES/messages.po))
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/cxculture_test

.PHONY: install catalogs run test test-pg test-e2e screenshots bench bench-quick bench-scale lint format translations clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

catalogs: $(CATALOGS)

cxculture/translations/%/LC_MESSAGES/messages.mo: cxculture/translations/%/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

run: install catalogs
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@echo "cxculture is serving on http://127.0.0.1:$(PORT) (Ctrl+C stops it)."
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install catalogs
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest

test-pg: install catalogs
	CXCULTURE_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest

# The browser tests alone, on Debian's Chromium (skipped without it); screenshots of every step
# go to test-artifacts/e2e/ (or CX_E2E_ARTIFACTS).
test-e2e: install catalogs
	$(BIN)/pytest tests/e2e

# The README's screenshots (tests/e2e/screenshots/), taken by the browser tests that walk every
# page: the demo company in English on a 1366x900 screen.
screenshots: install catalogs
	CX_README_SCREENSHOTS=1 $(BIN)/pytest tests/e2e/pages/test_pages.py -k en-desktop

# Every benchmark with its ceiling, on fresh SQLite databases; with DATABASE_URL (or
# BENCH_ARGS="--database-url ...") naming a PostgreSQL database called *bench*, on PostgreSQL.
bench: install catalogs
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# The same at a tenth of the size: a smoke test that every benchmark still runs.
bench-quick: install catalogs
	$(BIN)/python -m bench.run --quick $(BENCH_ARGS)

# The large-company benchmark alone, on PostgreSQL: 2,000, 20,000 and 100,000 people, each cost
# beside its ceiling, its growth (log-log slope) and the plot bench/scale.png. BENCH_ARGS may name
# another database (its name must contain "bench"; it is created when missing).
bench-scale: install catalogs
	$(BIN)/python -m bench.run --scale \
		$(or $(BENCH_ARGS),--database-url postgresql://postgres@127.0.0.1:5432/cxculture_bench_scale)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Extract new strings from the code and templates, then merge them into every catalog.
translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
		--project cxculture --copyright-holder "cxculture contributors" \
		-o cxculture/translations/messages.pot .
	$(BIN)/pybabel update -i cxculture/translations/messages.pot -d cxculture/translations \
		--width 100 --ignore-obsolete

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache $(CATALOGS)
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
