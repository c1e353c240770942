# Cartwheel. `make run` and `make test` are the two commands a fresh machine needs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run migrate seed test test-pg lint worker beat bench bench-catalog bench-checkout bench-storefront clean

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3" ; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: seed
	$(MANAGE) runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# The same suite against the local PostgreSQL and Redis (what CI does).
test-pg: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/cartwheel} \
	REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

worker: install
	$(VENV)/bin/celery -A config.celery_app worker --loglevel=info --concurrency=2

beat: install
	$(VENV)/bin/celery -A config.celery_app beat --loglevel=info

bench: bench-catalog bench-checkout bench-storefront

bench-catalog: install
	$(PY) bench/catalog_bench.py

bench-checkout: install
	$(PY) bench/checkout_bench.py

bench-storefront: install
	$(PY) bench/storefront_bench.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
