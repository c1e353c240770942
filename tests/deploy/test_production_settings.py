"""Production settings still pass Django's deployment checks with the ops changes (whitenoise,
PgBouncer mode, TRUSTED_PROXIES)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    base.update({"DJANGO_SETTINGS_MODULE": "config.settings.production", "SECRET_KEY": secrets.token_urlsafe(50),
                 "ALLOWED_HOSTS": "shop.example.com", "DATABASE_URL": "sqlite:////tmp/cw-deploy-check.sqlite3",
                 "REDIS_URL": "", "CELERY_BROKER_URL": "memory://"}, **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=base, capture_output=True, text=True,  # noqa: S603
                          timeout=300, check=False)


def test_check_deploy_is_clean_with_pooling_and_trusted_proxies():
    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     DATABASE_TRANSACTION_POOLING="true", TRUSTED_PROXIES="10.0.0.0/8,172.30.0.0/24")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_serve_static_files_with_whitenoise_and_pool_safely():
    code = ("from django.conf import settings as s; "
            "print(s.STORAGES['staticfiles']['BACKEND']); "
            "print(s.MIDDLEWARE.index('whitenoise.middleware.WhiteNoiseMiddleware') == "
            "s.MIDDLEWARE.index('django.middleware.security.SecurityMiddleware') + 1); "
            "print(s.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS')); print(s.TRUSTED_PROXIES)")
    result = _manage("shell", "-c", code, DATABASE_TRANSACTION_POOLING="true")
    assert result.stdout.split()[-4:] == ["whitenoise.storage.CompressedManifestStaticFilesStorage", "True", "True", "1"], (
        result.stdout + result.stderr)
