# One task runner: `make demo` and `make test` each build .venv on a fresh machine first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO   := axiswatch-demo

.PHONY: demo test lint format clean browser bench bench-web

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/axiswatch --store $(DEMO)/axiswatch.duckdb demo --out $(DEMO) $(DEMO_ARGS)

test: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The browser tests use Debian's chromium and the PDF tests read text with poppler's
# pdftotext; install them where we can (root with apt-get). Without them the browser
# tests are skipped with their reason and the PDF tests read text with pypdf.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium and poppler-utils for the browser and PDF tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	  else echo "chromium or pdftotext not found: browser tests skip, PDF tests use pypdf"; fi; }

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

# The dashboard under load: 10 M synthetic events, 16 clients, idle and while ingesting
bench-web: $(STAMP)
	$(BIN)/python benchmarks/web_load.py $(BENCH_WEB_ARGS)

clean:
	rm -rf $(VENV) $(DEMO) build src/*.egg-info .pytest_cache

# GDELT ingest against gdeltPyR on a local mirror, then the dashboard under load;
# both write their tables into docs/performance.md
bench: $(STAMP)
	$(BIN)/python benchmarks/gdelt_ingest.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/web_load.py $(BENCH_WEB_ARGS)
