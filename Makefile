# policykg — `make test` and `make serve` set everything up on a fresh machine (Python ≥ 3.11).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: test serve setup java clean

setup: $(STAMP) java

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

test: setup
	$(BIN)/python -m pytest

# Load data/ (a no-op when the store already holds the same files), then serve on 127.0.0.1:8000.
serve: setup
	$(BIN)/policykg load data/
	$(BIN)/policykg serve --host 127.0.0.1 --port 8000

clean:
	rm -rf $(VENV) var build dist *.egg-info .pytest_cache
