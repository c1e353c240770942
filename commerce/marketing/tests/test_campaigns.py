from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page

from cms_pages.models import Banner, StandardPage
from commerce.marketing.models import Campaign
from commerce.promotions.models import Coupon
from commerce.promotions.tests.factories import CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(db):
    root = Page.objects.get(depth=1)
    page = root.add_child(instance=StandardPage(title="Summer sale", slug="summer-sale", live=False))
    page.save_revision()
    banner = Banner.objects.create(title="Summer", placement="home-strip", live=False)
    banner.save_revision()
    coupon = CouponFactory(code="SUMMER", live=False)
    coupon.save_revision()
    return page, banner, coupon


def live_states(page, banner, coupon):
    return (Page.objects.get(pk=page.pk).live, Banner.objects.get(pk=banner.pk).live,
            Coupon.objects.get(pk=coupon.pk).live)


def scheduled_campaign(items, *, start, end) -> Campaign:
    page, banner, coupon = items
    campaign = Campaign.objects.create(name="Summer", live=False)
    campaign.pages.set([page])
    campaign.banners.set([banner])
    campaign.coupons.set([coupon])
    campaign.save()
    campaign.go_live_at, campaign.expire_at = start, end
    campaign.save_revision().publish()
    return Campaign.objects.get(pk=campaign.pk)


def test_campaign_scheduled_a_minute_ahead_goes_live_with_its_items_without_beat(items, client, settings):
    settings.SCHEDULED_PUBLISHING_ON_REQUESTS = True  # the embedded default (`make run`, no beat)
    settings.SCHEDULED_PUBLISHING_INTERVAL = 30
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        campaign = scheduled_campaign(items, start=start + timedelta(minutes=1), end=start + timedelta(hours=2))
        assert not campaign.live and campaign.scheduled_revision is not None
        client.get("/")
        assert live_states(*items) == (False, False, False)

        clock.shift(timedelta(seconds=61))  # the minute has passed; any request may run the check
        client.get("/")
        assert Campaign.objects.get(pk=campaign.pk).live
        assert live_states(*items) == (True, True, True)

        clock.shift(timedelta(hours=2))  # the end time
        client.get("/")
        assert not Campaign.objects.get(pk=campaign.pk).live
        assert live_states(*items) == (False, False, False)


@pytest.mark.parametrize("cache_keeps_nothing", [False, True])
def test_the_request_path_check_is_throttled(items, client, settings, monkeypatch, cache_keeps_nothing):
    """Once per window; also when the cache keeps nothing (a dummy cache, or Redis down, where `add`
    fails open), which must not make every request publish."""
    settings.SCHEDULED_PUBLISHING_ON_REQUESTS = True
    settings.SCHEDULED_PUBLISHING_INTERVAL = 30
    if cache_keeps_nothing:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    runs = []
    monkeypatch.setattr("commerce.marketing.campaigns.scheduled_publishing_run", lambda: runs.append(1))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            client.get("/robots.txt")
        assert len(runs) == 1
        clock.shift(timedelta(seconds=31))
        client.get("/robots.txt")
        assert len(runs) == 2


def test_no_check_when_beat_runs(client, settings, monkeypatch):
    settings.SCHEDULED_PUBLISHING_ON_REQUESTS = False
    runs = []
    monkeypatch.setattr("commerce.marketing.campaigns.scheduled_publishing_run", lambda: runs.append(1))
    client.get("/robots.txt")
    assert runs == []


def test_publishing_a_campaign_now_publishes_every_item_and_unpublishing_takes_them_down(items):
    campaign = scheduled_campaign(items, start=None, end=None)
    assert campaign.live and live_states(*items) == (True, True, True)
    campaign.unpublish()
    assert live_states(*items) == (False, False, False)


def test_campaign_admin_lists_and_edits(admin_client, items):
    scheduled_campaign(items, start=timezone.now() + timedelta(days=1), end=None)
    listing = admin_client.get(reverse("marketing_campaigns:list"))
    assert listing.status_code == 200 and b"Summer" in listing.content
    assert admin_client.get(reverse("marketing_campaigns:add")).status_code == 200
