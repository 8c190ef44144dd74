# make setup: .venv with everything (idempotent); make run: the server with the bundled data on
# the embedded store at 127.0.0.1:8000; make test: the test suite; make bench: the benchmarks.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test bench check-ontology clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: setup
	$(BIN)/sherloc-kg init
	$(BIN)/sherloc-kg serve --host $(HOST) --port $(PORT)

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python benchmarks/ingest.py
	$(BIN)/python benchmarks/endpoint.py
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/mirror.py
	$(BIN)/python benchmarks/charts.py

check-ontology: setup
	$(BIN)/sherloc-kg check-ontology

clean:
	rm -rf $(VENV) var .pytest_cache
