# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
INSTALLED_SPARK := $(VENV)/.installed-spark

export PIPEHEALTH_LANDING ?= $(CURDIR)/landing
export PIPEHEALTH_WAREHOUSE ?= $(CURDIR)/warehouse
export DAGSTER_HOME ?= $(PIPEHEALTH_WAREHOUSE)/dagster_home
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

SCALE ?= S
SEED ?= 7

.PHONY: install run test test-system lint format dev docs metric-docs sample clean \
	run-broken-example bench bench-smoke install-spark test-spark

$(INSTALLED): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

## The `spark` target's packages (dbt-spark, pyspark: about 600 MB); Spark needs Java 17.
$(INSTALLED_SPARK): $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	touch $(INSTALLED_SPARK)

install-spark: $(INSTALLED_SPARK)

## Sample extracts, generated once into the landing folder.
sample: install
	@if [ -d "$(PIPEHEALTH_LANDING)" ] && [ -n "$$(ls -A "$(PIPEHEALTH_LANDING)")" ]; then \
		echo "Landing folder $(PIPEHEALTH_LANDING) already holds drops; not generating."; \
	else \
		$(BIN)/pipehealth generate --scale $(SCALE) --seed $(SEED) --out "$(PIPEHEALTH_LANDING)"; \
	fi

## Load every pending drop, gate, build the marts through Dagster, publish.
run: sample
	$(BIN)/pipehealth run

## The test suite on every core (pytest-xdist; TEST_WORKERS=0 runs it in one process),
## its warehouses in memory where the machine has a tmpfs (the tests' runs commit and
## fsync hundreds of times: Dagster's event log, DuckDB checkpoints, each publish);
## pytest's "no tests collected" (exit 5) counts as a failure. The whole-system tests
## and those on Spark have targets of their own (pyproject.toml).
TEST_WORKERS ?= auto
TEST_TMPDIR ?= $(shell test -d /dev/shm && test -w /dev/shm && echo /dev/shm || echo /tmp)
## One dbt thread and one DuckDB thread per run: the workers already keep every core
## busy, and on the tests' small warehouses a second thread costs more CPU than it saves
## (a run of the test sample: about 47 s of CPU with one, 63 s with two). `make run` and
## the benchmarks keep the default of two.
## --no-loadscope-reorder: the workers take modules in the order tests/conftest.py sorts
## them, the slow ones first; pytest-xdist would otherwise start with the modules that
## have the most tests, mostly quick ones, and end on a long module alone.
PYTEST := PIPEHEALTH_DBT_THREADS=1 PIPEHEALTH_DUCKDB_THREADS=1 TMPDIR="$(TEST_TMPDIR)" \
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder
NO_TESTS_FAILS := status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$status
test: install
	$(PYTEST) --durations=25; $(NO_TESTS_FAILS)

## Whole-system tests: `pipehealth` processes SIGKILLed at each crash point, two run at
## once, the services stopped by SIGTERM, a mart added to a copied project, every mart
## built on PostgreSQL (skipped without a server unless PIPEHEALTH_REQUIRE_POSTGRES=1).
test-system: install
	$(PYTEST) -m system --durations=10; $(NO_TESTS_FAILS)

## The whole dbt project built on a local Spark, every mart compared with DuckDB's.
test-spark: install-spark
	@command -v java >/dev/null || { echo "Spark needs Java 17: bash .ci/java" >&2; exit 1; }
	@# The test skips itself where pyspark or dbt-spark is missing; here that is an error.
	$(BIN)/python -c "import pyspark.sql, dbt.adapters.spark"
	$(BIN)/python -m pytest -m spark tests/marts/test_spark_equality.py

lint: install
	$(BIN)/ruff check dagster_project tests bench
	$(BIN)/ruff format --check dagster_project tests bench
	@# sqlfluff compiles through dbt, which opens the DuckDB file of the profile.
	mkdir -p "$(PIPEHEALTH_WAREHOUSE)"
	$(BIN)/sqlfluff lint dbt/models dbt/data-tests

format: install
	$(BIN)/ruff check --fix dagster_project tests
	$(BIN)/ruff format dagster_project tests
	$(BIN)/sqlfluff fix dbt/models

## The Dagster UI on http://localhost:3000 (runs of `make run` show there too).
dev: install
	$(BIN)/pipehealth serve

## dbt's docs blocks of the metrics (dbt/models/marts/_metrics.md), from docs/metrics.md.
metric-docs: install
	$(BIN)/python -m dagster_project.transform.metric_docs

## dbt's docs for analysts as one static page, warehouse/docs/index.html (opens offline, no
## server); the catalog (column types, row counts) is read from the build database.
DOCS_DIR := $(PIPEHEALTH_WAREHOUSE)/docs

