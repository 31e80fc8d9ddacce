# One command to run the platform (`make run`), one to check everything (`make test`).
# Override the interpreter that creates the venv with `make PY=python3.12 ...`.

PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA ?= .data
# Touched after a successful install: a newer pyproject.toml means install again.
STAMP := $(VENV)/.installed

# The web UI (services/gateway/web): rebuilt from its lockfile when its sources change.
WEB := services/gateway/web
WEB_STAMP := $(WEB)/.built
WEB_SOURCES := $(WEB)/package.json $(WEB)/package-lock.json $(WEB)/index.html \
	$(WEB)/vite.config.ts $(WEB)/tsconfig.json $(shell find $(WEB)/src -type f)
# The browser tests drive Debian's Chromium (ESAFETY_CHROMIUM overrides the path).
CHROMIUM ?= $(or $(ESAFETY_CHROMIUM),/usr/bin/chromium)

.PHONY: venv web browser run test lint bench chaos fuzz schemas clean

venv: $(STAMP)

# A fresh venv's bundled pip (23.x) fails to resolve the OpenTelemetry set: upgrade it first.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || { $(PY) -m venv $(VENV) && $(BIN)/python -m pip install --quiet --upgrade pip; }
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

web: $(WEB_STAMP)

$(WEB_STAMP): $(WEB_SOURCES)
	cd $(WEB) && npm ci --no-audit --no-fund && npm run build
	touch $@

browser:
	@test -x $(CHROMIUM) || { \
	  echo "Chromium is missing: installing Debian's chromium package for the browser tests"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; } \
	  || { echo "Could not install Chromium: install Debian's 'chromium' package (as root)," \
	       "or set ESAFETY_CHROMIUM to a Chromium binary, then run make test again." >&2; exit 1; }

run: venv web
	$(BIN)/python -m shared.supervisor

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy shared services tests
	$(BIN)/python -m shared.contracts_export --check
	$(BIN)/python -m shared.migrate check

test: lint web browser
	$(BIN)/pytest -q

bench: venv
	$(BIN)/python -m tests.bench.run $(BENCH_ARGS)

# The fault proof: 55,000 entry-point items (over 100,000 events) under SIGKILLs (~20 min).
CHAOS_ARGS ?= --items 55000
chaos: venv
	$(BIN)/python -m tests.chaos $(CHAOS_ARGS)

# >= 10,000 generated requests against the whole platform (FUZZ_ARGS="--seed N" repeats a run).
fuzz: venv
	$(BIN)/python -m tests.fuzz.run $(FUZZ_ARGS)

schemas: venv
	$(BIN)/python -m shared.contracts_export

clean:
	rm -rf $(DATA)
