# Cartwheel. `make run` and `make test` are the two commands a fresh machine needs.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run migrate seed test test-pg lint worker beat bench bench-catalog bench-checkout bench-storefront clean \
	backup restore-drill stack-test

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found; set PYTHON=python3" ; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt   # runtime (requirements.txt) + test tools
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

# Backups to BACKUP_BUCKET (S3-compatible) and the drill that restores the latest one into a scratch
# database + media prefix and checks its invariants (README, "Production").
backup: install
	$(MANAGE) backup_create

restore-drill: install
	$(MANAGE) restore_drill

# The production stack from its real parts on loopback (nginx, two gunicorns, PostgreSQL, Redis,
# Celery worker and beat, an S3 server, an SMTP sink) and the many-host checks (deploy/stack_test/).
stack-test: install
	$(PY) deploy/stack_test/stack_test.py

bench: bench-catalog bench-checkout bench-storefront

bench-catalog: install
	$(PY) bench/catalog_bench.py

bench-checkout: install
	$(PY) bench/checkout_bench.py

bench-storefront: install
	$(PY) bench/storefront_bench.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache
