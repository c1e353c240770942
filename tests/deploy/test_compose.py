"""The compose files validate against the Compose Specification schema (no Docker engine needed) and
keep the production rules: probes and limits on every service, migrations as a release job."""

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "deploy/schemas/compose-spec.json").read_text())


def _load(name):
    return yaml.safe_load((ROOT / name).read_text())


def _seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)([sm])", value)
    return int(match[1]) * (60 if match[2] == "m" else 1)


@pytest.mark.parametrize("name", ["docker-compose.yml", "docker-compose.prod.yml"])
def test_compose_file_is_valid_against_the_compose_spec(name):
    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(_load(name)), key=str)
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]


def test_prod_every_long_running_service_has_a_healthcheck_and_limits():
    services = _load("docker-compose.prod.yml")["services"]
    for name, service in services.items():
        assert service["deploy"]["resources"]["limits"]["memory"], name
        if name == "migrate":
            continue  # a job: it exits
        assert service["healthcheck"]["test"], name
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_prod_web_never_migrates_and_waits_for_the_migrate_job():
    services = _load("docker-compose.prod.yml")["services"]
    assert services["web"]["command"] == ["web"]
    assert services["web"]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
    assert services["migrate"]["command"] == ["migrate"]
    # the advisory lock needs a real session: migrate bypasses PgBouncer
    assert "@db:5432" in services["migrate"]["environment"]["DATABASE_URL"]
    entrypoint = (ROOT / "docker/entrypoint.sh").read_text()
    web_role = entrypoint.split("  web)")[1].split(";;")[0]
    assert "migrate" not in web_role


def test_prod_grace_periods_line_up_orchestrator_over_gunicorn_over_nginx():
    services = _load("docker-compose.prod.yml")["services"]
    gunicorn = (ROOT / "config/gunicorn.py").read_text()
    graceful = int(re.search(r'GUNICORN_GRACEFUL_TIMEOUT", "(\d+)"', gunicorn)[1])
    drain = int(services["web"]["environment"]["DRAIN_SECONDS"])
    proxy_read = int(re.search(r"proxy_read_timeout (\d+)s", (ROOT / "docker/nginx/proxy_params_cartwheel").read_text())[1])
    assert _seconds(services["web"]["stop_grace_period"]) > drain + graceful > graceful > proxy_read


def test_prod_redis_cache_and_broker_are_separate_with_memory_policies():
    services = _load("docker-compose.prod.yml")["services"]
    cache = " ".join(services["redis-cache"]["command"])
    broker = " ".join(services["redis-broker"]["command"])
    assert "--maxmemory-policy allkeys-lru" in cache and "--maxmemory 384mb" in cache
    assert "--maxmemory-policy noeviction" in broker and "--appendonly yes" in broker
    env = services["web"]["environment"]
    assert "redis-cache" in env["REDIS_URL"] and "redis-broker" in env["CELERY_BROKER_URL"]


def test_prod_uses_pgbouncer_transaction_pooling_with_the_settings_it_needs():
    services = _load("docker-compose.prod.yml")["services"]
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    env = services["web"]["environment"]
    assert "@pgbouncer:5432" in env["DATABASE_URL"] and env["DATABASE_TRANSACTION_POOLING"] == "true"


def test_prod_nginx_mounts_exist_and_renders_real_ip_from_the_same_setting():
    nginx = _load("docker-compose.prod.yml")["services"]["nginx"]
    for mount in nginx["volumes"]:
        source = mount.split(":")[0]
        if source.startswith("./docker/"):
            assert (ROOT / source).exists(), source
    web_env = _load("docker-compose.prod.yml")["services"]["web"]["environment"]
    assert nginx["environment"]["TRUSTED_PROXIES"] == web_env["TRUSTED_PROXIES"]


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", ".env", "media", "staticfiles"):
        assert entry in ignored


def test_runtime_requirements_carry_no_test_tools():
    runtime = {line.split("==")[0].lower() for line in (ROOT / "requirements.txt").read_text().splitlines()
               if line and not line.startswith(("#", "-"))}
    assert not runtime & {"pytest", "pytest-django", "hypothesis", "ruff", "playwright", "factory-boy",
                          "factory_boy", "moto", "kubernetes-validate"}
    dockerfile = (ROOT / "docker/Dockerfile").read_text()
    assert "pip install -r requirements.txt" in dockerfile and "install -r requirements-dev" not in dockerfile
