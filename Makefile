# Coordinate: `make run` for a local server with demo data, `make test` for every check.

SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.coordinate-installed
CHROMIUM := /usr/bin/chromium
# `make bench` runs on its own PostgreSQL database (never `test`, which CI uses).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/coordinate_bench
SEED_SCALE_ARGS ?=
BENCH_ARGS ?=
TEST_SETTINGS := lms.settings.test
# pytest-xdist workers: 2, one per core. With ~1,200 tests the per-worker database set-up is
# small beside the gain (docs/adr/0002-test-and-ci.md). PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
ifeq ($(PYTEST_WORKERS),0)
XDIST :=
else
XDIST := -n $(PYTEST_WORKERS)
endif

.PHONY: help install run test test-suite test-browser lint migrations-check chromium wrk bench clean

help:
	@echo "make run           install, migrate, seed demo data and serve on http://127.0.0.1:8000"
	@echo "make test          lint, migrations check and the whole test suite (browser tests too)"
	@echo "make test-browser  only the browser tests (Chromium through Playwright)"
	@echo "make lint          ruff"
	@echo "make bench         national dataset on PostgreSQL, then the side-by-side benchmark"
	@echo "                   (docs/performance.md; BENCH_ARGS=\"--duration 5\" etc.)"
	@echo "make clean         remove the virtualenv, local database and caches"

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found (set PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Dependencies come from pyproject.toml ([project] dependencies + the `test` extra).
# The project installs no packages of its own (packages = []), so installing the
# requirements directly is the same as `pip install -e '.[test]'` without writing
# build files into the tree. Re-runs only when pyproject.toml changes.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -c 'import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	print("\n".join(p["dependencies"] + p["optional-dependencies"]["test"]))' \
	  > $(VENV)/requirements.txt
	$(PY) -m pip install --disable-pip-version-check --quiet -r $(VENV)/requirements.txt
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --no-input
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_curriculum
	$(PY) manage.py seed_frameworks
	$(PY) manage.py seed_demo | tee $(VENV)/demo-sign-ins.txt
	$(PY) manage.py seed_demo_supervision
	$(PY) manage.py seed_demo_compliance
	@cat $(VENV)/demo-sign-ins.txt
	@echo "Serving Coordinate on http://127.0.0.1:8000 with a background worker for evidence packs (stop with Ctrl-C)"
	$(PY) manage.py db_worker --backend background --queue-name packs --no-reload & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(PY) manage.py runserver 127.0.0.1:8000

# Browser tests drive Debian's Chromium. Install it when missing and we may
# (root + apt-get); otherwise the browser tests skip with the reason.
chromium:
	@if [ -x $(CHROMIUM) ]; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing Chromium for the browser tests (apt-get)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
	    || echo "WARNING: could not install Chromium: browser tests will be SKIPPED"; \
	else \
	  echo "WARNING: $(CHROMIUM) is missing and cannot be installed here (not root or no apt-get):"; \
	  echo "         browser tests will be SKIPPED"; \
	fi

# The benchmark's load generator, from Debian, installed like Chromium.
wrk:
	@if command -v wrk >/dev/null 2>&1; then \
	  :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "Installing wrk for the benchmark (apt-get)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  { apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; } \
	    || echo "WARNING: could not install wrk: the benchmark cannot run"; \
	else \
	  echo "WARNING: wrk is missing and cannot be installed here (not root or no apt-get)"; \
	fi

# The side-by-side benchmark (docs/performance.md) on PostgreSQL only: SQLite serialises
# writes, so two gunicorn workers would measure its lock, not the product. The database is
# created when missing and seeded once (seed_scale is skipped when it already holds people;
# drop the database to seed again, e.g. with SEED_SCALE_ARGS="--small").
bench: $(STAMP) wrk
	@case "$(BENCH_DATABASE_URL)" in \
	  postgres://*|postgresql://*) ;; \
	  *) echo "make bench runs on PostgreSQL only; BENCH_DATABASE_URL=$(BENCH_DATABASE_URL)" \
	       "is not a postgres:// URL (SQLite cannot take two workers' writes)."; exit 2;; \
	esac
	@case "$(BENCH_DATABASE_URL)" in \
	  */test|*/test\?*) echo "Refusing the 'test' database: CI uses it. Set BENCH_DATABASE_URL."; \
	  exit 2;; \
	esac
	$(PY) -c 'import sys, psycopg; from urllib.parse import urlsplit, urlunsplit; \
	url = urlsplit(sys.argv[1]); name = url.path.lstrip("/"); \
	admin = urlunsplit(url._replace(path="/postgres", query="")); \
	conn = psycopg.connect(admin, autocommit=True); \
	found = conn.execute("select 1 from pg_database where datname = %s", [name]).fetchone(); \
	found or conn.execute(psycopg.sql.SQL("create database {}").format(psycopg.sql.Identifier(name))); \
	print(("Using" if found else "Created"), "database", name)' "$(BENCH_DATABASE_URL)"
	export DATABASE_URL="$(BENCH_DATABASE_URL)" DJANGO_SETTINGS_MODULE=lms.settings.bench; \
	$(PY) manage.py migrate --no-input -v0; \
	$(PY) manage.py createcachetable; \
	$(PY) manage.py collectstatic --no-input -v0; \
	$(PY) manage.py seed_curriculum; \
	$(PY) manage.py seed_frameworks; \
	if $(PY) manage.py shell --no-imports -c 'import sys; from lms.models import Person; \
	    sys.exit(0 if Person.objects.exists() else 1)'; then \
	  echo "The bench database already holds a dataset: seed_scale skipped"; \
	else \
	  $(PY) manage.py seed_scale $(SEED_SCALE_ARGS); \
	fi; \
	$(PY) manage.py bench --server-log var/bench-gunicorn.log $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .

migrations-check: $(STAMP)
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py makemigrations --check --dry-run

# Every step runs even when an earlier one fails, so one run shows everything;
# the target fails at the end if any step failed.
test: $(STAMP) chromium wrk
	@failed=""; \
	echo "== ruff"; $(VENV)/bin/ruff check . || failed="$$failed ruff"; \
	echo "== migrations check"; \
	DJANGO_SETTINGS_MODULE=$(TEST_SETTINGS) $(PY) manage.py makemigrations --check --dry-run \
	  || failed="$$failed migrations-check"; \
	echo "== pytest"; $(PY) -m pytest $(XDIST) -rfEs $(PYTEST_ARGS) || failed="$$failed pytest"; \
	if [ -n "$$failed" ]; then echo "make test FAILED:$$failed"; exit 1; fi; \
	echo "make test passed"

# The whole pytest suite, browser tests included (.ci/run also runs it on PostgreSQL).
# pytest exits non-zero on any failure, and with 5 when no tests were collected.
test-suite: $(STAMP) chromium wrk
	$(PY) -m pytest $(XDIST) -rfEs $(PYTEST_ARGS)

test-browser: $(STAMP) chromium
	$(PY) -m pytest -m browser -rfEs $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var/coordinate.sqlite3 staticfiles .pytest_cache .ruff_cache test-results
	find . -name __pycache__ -type d -prune -not -path './.git/*' -exec rm -rf {} +
