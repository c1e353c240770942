"""Reviews and wishlist API: listing with histogram, posting with images, attacks, mass assignment."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from commerce.catalog.tests.factories import ProductFactory
from commerce.reviews.images import MAX_IMAGE_BYTES
from commerce.reviews.models import Review, ReviewImage, WishlistItem
from commerce.reviews.services import reviews_moderate
from commerce.reviews.tests.factories import ReviewFactory, UserFactory, image_bytes, jpeg_with_exif, png_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def product():
    return ProductFactory(slug="trail-shoe")


@pytest.fixture
def customer():
    return UserFactory()


@pytest.fixture
def client(customer):
    api = APIClient()
    api.force_authenticate(customer)
    return api


URL = "/api/v1/products/trail-shoe/reviews/"


def _post(client, **extra):
    data = {"rating": 4, "title": "Comfy", "body": "Good grip.", **extra}
    return client.post(URL, data, format="multipart")


def test_product_reviews_list_approved_only_with_histogram(product, django_assert_max_num_queries):
    approved = [ReviewFactory(product=product, rating=r) for r in (5, 5, 4, 2)]
    ReviewFactory(product=product, rating=1, title="pending one")
    reviews_moderate(review_ids=[r.pk for r in approved], status=Review.Status.APPROVED)

    with django_assert_max_num_queries(6):
        response = APIClient().get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert body["rating_histogram"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 2}
    assert (body["rating_avg"], body["rating_count"]) == ("4.00", 4)
    assert "pending one" not in [r["title"] for r in body["results"]]
    assert body["results"][0]["author"] == "Ada L."


def test_product_reviews_list_unknown_product_404():
    assert APIClient().get("/api/v1/products/nope/reviews/").status_code == 404


def test_product_reviews_post_needs_login(product):
    assert _post(APIClient()).status_code == 401


def test_product_reviews_post_with_images_is_pending(client, product):
    response = _post(
        client,
        images=[SimpleUploadedFile("a.png", image_bytes("PNG")), SimpleUploadedFile("b.webp", image_bytes("WEBP"))],
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "pending"
    assert len(body["images"]) == 2
    assert APIClient().get(URL).json()["count"] == 0  # not shown until approved


def test_product_reviews_post_mass_assignment_changes_nothing(client, product, customer):
    response = _post(
        client,
        status="approved",
        verified="true",
        rating_avg="5.00",
        rating_count=99,
        user=UserFactory().pk,
        is_staff="true",
    )
    assert response.status_code == 201
    review = Review.objects.get()
    assert (review.status, review.verified, review.user) == (Review.Status.PENDING, False, customer)
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("0.00"), 0)
    customer.refresh_from_db()
    assert customer.is_staff is False


def test_product_reviews_post_twice_409(client, product):
    assert _post(client).status_code == 201
    response = _post(client)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "review_exists"


def test_product_reviews_post_rating_out_of_range_400(client, product):
    assert _post(client, rating=6).status_code == 400
    assert _post(client, rating=0).status_code == 400
    assert not Review.objects.exists()


def test_product_reviews_post_over_5mb_image_413(client, product):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"\x00" * MAX_IMAGE_BYTES)
    response = _post(client, images=[big])
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "image_too_large"
    assert not Review.objects.exists()


def test_product_reviews_post_png_bomb_400_without_decoding_it(client, product, monkeypatch):
    # refused from the header's dimensions: the pixels are never decoded (a wall-clock limit here
    # measured the machine's load, not the code)
    from PIL import ImageFile

    decoded = []
    original_load = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or original_load(self))
    response = _post(client, images=[SimpleUploadedFile("bomb.png", png_bomb())])
    assert decoded == []
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "image_too_many_pixels"
    assert not Review.objects.exists()


def test_product_reviews_post_text_renamed_jpg_400(client, product):
    response = _post(client, images=[SimpleUploadedFile("cat.jpg", b"<?php echo 'hi'; ?>\n" * 20, "image/jpeg")])
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "image_invalid"
    assert not Review.objects.exists()


def test_product_reviews_post_strips_exif(client, product):
    response = _post(client, images=[SimpleUploadedFile("p.jpg", jpeg_with_exif(), "image/jpeg")])
    assert response.status_code == 201
    stored = ReviewImage.objects.get()
    with stored.image.open("rb") as fh:
        image = Image.open(io.BytesIO(fh.read()))
    assert image.format == "JPEG"
    assert not image.getexif()


def test_product_reviews_post_is_throttled(client, product, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "review": "2/hour"},
    }
    from rest_framework.settings import api_settings

    api_settings.reload()
    try:
        codes = [_post(client, title=f"t{i}").status_code for i in range(3)]
    finally:
        api_settings.reload()
    assert codes[2] == 429


# --- wishlist -----------------------------------------------------------------------------------


def test_wishlist_add_by_id_or_slug_list_and_delete(client, product):
    other = ProductFactory(slug="rain-jacket")
    assert client.post("/api/v1/wishlist/", {"product": str(product.pk)}, format="json").status_code == 201
    assert client.post("/api/v1/wishlist/", {"product": "rain-jacket"}, format="json").status_code == 201
    assert client.post("/api/v1/wishlist/", {"product": "rain-jacket"}, format="json").status_code == 200

    listing = client.get("/api/v1/wishlist/").json()
    assert [i["product"]["slug"] for i in listing["results"]] == ["rain-jacket", "trail-shoe"]
    assert listing["results"][0]["product"]["base_price"] == "15.00"

    item_id = WishlistItem.objects.get(product=other).pk
    assert client.delete(f"/api/v1/wishlist/{item_id}/").status_code == 204
    assert WishlistItem.objects.count() == 1


def test_wishlist_delete_someone_elses_item_404(client):
    theirs = WishlistItem.objects.create(user=UserFactory(), product=ProductFactory())
    assert client.delete(f"/api/v1/wishlist/{theirs.pk}/").status_code == 404
    assert WishlistItem.objects.filter(pk=theirs.pk).exists()


def test_wishlist_needs_login_and_unknown_product_404(client):
    assert APIClient().get("/api/v1/wishlist/").status_code == 401
    response = client.post("/api/v1/wishlist/", {"product": "no-such-thing"}, format="json")
    assert response.status_code == 404
