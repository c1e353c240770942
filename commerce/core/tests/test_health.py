"""Probes: /healthz answers while the process lives; /readyz only when it can serve."""

import threading

import pytest
from django.core.management import call_command
from django.db import connections

from commerce.core import health


def test_healthz_answers_without_touching_dependencies(client, settings):
    settings.ALLOWED_HOSTS = ["shop.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    # a kubelet probe: plain HTTP, the pod's address as Host
    response = client.get("/healthz", HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_readyz_ok_when_database_cache_and_migrations_are_fine(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"] == {"database": "ok", "redis": "ok", "broker": "ok", "migrations": "ok"}


@pytest.mark.django_db
def test_readyz_503_when_a_dependency_fails(client, monkeypatch):
    def broken():
        raise ConnectionError("redis down")

    monkeypatch.setitem(health.READINESS_CHECKS, "redis", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"] == "ConnectionError: redis down"


@pytest.mark.django_db
def test_readyz_503_while_migrations_are_unapplied(client, monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "unapplied_migrations", lambda: ["orders.0099_new"])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "orders.0099_new" in response.json()["checks"]["migrations"]


@pytest.mark.django_db
def test_readyz_503_once_draining_while_healthz_stays_200(client, monkeypatch, tmp_path):
    marker = tmp_path / "draining"
    monkeypatch.setenv("CARTWHEEL_DRAIN_FILE", str(marker))
    assert client.get("/readyz").status_code == 200
    marker.write_text("1")
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["draining"] == "shutting down"
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_probe_command_fails_on_a_broken_dependency(monkeypatch):
    call_command("probe")

    def broken():
        raise OSError("no route")

    monkeypatch.setitem(health.READINESS_CHECKS, "broker", broken)
    with pytest.raises(Exception, match="broker: OSError: no route"):
        call_command("probe")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_migrate_jobs_both_succeed_one_after_the_other():
    """The second job waits on the advisory lock, then finds the database up to date."""
    from commerce.core.management.commands.migrate_locked import MIGRATE_LOCK_KEY

    holder = connections.create_connection("default")
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
    outputs, errors = [], []

    def job():
        from io import StringIO

        out = StringIO()
        try:
            call_command("migrate_locked", stdout=out, verbosity=1)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()
        outputs.append(out.getvalue())

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    # both are blocked behind the lock until it is released
    threads[0].join(timeout=1.5)
    assert threads[0].is_alive() and threads[1].is_alive()
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])
    holder.close()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(outputs) == 2
    assert all("waiting" in out and "up to date" in out for out in outputs)
