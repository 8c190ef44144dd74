# make setup: .venv with everything (idempotent); make run: the server with the bundled data on
# the embedded store at 127.0.0.1:8000; make test: ruff, mypy and the test suite; make bench: the
# benchmarks.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The browser assets the pages load from our own host (YASGUI, Swagger UI: frontend/package.json),
# installed by npm at setup and copied to api/static/vendor/; never fetched from a CDN at run time.
# npm ci also installs the test-time devDependencies (axe-core, tests/test_accessibility.py), which
# stay in frontend/node_modules: --include=dev even where NODE_ENV=production.
VENDOR := api/static/vendor/yasgui/yasgui.min.js
NPM ?= npm
HOST ?= 127.0.0.1
PORT ?= 8000
# make bench SIZE=smoke RESULTS=DIR: the same benchmarks at their smallest size, one repetition,
# results (NAME.json, rendered as NAME.md and NAME.png) written to DIR (the test suite's smoke test,
# tests/test_bench_smoke.py).
SIZE ?= full
RESULTS ?= benchmarks/results
ifeq ($(SIZE),smoke)
BENCH_INGEST := --records 10 --small 3 --files 2
BENCH_ENDPOINT := --repeat 1 --rdflib-repeat 1
BENCH_PAGES := --repeat 1
BENCH_MIRROR := --triples 2000 --repeat 1
BENCH_LOOKUPS := --repeat 1 --targets 2
BENCH_INFERENCE := --repeat 1 --cases 20 --laws 10
else ifeq ($(SIZE),full)
BENCH_INGEST :=
BENCH_ENDPOINT :=
BENCH_PAGES :=
BENCH_MIRROR :=
BENCH_LOOKUPS :=
BENCH_INFERENCE :=
else
$(error SIZE must be full or smoke, not $(SIZE))
endif
# make bench-large: point lookups and server memory at 100k, 1M and 10M triples, and a load into
# a store of each size with the inference rules scoped vs whole (long: the 10M set takes a while
# to generate and load through the pipeline; each set is kept in BENCH_CACHE and reused);
# LOOKUP_SIZES=100000,1000000 for a shorter run.
LOOKUP_SIZES ?= 100000,1000000,10000000
BENCH_CACHE ?= var/bench/lookups

.PHONY: setup run test bench bench-large check-ontology clean messages

setup: $(STAMP) $(VENDOR)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	@touch $(STAMP)

$(VENDOR): frontend/package.json frontend/package-lock.json
	$(NPM) ci --prefix frontend --include=dev --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf api/static/vendor
	mkdir -p api/static/vendor/yasgui api/static/vendor/swagger-ui
	cp frontend/node_modules/@zazuko/yasgui/build/yasgui.min.js frontend/node_modules/@zazuko/yasgui/build/yasgui.min.css \
	   frontend/node_modules/@zazuko/yasgui/package.json api/static/vendor/yasgui/
	cp frontend/node_modules/swagger-ui-dist/swagger-ui-bundle.js frontend/node_modules/swagger-ui-dist/swagger-ui.css \
	   frontend/node_modules/swagger-ui-dist/LICENSE frontend/node_modules/swagger-ui-dist/NOTICE api/static/vendor/swagger-ui/
	@touch $(VENDOR)  # the target: newer than the lock file once copied

# make messages: the interface strings marked in api/ (babel.cfg) extracted into the template catalog
# api/locale/messages.pot, and every language's catalog updated from it (new and changed strings come
# in empty: to translate before tests/test_i18n.py passes).
LOCALES := fr es ar zh ru nl

messages: setup
	$(BIN)/pybabel extract --mapping-file babel.cfg --no-location --sort-output \
	    --keywords N_ --output-file api/locale/messages.pot api
	for lang in $(LOCALES); do \
	  test -f api/locale/$$lang/LC_MESSAGES/messages.po \
	    || $(BIN)/pybabel init --input-file api/locale/messages.pot --output-dir api/locale --locale $$lang; \
	  $(BIN)/pybabel update --input-file api/locale/messages.pot --output-dir api/locale --locale $$lang \
	    --no-wrap --no-fuzzy-matching; \
	done

run: setup
	$(BIN)/sherloc-kg init
	$(BIN)/sherloc-kg serve --host $(HOST) --port $(PORT)

# make test first runs ruff and mypy (configured in pyproject.toml; the first failure stops it),
# then the suite on every core (pytest-xdist, PYTEST_WORKERS=auto; 0 for one process).
# Each worker has its own session: its own temporary folders, stores, and servers on free loopback
# ports. --dist loadfile keeps a module on one worker, so a module's servers start once.
PYTEST_WORKERS ?= auto

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

bench: setup
	@mkdir -p $(RESULTS)
	$(BIN)/python benchmarks/ingest.py $(BENCH_INGEST) --out $(RESULTS)/ingest.json
	$(BIN)/python benchmarks/endpoint.py $(BENCH_ENDPOINT) --out $(RESULTS)/endpoint.json
	$(BIN)/python benchmarks/pages.py $(BENCH_PAGES) --out $(RESULTS)/pages.json
	$(BIN)/python benchmarks/mirror.py $(BENCH_MIRROR) --out $(RESULTS)/mirror.json
	$(BIN)/python benchmarks/charts.py --results $(RESULTS)

bench-large: setup
	@mkdir -p $(RESULTS)
	$(BIN)/python benchmarks/lookups.py --sizes $(LOOKUP_SIZES) $(BENCH_LOOKUPS) --cache $(BENCH_CACHE) --out $(RESULTS)/lookups.json
	$(BIN)/python benchmarks/inference.py --sizes $(LOOKUP_SIZES) $(BENCH_INFERENCE) --cache $(BENCH_CACHE) --out $(RESULTS)/inference.json
	$(BIN)/python benchmarks/charts.py --results $(RESULTS)

check-ontology: setup
	$(BIN)/sherloc-kg check-ontology

clean:
	rm -rf $(VENV) var .pytest_cache frontend/node_modules api/static/vendor
