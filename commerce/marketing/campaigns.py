"""Campaigns publish and unpublish their items together, and scheduled content goes live without beat.

Wagtail's `publish_scheduled` publishes a campaign at its go-live time like any scheduled snippet;
the `published` / `unpublished` receivers here carry its items along, in one transaction.

Under `make run` there is no Celery beat to run `publish_scheduled`. The chosen answer is a
throttled check on the request path (`ScheduledPublishingMiddleware`): at most once per
SCHEDULED_PUBLISHING_INTERVAL seconds (one cache key, so one process of many does it), a request
runs `publish_scheduled` before it is handled, so the page it renders already shows what went live.
A runserver-side scheduler thread was the alternative; it was not chosen because runserver's
autoreloader runs two processes (two schedulers), a thread dies silently with no request to show
it, and a site nobody visits needs nothing published. The cost is one cache `add` per request and,
once a minute, one request that runs a few queries more. Production (beat running) turns it off:
SCHEDULED_PUBLISHING_ON_REQUESTS defaults to on only when Celery runs in eager mode (no broker).
"""

import io
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import published, unpublished

from .models import Campaign

logger = logging.getLogger(__name__)

CHECK_KEY = "scheduled-publishing:last-check"


def _publish_item(item, *, user=None) -> None:
    """Publish the item's newest version now (its own schedule gives way to the campaign's)."""
    obj = item.get_latest_revision_as_object() if item.latest_revision_id else item
    obj.go_live_at = None
    obj.expire_at = None
    revision = obj.save_revision(user=user, log_action=False)
    revision.publish(user=user, skip_permission_checks=True)


@receiver(published, sender=Campaign, dispatch_uid="campaign_publish_items")
def campaign_publish_items(sender, instance: Campaign, revision=None, **kwargs):
    if not instance.live:
        return  # Wagtail sends `published` also when it only schedules a go-live in the future
    user = getattr(revision, "user", None)
    with transaction.atomic():
        for item in instance.items():
            _publish_item(item, user=user)


@receiver(unpublished, sender=Campaign, dispatch_uid="campaign_unpublish_items")
def campaign_unpublish_items(sender, instance: Campaign, **kwargs):
    with transaction.atomic():
        for item in instance.items():
            if item.live:
                item.unpublish(set_expired=bool(instance.expired), log_action=False)


def scheduled_publishing_run() -> None:
    call_command("publish_scheduled", stdout=io.StringIO())


class ScheduledPublishingMiddleware:
    """Run `publish_scheduled` at most once per interval, from whichever request comes first.

    Two guards: the shared cache key makes one process of many run it per window, and a window
    remembered in the process bounds it to once per window per process when the cache cannot keep
    the key (a dummy cache, or Redis down: the fail-open cache then answers every `add` as new).
    Without the second, every request ran the command's eight queries.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._last_window = None

    def __call__(self, request):
        if settings.SCHEDULED_PUBLISHING_ON_REQUESTS:
            interval = settings.SCHEDULED_PUBLISHING_INTERVAL
            window = int(time.time() // interval)
            if window != self._last_window:
                self._last_window = window
                # one key per interval-long window of the clock: the first request of each window runs it
                try:
                    if cache.add(f"{CHECK_KEY}:{window}", 1, timeout=interval * 2):
                        scheduled_publishing_run()
                except Exception:  # cosmetics fail open: the page is served, the next window retries
                    logger.exception("scheduled publishing check failed")
        return self.get_response(request)
