# policykg — `make test` and `make serve` set everything up on a fresh machine (Python ≥ 3.11).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: test serve setup java virtuoso wrk chromium clean bench-quick bench bench-setup bench-report loadtest eval

setup: $(STAMP) java virtuoso wrk chromium

# The venv is (re)built when it is missing, broken, or older than pyproject.toml.
$(STAMP): pyproject.toml
	@$(BIN)/python -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null \
	  || { rm -rf $(VENV); $(PYTHON) -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# HermiT (the OWL reasoner behind `policykg check`) needs a Java runtime.
java:
	@command -v java >/dev/null 2>&1 || { \
	  echo "installing a Java runtime for HermiT"; \
	  SUDO=$$(command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends default-jre-headless; }

# Virtuoso Open Source: the second engine the tests run on (benchmarks/virtuoso.py starts a private one).
virtuoso:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  echo "installing Virtuoso Open Source for the engine tests"; \
	  SUDO=$$(command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends virtuoso-opensource; }

# Debian's Chromium, driven by Playwright in tests/test_ui.py (no `playwright install`: the tests
# launch /usr/bin/chromium), and a font for its screenshots.
chromium:
	@test -x /usr/bin/chromium || { \
	  echo "installing Chromium for the browser tests"; \
	  SUDO=$$(command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }

test: setup
	$(BIN)/python -m pytest

# Load data/ (a no-op when the store already holds the same files), then serve on 127.0.0.1:8000.
serve: $(STAMP)
	$(BIN)/policykg load data/
	$(BIN)/policykg serve --host 127.0.0.1 --port 8000

# Benchmarks (benchmarks/, docs/benchmarks.md): the `bench` extra and wrk from Debian, then the run.
BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	@touch $(BENCH_STAMP)

bench-setup: $(BENCH_STAMP) wrk virtuoso

# wrk, the HTTP load generator of the benchmarks (tests/test_benchmarks.py runs it at a tiny size).
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  echo "installing wrk (the HTTP load generator)"; \
	  SUDO=$$(command -v sudo >/dev/null && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends wrk; }

# 10k statements, a few minutes; writes benchmarks/results/<date>-10000.json and the report.
bench-quick: bench-setup
	$(BIN)/python -m benchmarks.run --size 10000 --virtuoso
	$(BIN)/python -m benchmarks.report

# 100k and 1M statements (long: hours at today's ingest rate).
bench: bench-setup
	$(BIN)/python -m benchmarks.run --size 100000 --size 1000000
	$(BIN)/python -m benchmarks.report

# How good `policykg extract` is (docs/extraction.md): the first article and the test texts,
# against the curated entries; prints the table, writes benchmarks/results/extraction/<date>.json
# and the table in docs/extraction.md; fails when a target is not met.
eval: $(STAMP)
	$(BIN)/python -m benchmarks.extraction

# docs/benchmarks.md and docs/benchmarks/*.png from benchmarks/results/*.json.
bench-report: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.report

# A bounded load test on a copy of STORE (docs/reliability.md, "Load"): REST lookups, /sparql and
# writes for MINUTES, then every graph compared with the store before. Exit status 1 when a check fails.
STORE   ?= var/store
MINUTES ?= 5
LOADTEST_OUT ?= var/loadtest.json

loadtest: $(STAMP) wrk
	@mkdir -p $(dir $(LOADTEST_OUT))
	$(BIN)/python -m benchmarks.loadtest --store $(STORE) --minutes $(MINUTES) --out $(LOADTEST_OUT)

clean:
	rm -rf $(VENV) var build dist *.egg-info .pytest_cache
