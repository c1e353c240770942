"""`{% product_reviews product %}`: the reviews block of the product page (list, histogram, form,
wishlist button), so the catalogue's view and template need only this one line."""

from django import template

from commerce.reviews.selectors import (
    review_author_name,
    review_get_for_user,
    review_rating_histogram,
    reviews_approved_for_product,
)
from storefront.reviews.forms import ReviewForm

register = template.Library()

REVIEWS_SHOWN = 10


@register.inclusion_tag("reviews/_product_reviews.html", takes_context=True)
def product_reviews(context, product, form=None):
    request = context["request"]
    user = request.user
    # no approved review yet (rating_count is kept by the review services): skip both queries
    has_reviews = bool(product.rating_count)
    histogram = review_rating_histogram(product_id=product.pk) if has_reviews else {}
    total = sum(histogram.values())
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "product": product,
        "reviews": list(reviews_approved_for_product(product_id=product.pk)[:REVIEWS_SHOWN]) if has_reviews else [],
        "histogram": [
            {"rating": r, "count": histogram[r], "percent": round(100 * histogram[r] / total) if total else 0}
            for r in sorted(histogram, reverse=True)
        ],
        "own_review": review_get_for_user(user=user, product_id=product.pk),
        # only a signed-in shopper sees the form: no form instance for every anonymous page view
        "form": form or (ReviewForm() if user.is_authenticated else None),
        "user": user,
    }


@register.simple_tag
def review_author(review):
    return review_author_name(review)
