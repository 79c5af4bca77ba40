# HARMONI: `make run` starts the platform on the embedded default, `make test` runs every test.
# Both install what they need first (idempotent: a no-op when nothing changed).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SLITHER_VENV := .venv-slither
NODE_BIN := $(CURDIR)/node_modules/.bin
# pytest on two workers (pytest-xdist), a test file per worker at a time; PYTEST_PARALLEL= runs it in one process.
PYTEST_PARALLEL ?= -n 2 --dist loadfile
export PATH := $(NODE_BIN):$(PATH)

.PHONY: run test test-tools deps fpcalc lint contracts-test gas-snapshot slither pytest bench-gas clean \
	web web-test web-e2e web-schema chromium

run: deps web
	$(BIN)/harmoni up

# The web app's suites run before pytest: CI reads pytest's closing line.
test: deps test-tools $(SLITHER_VENV)/.installed
	$(BIN)/ruff check .
	$(MAKE) --no-print-directory contracts-test
	$(MAKE) --no-print-directory slither
	$(MAKE) --no-print-directory web-test
	$(MAKE) --no-print-directory web-e2e
	$(BIN)/pytest $(PYTEST_PARALLEL)

deps: $(VENV)/.installed node_modules/.package-lock.json web/node_modules/.package-lock.json fpcalc

# Chromaprint's fpcalc (acoustic fingerprints) is a Debian package, not a PyPI wheel.
fpcalc:
	@command -v fpcalc >/dev/null || { apt-get update -qq && apt-get install -y -qq libchromaprint-tools >/dev/null; } \
		|| echo "HARMONI needs fpcalc for fingerprints: install Debian's libchromaprint-tools (apt-get install libchromaprint-tools)"

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "HARMONI needs Python 3.11+")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@command -v node >/dev/null || { echo "HARMONI needs Node.js 20+ (node not found)"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# The web app (web/): its own package.json and lockfile; `npm ci` when they change, a build when its sources do.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts \
	web/tsconfig.json web/package.json web/package-lock.json

web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	@command -v node >/dev/null || { echo "HARMONI needs Node.js 20+ (node not found)"; exit 1; }
	cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

web: web/dist/index.html

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	cd web && npx tsc --noEmit && npx vite build --logLevel warn
	touch $@

web-test: web/node_modules/.package-lock.json
	cd web && npx tsc --noEmit && npx vitest run

# End-to-end: real Chromium (Debian's; never a downloaded one) against a fresh `harmoni up` (web/e2e/).
web-e2e: deps web chromium
	cd web && HARMONI_PYTHON=$(CURDIR)/$(BIN)/python npx playwright test

chromium:
	@command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } \
		|| { echo "the end-to-end tests need Chromium: install Debian's chromium (apt-get install chromium)"; exit 1; }

# After an API change: regenerate the web app's typed client (tests/web/test_schema_drift.py fails until then).
web-schema: deps
	$(BIN)/python scripts/export_openapi.py > web/openapi.json
	cd web && npx openapi-typescript openapi.json -o src/api/schema.d.ts && rm openapi.json

# The README walk-throughs (tests/test_walkthroughs.py) run in a plain shell with curl and jq, as a user's would.
test-tools:
	@command -v jq >/dev/null && command -v curl >/dev/null || \
		{ apt-get update -qq && apt-get install -y -qq jq curl; } >/dev/null 2>&1 || \
		{ echo "make test needs jq and curl: install them (apt-get install jq curl)"; exit 1; }

# slither pins web3<8, so it lives in a virtualenv of its own, never in the app's.
$(SLITHER_VENV)/.installed:
	test -x $(SLITHER_VENV)/bin/python || $(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/python -m pip install -q --disable-pip-version-check slither-analyzer==0.11.6
	touch $@

SNAPSHOT_FLAGS := --isolate --no-match-test '^(testFuzz|invariant)_'

contracts-test: node_modules/.package-lock.json
	forge test
	FOUNDRY_PROFILE=ci forge test
	forge snapshot $(SNAPSHOT_FLAGS) --check

gas-snapshot: node_modules/.package-lock.json
	forge snapshot $(SNAPSHOT_FLAGS)

# Its own forge out/cache: slither runs `forge clean`, which must not wipe the developer's build.
slither: node_modules/.package-lock.json $(SLITHER_VENV)/.installed
	FOUNDRY_OUT=$(CURDIR)/.slither/out FOUNDRY_CACHE_PATH=$(CURDIR)/.slither/cache \
		$(SLITHER_VENV)/bin/slither . --config-file slither.config.json --fail-medium

pytest: deps
	$(BIN)/pytest $(PYTEST_PARALLEL)

bench-gas: deps
	$(BIN)/python scripts/bench_gas.py

clean:
	rm -rf contracts/out contracts/cache chain/artifacts
