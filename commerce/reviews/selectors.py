"""Review and wishlist reads."""

from django.db.models import Count, Prefetch, QuerySet

from commerce.catalog.models import Product
from commerce.orders.models import Order, OrderLine

from .models import Review, ReviewImage, WishlistItem

RATINGS = (1, 2, 3, 4, 5)


def product_get_live(*, slug: str | None = None, pk: int | None = None) -> Product | None:
    """A published product by slug or id; None for unknown or unpublished ones."""
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    return Product.objects.filter(live=True, **lookup).first()


def review_is_verified_purchase(*, user, product_id: int) -> bool:
    """The customer has a delivered order containing the product."""
    return OrderLine.objects.filter(
        order__user=user, order__status=Order.Status.DELIVERED, product_id=product_id
    ).exists()


def reviews_approved_for_product(*, product_id: int) -> QuerySet[Review]:
    """Approved reviews, newest first, with author and images: two queries per page."""
    return (
        Review.objects.filter(product_id=product_id, status=Review.Status.APPROVED)
        .select_related("user")
        .prefetch_related(Prefetch("images", queryset=ReviewImage.objects.order_by("id")))
        .order_by("-created_at", "-id")
    )


def review_rating_histogram(*, product_id: int) -> dict[int, int]:
    """How many approved reviews gave each rating, every rating 1-5 present (one query)."""
    counts = dict(
        Review.objects.filter(product_id=product_id, status=Review.Status.APPROVED)
        .values_list("rating")
        .annotate(n=Count("id"))
        .values_list("rating", "n")
    )
    return {rating: counts.get(rating, 0) for rating in RATINGS}


def review_get_for_user(*, user, product_id: int) -> Review | None:
    if not user.is_authenticated:
        return None
    return Review.objects.filter(user=user, product_id=product_id).first()


def review_author_name(review: Review) -> str:
    """First name and last initial: enough to feel human, not enough to identify."""
    first, last = review.user.first_name.strip(), review.user.last_name.strip()
    if not first:
        return "Customer"
    return f"{first} {last[:1]}." if last else first


def wishlist_items_for_user(*, user) -> QuerySet[WishlistItem]:
    return WishlistItem.objects.filter(user=user).select_related("product").order_by("-created_at", "-id")


def wishlist_product_ids(*, user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(WishlistItem.objects.filter(user=user).values_list("product_id", flat=True))
