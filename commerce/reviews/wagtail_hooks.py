"""Registers review moderation (declared in views.py): the "Reviews" menu group, its bulk actions,
the no-add permission policy, and the rating refresh when a review is deleted from the admin."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet

from .models import Review
from .services import product_ratings_refresh
from .views import (
    ApproveReviewsBulkAction,
    CustomerWrittenPermissionPolicy,
    RejectReviewsBulkAction,
    ReviewsViewSetGroup,
)

register_permission_policy(Review, CustomerWrittenPermissionPolicy(Review))
register_snippet(ReviewsViewSetGroup)
hooks.register("register_bulk_action", ApproveReviewsBulkAction)
hooks.register("register_bulk_action", RejectReviewsBulkAction)


@hooks.register("after_delete_snippet")
def refresh_ratings_after_review_delete(request, instances):
    # The admin deletes rows itself; the stored average must follow.
    if instances and isinstance(instances[0], Review):
        product_ratings_refresh(product_ids=[review.product_id for review in instances])
