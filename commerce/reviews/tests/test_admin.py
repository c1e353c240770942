"""Review moderation in the Wagtail admin: pending filter, bulk approve/reject, no add, ratings follow."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission

from commerce.catalog.tests.factories import ProductFactory
from commerce.reviews.models import Review

from .factories import ReviewFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_review_admin_lists_pending_filter(admin_client):
    ReviewFactory(title="Awaiting check")
    ReviewFactory(title="Already fine", status=Review.Status.APPROVED)

    html = admin_client.get("/admin/reviews/reviews/?status=pending").content.decode()

    assert "Awaiting check" in html
    assert "Already fine" not in html


def test_review_admin_bulk_approve_then_reject_updates_rating(admin_client):
    product = ProductFactory()
    five, three = ReviewFactory(product=product, rating=5), ReviewFactory(product=product, rating=3)
    url = f"/admin/bulk/reviews/review/approve_reviews/?id={five.pk}&id={three.pk}"

    assert admin_client.get(url).status_code == 200  # the confirmation page
    response = admin_client.post(url, {"next": "/admin/reviews/reviews/"})

    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("4.00"), 2)
    assert Review.objects.get(pk=five.pk).moderated_by is not None

    admin_client.post(f"/admin/bulk/reviews/review/reject_reviews/?id={five.pk}", {})
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("3.00"), 1)


def test_review_admin_delete_refreshes_rating(admin_client):
    product = ProductFactory()
    review = ReviewFactory(product=product, rating=2)
    admin_client.post(f"/admin/bulk/reviews/review/approve_reviews/?id={review.pk}", {})
    admin_client.post(f"/admin/reviews/reviews/delete/{review.pk}/", {})
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("0.00"), 0)


def test_review_admin_has_no_add_view(admin_client):
    assert admin_client.get("/admin/reviews/reviews/add/").status_code in (302, 403)


def test_review_admin_bulk_approve_needs_change_permission(client):
    viewer = UserFactory(is_staff=True)
    group = Group.objects.create(name="Review readers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="view_review")
    )
    viewer.groups.add(group)
    client.force_login(viewer)
    review = ReviewFactory()

    client.post(f"/admin/bulk/reviews/review/approve_reviews/?id={review.pk}", {})

    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_review_admin_listing_queries_constant(admin_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ReviewFactory()
    with CaptureQueriesContext(connection) as few:
        admin_client.get("/admin/reviews/reviews/")
    for _ in range(8):
        ReviewFactory()
    with CaptureQueriesContext(connection) as many:
        admin_client.get("/admin/reviews/reviews/")
    assert len(many) == len(few)
