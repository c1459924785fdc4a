# One task runner: `make demo` and `make test` each build .venv on a fresh machine first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := axiswatch-demo

.PHONY: demo test lint format clean browser bench-web

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/axiswatch --store $(DEMO)/axiswatch.duckdb demo --out $(DEMO) $(DEMO_ARGS)

test: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests use Debian's chromium; install it where we can (root with apt-get).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not found: the browser tests will be skipped"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# The dashboard under load: 10 M synthetic events, 16 clients, idle and while ingesting
bench-web: $(STAMP)
	$(BIN)/python benchmarks/web_load.py $(BENCH_WEB_ARGS)

clean:
	rm -rf $(VENV) $(DEMO) build src/*.egg-info .pytest_cache

# GDELT ingest: axiswatch against gdeltPyR on a local mirror; writes docs/performance.md
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python benchmarks/gdelt_ingest.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/web_load.py $(BENCH_WEB_ARGS)