docs: metric-docs
	rm -rf "$(DOCS_DIR)/target"
	mkdir -p "$(DOCS_DIR)"
	cd dbt && $(abspath $(BIN))/dbt docs generate --static --profiles-dir . --target-path "$(DOCS_DIR)/target"
	@# dbt-docs' page asks its server for two URLs that are unexpanded templates, each a 404
	@# and a console error: the favicon `${require(...)}` (an empty icon instead) and the
	@# tree's icons `xlink:href="{{ ... }}"` (set by AngularJS once expanded instead).
	sed -e 's|href="\$${require([^)]*)}"|href="data:,"|' \
		-e 's|xlink:href="{{|ng-attr-xlink:href="{{|g' \
		"$(DOCS_DIR)/target/static_index.html" > "$(DOCS_DIR)/index.html"
	rm -rf "$(DOCS_DIR)/target"
	@echo "dbt docs: $(DOCS_DIR)/index.html"

## What a stopped run looks like, in a scratch folder under the warehouse: a small good
## drop is published, then a broken one from the test corpus arrives (BROKEN_CASE, any
## folder of tests/fixtures/bad_extracts/, see its cases.yaml); the run exits 1 with the
## message, and the published BI file keeps its checksum.
BROKEN_CASE ?= unparseable_amount
BROKEN_CORPUS := $(CURDIR)/tests/fixtures/bad_extracts
BROKEN_EXAMPLE := $(PIPEHEALTH_WAREHOUSE)/broken-example

run-broken-example: install
	rm -rf "$(BROKEN_EXAMPLE)"
	mkdir -p "$(BROKEN_EXAMPLE)/landing" "$(BROKEN_EXAMPLE)/dagster_home"
	cp -R "$(BROKEN_CORPUS)/good/2025-03-03" "$(BROKEN_EXAMPLE)/landing/"
	@export DAGSTER_HOME="$(BROKEN_EXAMPLE)/dagster_home"; \
	run="$(BIN)/pipehealth run --landing $(BROKEN_EXAMPLE)/landing --warehouse $(BROKEN_EXAMPLE)/warehouse"; \
	served="$(BROKEN_EXAMPLE)/warehouse/pipehealth.duckdb"; \
	echo "== 1. The good drop 2025-03-03 is loaded, gated, built and published"; \
	$$run > "$(BROKEN_EXAMPLE)/good_run.log" 2>&1 \
		|| { cat "$(BROKEN_EXAMPLE)/good_run.log"; exit 2; }; \
	sed -n '/^pipehealth: published/,$$p' "$(BROKEN_EXAMPLE)/good_run.log"; \
	before=$$(sha256sum "$$served" | cut -d' ' -f1); \
	echo; echo "== 2. The broken drop $(BROKEN_CASE) arrives as 2025-03-04"; \
	cp -R "$(BROKEN_CORPUS)/$(BROKEN_CASE)" "$(BROKEN_EXAMPLE)/landing/2025-03-04"; \
	touch "$(BROKEN_EXAMPLE)/landing/2025-03-04/_SUCCESS"; \
	$$run > "$(BROKEN_EXAMPLE)/broken_run.log" 2>&1; status=$$?; \
	sed -n '/^Stopped by a quality gate/,$$p' "$(BROKEN_EXAMPLE)/broken_run.log"; \
	echo "pipehealth run exited with $$status (1 = stopped by a quality gate)"; \
	after=$$(sha256sum "$$served" | cut -d' ' -f1); \
	echo; echo "== 3. The published BI file is unchanged"; \
	echo "  sha256 before: $$before"; echo "  sha256 after:  $$after"; \
	echo; echo "== 4. What the audit schema kept (in $(BROKEN_EXAMPLE)/warehouse/build.duckdb)"; \
	$(BIN)/python -m dagster_project.quality.report "$(BROKEN_EXAMPLE)/warehouse/build.duckdb"; \
	echo; echo "Full logs: $(BROKEN_EXAMPLE)/*.log"; \
	test "$$status" -eq 1 && test "$$before" = "$$after"

clean:
	rm -rf "$(PIPEHEALTH_WAREHOUSE)" dbt/target dbt/logs

## Benchmark at SCALE (S, M, L): pipeline vs the engine floor and a pandas peer; appends
## bench/RESULTS.md. Generated drops are kept in bench/work/<SCALE>/ between runs.
## BENCH_ARGS passes options on, e.g. BENCH_ARGS=--pipeline-only (full build and nightly).
BENCH_ARGS ?=
bench: install
	$(BIN)/python bench/bench.py --scale $(SCALE) $(BENCH_ARGS)

## The benchmark at XS scale, results to bench/work/ (keeps the harness working).
bench-smoke: install
	$(BIN)/python bench/bench.py --scale XS --results bench/work/RESULTS-smoke.md
