#!/usr/bin/env bash
# One image, three roles: web (migrate + gunicorn), worker, beat.
set -euo pipefail

wait_for_db() {
  python - <<'PY'
import os, sys, time
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
    python manage.py migrate --noinput
    # Sync workers (threads=1) behind nginx, which buffers slow clients: on the 2-core benches they met
    # every latency target (p99 <= 1.7 x p50) where threaded workers showed 3-14 x tails from uneven
    # keep-alive spread and GIL queues (bench/README.md). 2 x cores + 1 workers.
    exec gunicorn config.wsgi:application \
      --bind 0.0.0.0:8000 \
      --workers "${GUNICORN_WORKERS:-5}" \
      --threads "${GUNICORN_THREADS:-1}" \
      --worker-tmp-dir /dev/shm \
      --max-requests 2000 --max-requests-jitter 200 \
      --access-logfile - --forwarded-allow-ips "*"
    ;;
  worker)
    wait_for_db
    exec celery -A config.celery_app worker --loglevel=info --concurrency "${CELERY_CONCURRENCY:-2}"
    ;;
  beat)
    wait_for_db
    exec celery -A config.celery_app beat --loglevel=info --schedule /tmp/celerybeat-schedule
    ;;
  *)
    exec "$@"
    ;;
esac
