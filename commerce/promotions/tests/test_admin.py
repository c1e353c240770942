"""Coupons in the Wagtail admin: listing, add form, drafts and scheduled publishing."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from commerce.catalog.tests.factories import ProductFactory
from commerce.promotions.errors import CouponError
from commerce.promotions.models import Coupon
from commerce.promotions.pricing import DiscountLine
from commerce.promotions.services import coupon_validate
from commerce.reviews.tests.factories import UserFactory

from .factories import AutomaticPromotionFactory, CouponFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def _lines():
    product = ProductFactory()
    return [DiscountLine(key=1, product_id=product.pk, category_id=product.category_id, amount=Decimal("50.00"))]


def test_promotions_admin_pages_render(admin_client):
    from commerce.promotions.models import CouponUsage

    from .factories import order_create

    spring = CouponFactory(code="SPRING")
    for email in ("a@example.com", "b@example.com"):
        CouponUsage.objects.create(coupon=spring, order=order_create(email=email), email=email)
    AutomaticPromotionFactory(name="Shoes week")
    listing = admin_client.get("/admin/promotions/coupons/").content.decode()
    assert "SPRING" in listing
    cells = [re.sub(r"\s+", " ", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", listing, flags=re.S)]
    assert "2" in cells  # the "Used" column: two orders used SPRING
    assert "Shoes week" in admin_client.get("/admin/promotions/automatic/").content.decode()
    assert admin_client.get("/admin/promotions/coupons/add/").status_code == 200
    assert admin_client.get("/admin/promotions/automatic/add/").status_code == 200


def test_coupon_admin_save_draft_is_not_usable_until_published(admin_client):
    response = admin_client.post(
        "/admin/promotions/coupons/add/",
        {
            "code": "draft10",
            "name": "Draft",
            "kind": "percentage",
            "value": "10",
            "is_active": "on",
            "per_customer_limit": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    coupon = Coupon.objects.get()
    assert (coupon.code, coupon.live) == ("DRAFT10", False)
    with pytest.raises(CouponError) as info:
        coupon_validate(code="draft10", lines=_lines())
    assert info.value.code == "coupon_unknown"

    coupon.save_revision().publish()
    assert coupon_validate(code="draft10", lines=_lines()).discount == Decimal("5.00")


def test_coupon_scheduled_campaign_goes_live_with_publish_scheduled():
    coupon = Coupon.objects.create(code="LAUNCH", name="Launch", value=Decimal("20"), live=False)
    revision = coupon.save_revision()
    revision.approved_go_live_at = timezone.now() - timedelta(seconds=1)
    revision.save()
    with pytest.raises(CouponError):
        coupon_validate(code="launch", lines=_lines())

    call_command("publish_scheduled")

    assert coupon_validate(code="launch", lines=_lines()).discount == Decimal("10.00")


def test_coupon_admin_refuses_duplicate_code_in_other_case(admin_client):
    CouponFactory(code="SUMMER")
    response = admin_client.post(
        "/admin/promotions/coupons/add/",
        {"code": "summer", "name": "Dupe", "kind": "percentage", "value": "10", "action-publish": "publish"},
    )
    assert response.status_code == 200  # the form comes back with an error, no 500
    assert Coupon.objects.count() == 1


def test_coupon_admin_refuses_percentage_over_100(admin_client):
    response = admin_client.post(
        "/admin/promotions/coupons/add/",
        {"code": "HUGE", "name": "Huge", "kind": "percentage", "value": "150", "action-publish": "publish"},
    )
    assert response.status_code == 200
    assert "A percentage cannot exceed 100." in response.content.decode()
    assert not Coupon.objects.exists()
