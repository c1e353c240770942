"""The product page's reviews block, the review form and the wishlist page, without JavaScript."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commerce.catalog.tests.factories import ProductFactory
from commerce.reviews.models import Review, WishlistItem
from commerce.reviews.services import reviews_moderate
from commerce.reviews.tests.factories import ReviewFactory, UserFactory, image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(slug="trail-shoe", name="Trail Shoe")


@pytest.fixture
def customer_client(client):
    user = UserFactory()
    client.force_login(user)
    client.user = user
    return client


def test_product_page_shows_approved_reviews_escaped(client, product):
    evil = ReviewFactory(product=product, title="<script>alert(1)</script>", body="<img src=x onerror=alert(2)>")
    ReviewFactory(product=product, title="Still pending")
    reviews_moderate(review_ids=[evil.pk], status=Review.Status.APPROVED)

    html = client.get(product.get_absolute_url()).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "Still pending" not in html
    assert "4.00 out of 5 from 1 review" in html


def test_product_page_offers_wishlist_button_and_review_form_to_customers(customer_client, product):
    html = customer_client.get(product.get_absolute_url()).content.decode()
    assert 'action="/wishlist/add/"' in html  # its own form when the product has nothing to buy yet
    assert 'action="/reviews/trail-shoe/write/"' in html
    assert 'enctype="multipart/form-data"' in html


def test_review_write_creates_pending_review_with_image(customer_client, product):
    response = customer_client.post(
        "/reviews/trail-shoe/write/",
        {
            "rating": "5",
            "title": "Great",
            "body": "Light.",
            "images": [SimpleUploadedFile("a.png", image_bytes("PNG"))],
            "status": "approved",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get()
    assert (review.status, review.user, review.images.count()) == (Review.Status.PENDING, customer_client.user, 1)


def test_review_write_rejects_text_file_as_image(customer_client, product):
    response = customer_client.post(
        "/reviews/trail-shoe/write/",
        {"rating": "5", "title": "x", "body": "y", "images": [SimpleUploadedFile("a.jpg", b"not an image at all")]},
    )
    assert response.status_code == 400
    assert "is not a JPEG, PNG or WebP image" in response.content.decode()
    assert not Review.objects.exists()


def test_review_write_needs_login(client, product):
    response = client.get("/reviews/trail-shoe/write/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_wishlist_page_add_and_remove(customer_client, product):
    assert customer_client.post("/wishlist/add/", {"product": product.pk, "next": "/wishlist/"}).status_code == 302
    html = customer_client.get("/wishlist/").content.decode()
    assert "Trail Shoe" in html

    item = WishlistItem.objects.get()
    assert customer_client.post(f"/wishlist/{item.pk}/remove/").status_code == 302
    assert not WishlistItem.objects.exists()


def test_wishlist_remove_someone_elses_item_404(customer_client):
    theirs = WishlistItem.objects.create(user=UserFactory(), product=ProductFactory())
    assert customer_client.post(f"/wishlist/{theirs.pk}/remove/").status_code == 404
    assert WishlistItem.objects.filter(pk=theirs.pk).exists()


def test_wishlist_page_needs_login_and_refuses_get_add(client, customer_client):
    from django.test import Client

    response = Client().get("/wishlist/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert customer_client.get("/wishlist/add/").status_code == 405


def test_wishlist_add_ignores_offsite_next(customer_client, product):
    response = customer_client.post("/wishlist/add/", {"product": product.pk, "next": "https://evil.example/"})
    assert response["Location"] == "/wishlist/"
