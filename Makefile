# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint typecheck unit clean

# Runtime install; the stamp is redone when pyproject.toml changes.
$(VENV)/.run-deps: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[embedded]'
	touch $@

# Test tools on top (pytest, aiosmtpd, httpx, ruff, mypy, playwright with axe-core).
$(VENV)/.test-deps: $(VENV)/.run-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev,embedded]'
	touch $@

# The staff GraphiQL's files, from their pinned npm packages, into the virtual environment
# (sportello/graphiql_assets.py: npm on PATH, else Node.js from a wheel for this step only).
$(VENV)/.graphiql: $(VENV)/.run-deps sportello/graphiql_assets.py
	$(BIN)/python -m sportello.graphiql_assets
	touch $@

## Migrate, load demo data into an empty database, serve on 127.0.0.1:8000.
run: $(VENV)/.run-deps $(VENV)/.graphiql
	$(BIN)/sportello run

## Lint, type-check and run every test.
test: lint typecheck unit

# The browser tests (tests/web) drive Debian's Chromium: `playwright install` cannot download
# its own browsers here. As root, install the package when it is missing; otherwise the tests
# say how (and in CI, where they must run, a missing browser fails them).
.PHONY: browser
browser:
	@test -x /usr/bin/chromium || [ "$$(id -u)" != 0 ] \
		|| DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# The pooler tests (tests/sportello/test_pooler.py) run Debian's PgBouncer, installed the same
# way as root when missing (required in CI, skipped with a reason elsewhere).
.PHONY: pgbouncer
pgbouncer:
	@command -v pgbouncer >/dev/null || test -x /usr/sbin/pgbouncer || [ "$$(id -u)" != 0 ] \
		|| DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer \
		|| (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbouncer)

lint: $(VENV)/.test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(VENV)/.test-deps
	$(BIN)/mypy

unit: $(VENV)/.test-deps $(VENV)/.graphiql browser pgbouncer
	$(BIN)/pytest

## Stop the embedded database and delete the virtual environment and local data.
clean:
	-test -x $(BIN)/sportello && $(BIN)/sportello db stop
	rm -rf $(VENV) .sportello .mypy_cache .pytest_cache .ruff_cache

## Side-by-side benchmarks: Sportello, the hand-written floor, PostGraphile (bench/README.md).
## BENCH_SCALE=1 for a quick run; never part of `make test`.
.PHONY: bench
bench: $(VENV)/.run-deps
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	cd bench && npm install --silent --no-audit --no-fund --no-package-lock
	command -v wrk >/dev/null || [ "$$(id -u)" != 0 ] || apt-get install -y -qq wrk \
		|| (apt-get update -qq && apt-get install -y -qq wrk) || true
	$(BIN)/python -m bench.run

## Long fuzzing run (1,000 generated operations per audience) that rewrites
## tests/security/fuzz_baseline.json, the error codes `make test` may see; review its diff.
.PHONY: fuzz
fuzz: $(VENV)/.test-deps
	FUZZ_EXAMPLES=1000 FUZZ_WRITE_BASELINE=1 $(BIN)/pytest tests/security/test_fuzz.py
