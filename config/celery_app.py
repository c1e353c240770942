"""The Celery app. Tasks live in each app's tasks.py and are thin: they take ids and call services."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("cartwheel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
