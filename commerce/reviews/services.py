"""Review and wishlist writes.

Rating aggregates: a product's `rating_avg` / `rating_count` count approved reviews only and are
recomputed (one UPDATE with correlated subqueries, whatever the number of products) whenever a review of that product is moderated or deleted.
"""

from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, DecimalField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Round
from django.utils import timezone

from commerce.catalog.cache import catalog_cache_bump
from commerce.catalog.models import Product
from commerce.core.audit import AuditAction, audit_log_many
from commerce.core.errors import ApplicationError, ConflictError, NotFoundError

from .images import image_check_size, image_sanitize
from .models import MAX_REVIEW_IMAGES, Review, ReviewImage, WishlistItem
from .selectors import review_is_verified_purchase


def product_ratings_refresh(*, product_ids: Iterable[int]) -> None:
    """Recompute the stored average and count from approved reviews: ONE update for any number of products.

    The average is rounded half up to two places by the database (ROUND on PostgreSQL and SQLite).
    """
    product_ids = sorted(set(product_ids))
    if not product_ids:
        return
    approved = (
        Review.objects.filter(product=OuterRef("pk"), status=Review.Status.APPROVED)
        .order_by()
        .values("product")  # one group per product, so each subquery yields one row
    )
    Product.objects.filter(pk__in=product_ids).update(
        rating_count=Coalesce(Subquery(approved.annotate(n=Count("pk")).values("n")), 0),
        rating_avg=Coalesce(
            Subquery(approved.annotate(avg=Round(Avg("rating"), 2)).values("avg")),
            Value(Decimal("0.00")),
            output_field=DecimalField(max_digits=3, decimal_places=2),
        ),
    )
    # update() sends no post_save: the catalogue's cached product lists and pages show the rating
    catalog_cache_bump()


@transaction.atomic
def review_create(*, product: Product, user, rating: int, title: str, body: str, images: Sequence = ()) -> Review:
    """A pending review by `user`; status and the verified flag are decided here, never by input."""
    if not 1 <= int(rating) <= 5:
        raise ApplicationError("A rating is a whole number from 1 to 5.", code="invalid_rating")
    if len(images) > MAX_REVIEW_IMAGES:
        raise ApplicationError(f"A review takes at most {MAX_REVIEW_IMAGES} images.", code="too_many_images")
    if Review.objects.filter(product=product, user=user).exists():
        raise ConflictError("You have already reviewed this product.", code="review_exists")
    # Every image is checked and re-encoded before anything is written.
    for index, upload in enumerate(images, start=1):
        image_check_size(upload, name=f"Image {index}")
    cleaned = [image_sanitize(upload, name=f"Image {index}") for index, upload in enumerate(images, start=1)]
    try:
        with transaction.atomic():
            review = Review.objects.create(
                product=product,
                user=user,
                rating=int(rating),
                title=title.strip(),
                body=body.strip(),
                status=Review.Status.PENDING,
                verified=review_is_verified_purchase(user=user, product_id=product.pk),
            )
    except IntegrityError as exc:  # a second request raced past the check above
        raise ConflictError("You have already reviewed this product.", code="review_exists") from exc
    for content in cleaned:
        ReviewImage.objects.create(review=review, image=content)
    return review


@transaction.atomic
def reviews_moderate(*, review_ids: Iterable[int], status: str, moderator=None) -> int:
    """Approve or reject reviews and refresh the ratings of their products. Returns how many changed."""
    if status not in (Review.Status.APPROVED, Review.Status.REJECTED):
        raise ApplicationError("Reviews can only be approved or rejected.", code="invalid_status")
    reviews = list(
        Review.objects.select_for_update(of=("self",)).filter(pk__in=list(review_ids)).exclude(status=status)
        .only("pk", "product_id", "status", "title", "rating")
    )
    product_ids = {review.product_id for review in reviews}
    changed = Review.objects.filter(pk__in=[r.pk for r in reviews]).update(
        status=status, moderated_by=moderator, moderated_at=timezone.now()
    )
    action = AuditAction.REVIEW_APPROVE if status == Review.Status.APPROVED else AuditAction.REVIEW_REJECT
    audit_log_many(instances=reviews, action=action, user=moderator,
                   data_for=lambda review: {"from": review.status, "to": status})
    product_ratings_refresh(product_ids=product_ids)
    return changed


def review_moderate(*, review: Review, status: str, moderator=None) -> Review:
    reviews_moderate(review_ids=[review.pk], status=status, moderator=moderator)
    review.refresh_from_db()
    return review


@transaction.atomic
def review_delete(*, review: Review) -> None:
    product_id = review.product_id
    review.delete()
    product_ratings_refresh(product_ids=[product_id])


# --- wishlist -----------------------------------------------------------------------------------


def wishlist_item_add(*, user, product: Product) -> tuple[WishlistItem, bool]:
    """Add a product to the customer's wishlist; adding it twice keeps one item."""
    if not product.live:
        raise NotFoundError("No such product.", code="product_not_found")
    return WishlistItem.objects.get_or_create(user=user, product=product)


def wishlist_item_remove(*, user, item_id: int) -> None:
    deleted, _ = WishlistItem.objects.filter(pk=item_id, user=user).delete()
    if not deleted:
        raise NotFoundError("No such wishlist item.", code="wishlist_item_not_found")
