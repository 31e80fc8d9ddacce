# One command to run the platform (`make run`), one to check everything (`make test`).
# Override the interpreter that creates the venv with `make PY=python3.12 ...`.

PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= .data
# Touched after a successful install: a newer pyproject.toml means install again.
STAMP := $(VENV)/.installed

.PHONY: venv run test lint bench schemas clean

venv: $(STAMP)

# A fresh venv's bundled pip (23.x) fails to resolve the OpenTelemetry set: upgrade it first.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || { $(PY) -m venv $(VENV) && $(BIN)/python -m pip install --quiet --upgrade pip; }
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

run: venv
	$(BIN)/python -m shared.supervisor

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy shared services tests
	$(BIN)/python -m shared.contracts_export --check
	$(BIN)/python -m shared.migrate check

test: lint
	$(BIN)/pytest -q

bench: venv
	$(BIN)/python tests/bench/run.py $(BENCH_ARGS)

schemas: venv
	$(BIN)/python -m shared.contracts_export

clean:
	rm -rf $(DATA)
