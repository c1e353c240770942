"""`/healthz` (the process answers) and `/readyz` (it can serve: database, Redis and broker reachable,
no unapplied migrations, not draining), for compose healthchecks, the balancer and Kubernetes probes.

Answered by a middleware placed first, before the HTTPS redirect and the ALLOWED_HOSTS check: probes
come over plain HTTP from the kubelet or the balancer with a pod address as Host.

Draining: on SIGTERM the gunicorn master (config/gunicorn.py) creates the file named by
`CARTWHEEL_DRAIN_FILE`; from then on `/readyz` answers 503 so the balancer stops sending requests,
while the workers go on serving what still arrives until the drain period ends.
"""

import os
import time

from django.conf import settings
from django.db import connections
from django.http import JsonResponse

HEALTH_PATHS = ("/healthz", "/readyz")
_migrations_applied = False  # once true, stays true for this process (new migrations come with new code)
_migrations_checked_at = 0.0


def draining() -> bool:
    path = os.environ.get("CARTWHEEL_DRAIN_FILE")
    return bool(path) and os.path.exists(path)


def check_database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    from commerce.core.cache_redis import default_cache_redis

    client = default_cache_redis()
    if client is not None:
        client.ping()


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or not url or url.startswith("memory://"):
        return
    from kombu import Connection

    with Connection(url, connect_timeout=2, transport_options={"socket_timeout": 2}) as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


def unapplied_migrations() -> list[str]:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def check_migrations() -> None:
    global _migrations_applied, _migrations_checked_at
    if _migrations_applied:
        return
    pending = unapplied_migrations()
    _migrations_checked_at = time.monotonic()
    if pending:
        raise RuntimeError(f"{len(pending)} unapplied migrations, e.g. {pending[0]}; run the migrate job")
    _migrations_applied = True


READINESS_CHECKS = {
    "database": check_database,
    "redis": check_redis,
    "broker": check_broker,
    "migrations": check_migrations,
}


def readiness() -> tuple[bool, dict[str, str]]:
    results: dict[str, str] = {}
    ok = True
    if draining():
        results["draining"] = "shutting down"
        ok = False
    for name, check in READINESS_CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means "not ready", reported by name
            results[name] = f"{type(exc).__name__}: {exc}"[:200]
            ok = False
    return ok, results


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info.rstrip("/") or "/"
        if path == "/healthz":
            return _no_store(JsonResponse({"status": "ok"}))
        if path == "/readyz":
            ok, checks = readiness()
            return _no_store(JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks},
                                          status=200 if ok else 503))
        return self.get_response(request)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response
