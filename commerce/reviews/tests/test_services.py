"""Review creation (verified flag, one per product), moderation and the product's rating aggregates."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.catalog.models import Product
from commerce.catalog.tests.factories import ProductFactory
from commerce.core.errors import ApplicationError, ConflictError, NotFoundError
from commerce.orders.models import Order, OrderLine
from commerce.promotions.tests.factories import order_create
from commerce.reviews.models import Review, WishlistItem
from commerce.reviews.services import (
    review_create,
    review_delete,
    review_moderate,
    reviews_moderate,
    wishlist_item_add,
    wishlist_item_remove,
)

from .factories import ReviewFactory, UserFactory, image_bytes

pytestmark = pytest.mark.django_db


def _delivered_order(user, product, status=Order.Status.DELIVERED):
    order = order_create(email=user.email, user=user)
    Order.objects.filter(pk=order.pk).update(status=status)
    OrderLine.objects.create(
        order=order,
        product=product,
        product_name=product.name,
        sku="X-1",
        unit_price=Decimal("10.00"),
        quantity=1,
        line_total=Decimal("10.00"),
    )


def test_review_create_is_pending_and_verified_only_after_delivery():
    product, buyer, shipped_buyer, stranger = ProductFactory(), UserFactory(), UserFactory(), UserFactory()
    _delivered_order(buyer, product)
    _delivered_order(shipped_buyer, product, status=Order.Status.SHIPPED)

    reviews = [
        review_create(product=product, user=u, rating=5, title="t", body="b") for u in (buyer, shipped_buyer, stranger)
    ]

    assert [r.status for r in reviews] == [Review.Status.PENDING] * 3
    assert [r.verified for r in reviews] == [True, False, False]


def test_review_create_once_per_customer_and_product():
    review = ReviewFactory()
    with pytest.raises(ConflictError) as info:
        review_create(product=review.product, user=review.user, rating=3, title="again", body="b")
    assert info.value.code == "review_exists"


def test_review_create_refuses_more_than_five_images_and_writes_nothing():
    product, user = ProductFactory(), UserFactory()
    images = [SimpleUploadedFile(f"{i}.png", image_bytes("PNG")) for i in range(6)]
    with pytest.raises(ApplicationError) as info:
        review_create(product=product, user=user, rating=3, title="t", body="b", images=images)
    assert info.value.code == "too_many_images"
    assert not Review.objects.exists()


def test_reviews_moderate_only_approved_count_towards_rating():
    product = ProductFactory()
    five, three, one = (ReviewFactory(product=product, rating=r) for r in (5, 3, 1))

    reviews_moderate(review_ids=[five.pk, three.pk], status=Review.Status.APPROVED)
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("4.00"), 2)

    review_moderate(review=one, status=Review.Status.REJECTED)
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("4.00"), 2)

    review_moderate(review=five, status=Review.Status.REJECTED)
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("3.00"), 1)

    review_delete(review=three)
    product.refresh_from_db()
    assert (product.rating_avg, product.rating_count) == (Decimal("0.00"), 0)


def test_reviews_moderate_rounds_average_to_two_places():
    product = ProductFactory()
    reviews = [ReviewFactory(product=product, rating=r) for r in (5, 4, 4)]
    reviews_moderate(review_ids=[r.pk for r in reviews], status=Review.Status.APPROVED)
    assert Product.objects.get(pk=product.pk).rating_avg == Decimal("4.33")


def test_reviews_moderate_queries_constant_for_many_reviews(django_assert_max_num_queries):
    product = ProductFactory()
    reviews = [ReviewFactory(product=product, rating=4) for _ in range(12)]
    with django_assert_max_num_queries(6):
        assert reviews_moderate(review_ids=[r.pk for r in reviews], status=Review.Status.APPROVED) == 12


def test_reviews_moderate_queries_same_for_one_product_and_for_many():
    def moderate(products):
        reviews = [ReviewFactory(product=p, rating=4) for p in products for _ in range(2)]
        with CaptureQueriesContext(connection) as captured:
            reviews_moderate(review_ids=[r.pk for r in reviews], status=Review.Status.APPROVED)
        return len(captured)

    assert moderate([ProductFactory()]) == moderate([ProductFactory() for _ in range(10)])


def test_reviews_moderate_rounds_half_cent_average_up_and_clears_when_none_approved():
    product, other = ProductFactory(), ProductFactory()
    reviews = [ReviewFactory(product=product, rating=r) for r in (5, 5, 5, 5, 5, 4, 2, 2)]  # 33 / 8 = 4.125
    reviews_moderate(review_ids=[r.pk for r in reviews], status=Review.Status.APPROVED)
    ReviewFactory(product=other, rating=3)
    assert Product.objects.get(pk=product.pk).rating_avg == Decimal("4.13")

    reviews_moderate(review_ids=[r.pk for r in reviews], status=Review.Status.REJECTED)
    refreshed = Product.objects.get(pk=product.pk)
    assert (refreshed.rating_avg, refreshed.rating_count) == (Decimal("0.00"), 0)


def test_reviews_moderate_refuses_back_to_pending():
    review = ReviewFactory()
    with pytest.raises(ApplicationError):
        reviews_moderate(review_ids=[review.pk], status=Review.Status.PENDING)


def test_wishlist_item_add_twice_keeps_one_and_remove_only_own():
    user, other, product = UserFactory(), UserFactory(), ProductFactory()
    item, created = wishlist_item_add(user=user, product=product)
    again, created_again = wishlist_item_add(user=user, product=product)
    assert (created, created_again, again.pk) == (True, False, item.pk)

    with pytest.raises(NotFoundError):
        wishlist_item_remove(user=other, item_id=item.pk)
    wishlist_item_remove(user=user, item_id=item.pk)
    assert not WishlistItem.objects.exists()


def test_wishlist_item_add_refuses_unpublished_product():
    with pytest.raises(NotFoundError):
        wishlist_item_add(user=UserFactory(), product=ProductFactory(live=False))


def test_review_delete_removes_its_image_files_after_commit(django_capture_on_commit_callbacks):
    review = review_create(product=ProductFactory(), user=UserFactory(), rating=4, title="t", body="b",
                           images=[SimpleUploadedFile("a.png", image_bytes("PNG"))])
    image = review.images.get().image
    storage, name = image.storage, image.name
    assert storage.exists(name)

    with django_capture_on_commit_callbacks(execute=True):
        review_delete(review=review)

    assert not storage.exists(name)


def test_review_image_file_stays_when_the_delete_rolls_back():
    from django.db import transaction

    review = review_create(product=ProductFactory(), user=UserFactory(), rating=4, title="t", body="b",
                           images=[SimpleUploadedFile("a.png", image_bytes("PNG"))])
    review_id, image = review.pk, review.images.get().image
    with pytest.raises(RuntimeError), transaction.atomic():
        review_delete(review=review)
        raise RuntimeError("the caller fails after deleting")

    assert image.storage.exists(image.name)
    assert Review.objects.get(pk=review_id).images.count() == 1
