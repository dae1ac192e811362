# Workup: two commands. `make run` sets up and serves the demo; `make test` sets up and runs every check.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo runs with DEBUG on (no SECRET_KEY needed); production sets SECRET_KEY and runs gunicorn (README).
RUN_ENV := DEBUG=$${DEBUG:-1}
TEST_ENV := SECRET_KEY=test-only-secret-key-not-for-production DEBUG=0 DJANGO_ALLOW_ASYNC_UNSAFE=true

.PHONY: setup system venv run demo demo-reset test lint typecheck test-sqlite test-postgres prod-check requirements bench \
	clean loadtest faulttest loadtest-short loadtest-sqlite

setup: system venv

system:
	@.ci/setup-system.sh

venv: $(VENV)/.installed

# The development venv has the runtime pins plus the test tools; production installs requirements.txt only.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip 2>&1 | { grep -v "^WARNING: Location" || true; }
	$(VENV)/bin/pip install -q -r requirements-dev.txt 2>&1 | { grep -v "^WARNING: Location" || true; }
	touch $@

# Recompile the pins after editing requirements*.in (README: Dependencies).
PIP_COMPILE := $(VENV)/bin/pip-compile -q --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
requirements: venv
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

demo: setup
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_demo

# Start the demo afresh: every record in the database is deleted, then the demo is loaded again.
demo-reset: setup
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py flush --noinput
	$(RUN_ENV) $(PY) manage.py load_demo

run: demo
	@echo "Serving Workup at http://$(HOST):$(PORT)/ (log in with a demo account above; Ctrl-C stops it)"
	$(RUN_ENV) $(PY) manage.py runserver --noreload $(HOST):$(PORT)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(TEST_ENV) $(VENV)/bin/mypy

test-sqlite: setup
	env -u DATABASE_URL $(TEST_ENV) $(VENV)/bin/pytest

test-postgres: setup
	$(TEST_ENV) .ci/with-postgres.sh $(VENV)/bin/pytest

# The README's production steps, as an operator runs them: DEBUG=0, PostgreSQL, collectstatic, gunicorn.
prod-check: system
	.ci/prod-check

# Load and faults on the prod-check deployment (README: Performance). By hand: the full runs print the figures.
# In `make test`: both, a few seconds each, on one deployment; they assert the integrity checks, never timings.
LOADTEST_SECONDS ?= 60
LOADTEST := .venv-prod/bin/python .ci/loadtest.py
loadtest: system
	.ci/prod-check $(LOADTEST) load --seconds $(LOADTEST_SECONDS)

faulttest: system
	.ci/prod-check $(LOADTEST) fault --seconds $(LOADTEST_SECONDS)

loadtest-short: system
	.ci/prod-check $(LOADTEST) load fault --short --seconds 5

loadtest-sqlite: system
	.ci/prod-check --sqlite $(LOADTEST) load --seconds $(LOADTEST_SECONDS)

test: setup lint typecheck test-sqlite test-postgres prod-check loadtest-short

bench: demo
	$(RUN_ENV) $(PY) manage.py bench_engine
	$(RUN_ENV) $(PY) manage.py bench_letter

clean:
	rm -rf $(VENV) .venv-prod data/static .pytest_cache .mypy_cache .ruff_cache
