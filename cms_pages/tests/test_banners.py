from datetime import timedelta

import pytest
from django.utils import timezone

from cms_pages.models import Banner
from cms_pages.selectors import banners_live


def _published_banner(**fields) -> Banner:
    banner = Banner.objects.create(live=False, **{"title": "Sale", "placement": "home-strip", **fields})
    banner.save_revision().publish()
    banner.refresh_from_db()
    return banner


@pytest.mark.django_db
def test_banners_live_scheduled_banner_hidden_before_its_time(client):
    soon = timezone.now() + timedelta(hours=2)
    banner = Banner.objects.create(title="Winter sale", placement="home-strip", live=False)
    # Publishing a revision with a future go_live_at schedules it: it stays off the site.
    revision = banner.save_revision()
    banner.go_live_at = soon
    revision = banner.save_revision()
    revision.publish()
    banner.refresh_from_db()
    assert banner.live is False

    assert banners_live(placement="home-strip") == []
    assert client.get("/api/v1/banners/", {"placement": "home-strip"}).json() == []


@pytest.mark.django_db
def test_banners_live_hides_banner_whose_go_live_date_is_still_ahead():
    # a live flag with a future go_live_at (e.g. set before publish_scheduled runs) still waits
    _published_banner(go_live_at=timezone.now() + timedelta(minutes=5))
    assert banners_live(placement="home-strip") == []


@pytest.mark.django_db
def test_banners_live_expired_banner_disappears():
    _published_banner(expire_at=timezone.now() - timedelta(minutes=1))
    assert banners_live(placement="home-strip") == []


@pytest.mark.django_db
def test_banners_live_by_placement_in_sort_order():
    second = _published_banner(title="Second", sort_order=2)
    first = _published_banner(title="First", sort_order=1)
    _published_banner(title="Elsewhere", placement="shop-top")
    Banner.objects.create(title="Draft", placement="home-strip", live=False)
    assert banners_live(placement="home-strip") == [first, second]


@pytest.mark.django_db
def test_banner_api_lists_live_banners_of_placement(client):
    _published_banner(title="Free shipping week", text="On everything", link_url="/shop/")
    _published_banner(title="Other", placement="shop-top")
    response = client.get("/api/v1/banners/", {"placement": "home-strip"})
    assert response.status_code == 200
    body = response.json()
    assert [b["title"] for b in body] == ["Free shipping week"]
    assert body[0]["link_url"] == "/shop/"
    assert body[0]["image"] is None


@pytest.mark.django_db
def test_banner_api_rejects_unknown_placement(client):
    response = client.get("/api/v1/banners/", {"placement": "sidebar"})
    assert response.status_code == 400
    assert response.json()["error"]["code"]


@pytest.mark.django_db
def test_banner_api_without_placement_lists_every_live_banner(client):
    _published_banner(title="Strip", sort_order=2)
    _published_banner(title="Shop top", placement="shop-top", sort_order=1)
    Banner.objects.create(title="Draft", placement="home-strip", live=False)
    response = client.get("/api/v1/banners/")
    assert response.status_code == 200
    assert [b["title"] for b in response.json()] == ["Shop top", "Strip"]
