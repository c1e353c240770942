"""Celery tasks of the catalogue (thin: they call a command or a service)."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled() -> None:
    """Publish / unpublish what editors scheduled (products' go_live_at / expire_at, pages, snippets).

    Wagtail does this in its `publish_scheduled` management command; beat runs this task every few
    minutes (CELERY_BEAT_SCHEDULE in settings) so no cron is needed.
    """
    call_command("publish_scheduled")
