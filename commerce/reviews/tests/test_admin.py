"""Review moderation in the Wagtail admin: pending filter, bulk approve/reject, no add, ratings follow."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

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


def test_review_own_page_has_approve_and_reject_buttons_that_moderate(admin_client):
    from wagtail.models import ModelLogEntry

    review = ReviewFactory(status=Review.Status.PENDING)
    edit_url = reverse("reviews_review:edit", args=[review.pk])
    page = admin_client.get(edit_url).content.decode()
    assert "Approve review" in page and "Reject review" in page
    response = admin_client.post(reverse("reviews_review:moderate", args=[review.pk, "approved"]))
    assert response.status_code == 302 and response["Location"].endswith(edit_url)
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED
    assert ModelLogEntry.objects.filter(object_id=str(review.pk), action="cartwheel.review.approve").exists()
    page = admin_client.get(edit_url).content.decode()
    assert "Approve review" not in page and "Reject review" in page


def test_review_moderate_from_its_page_needs_change_permission(client):
    from commerce.accounts.models import User

    user = User.objects.create_user(email="look@example.com", password="pw-123456-x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"),
                              Permission.objects.get(codename="view_review"))
    client.force_login(user)
    review = ReviewFactory(status=Review.Status.PENDING)
    response = client.post(reverse("reviews_review:moderate", args=[review.pk, "approved"]))
    assert response.status_code in (302, 403)
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_review_bulk_confirmation_names_the_action(admin_client):
    reviews = [ReviewFactory(status=Review.Status.PENDING) for _ in range(2)]
    query = "&".join(f"id={r.pk}" for r in reviews)
    page = admin_client.get(f"/admin/bulk/reviews/review/approve_reviews/?{query}").content.decode()
    assert "Approve 2 reviews" in page and ">Approved<" not in page
