#!/usr/bin/env bash
# One image, several roles: web (gunicorn), worker, beat, migrate (the release step), backup.
# Web never migrates: a release runs the `migrate` role once (compose service, Kubernetes Job) and
# web processes report not-ready (/readyz) until it has finished.
set -euo pipefail

wait_for_db() {
  python - <<'PY'
import sys, time
import django
django.setup()
from django.db import connection
for _ in range(60):
    try:
        connection.ensure_connection()
        sys.exit(0)
    except Exception:
        time.sleep(1)
sys.exit("database not reachable")
PY
}

case "${1:-web}" in
  web)
    wait_for_db
    # drain on SIGTERM, grace periods and worker counts: config/gunicorn.py
    exec gunicorn -c python:config.gunicorn config.wsgi:application
    ;;
  migrate)
    wait_for_db
    # advisory-locked: two release jobs at once both succeed, one after the other
    exec python manage.py migrate_locked
    ;;
  worker)
    wait_for_db
    exec celery -A config.celery_app worker --loglevel=info --concurrency "${CELERY_CONCURRENCY:-2}"
    ;;
  beat)
    wait_for_db
    exec celery -A config.celery_app beat --loglevel=info --schedule /tmp/celerybeat-schedule
    ;;
  backup)
    # database dump + media to BACKUP_BUCKET, then retention; `backup --loop 86400` repeats daily
    exec python manage.py backup_create "${@:2}"
    ;;
  *)
    exec "$@"
    ;;
esac
