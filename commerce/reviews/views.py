"""Review moderation in the Wagtail admin: a snippet listing filtered by status (pending first),
and bulk "Approve" / "Reject" actions that call the same service as everything else.

Reviews are written by customers, so the admin cannot add them, and the edit form offers only the
title and body (to redact); the status moves only through the moderation actions.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import ngettext
from django.views import View
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import BooleanColumn
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Review, WishlistItem
from .services import reviews_moderate


class CustomerWrittenPermissionPolicy(ModelPermissionPolicy):
    """Model permissions, minus "add": reviews come from customers through the shop."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a != "add"])


class ReviewViewSet(SnippetViewSet):
    model = Review
    admin_url_namespace = "reviews_review"
    base_url_path = "reviews/reviews"
    icon = "comment"
    menu_label = "Reviews"
    list_display = ["title", "product", "user", "rating", "status", BooleanColumn("verified"), "created_at"]
    list_filter = ["status", "rating", "verified"]
    search_fields = ["title", "body", "product__name", "user__email"]
    search_backend_name = None
    ordering = ["status", "-created_at"]
    panels = [FieldPanel("title"), FieldPanel("body")]
    edit_template_name = "reviews/admin/edit.html"
    index_template_name = "reviews/admin/index.html"

    def get_queryset(self, request):
        return Review.objects.select_related("product", "user")  # the listing shows both per row

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("moderate/<int:pk>/<str:status>/", ReviewModerateView.as_view(viewset=self), name="moderate"),
        ]


class ReviewModerateView(View):
    """Approve or reject one review from its own page (POST), through the same service as the bulk actions."""

    viewset = None
    http_method_names = ["post"]

    def post(self, request, pk: int, status: str):
        review = get_object_or_404(Review, pk=pk)
        policy = self.viewset.permission_policy
        if not policy.user_has_permission_for_instance(request.user, "change", review):
            raise PermissionDenied
        if status not in (Review.Status.APPROVED, Review.Status.REJECTED):
            messages.error(request, "Reviews can only be approved or rejected.")
        else:
            reviews_moderate(review_ids=[review.pk], status=status, moderator=request.user)
            messages.success(request, f"Review “{review.title}” {Review.Status(status).label.lower()}.")
        return redirect(self.viewset.get_url_name("edit"), review.pk)


class WishlistItemViewSet(SnippetViewSet):
    model = WishlistItem
    admin_url_namespace = "reviews_wishlist"
    base_url_path = "reviews/wishlists"
    icon = "pick"
    menu_label = "Wishlists"
    list_display = ["user", "product", "created_at"]
    search_fields = ["user__email", "product__name"]
    search_backend_name = None
    panels = [FieldPanel("user"), FieldPanel("product")]

    def get_queryset(self, request):
        return WishlistItem.objects.select_related("product", "user")


class ReviewsViewSetGroup(SnippetViewSetGroup):
    menu_label = "Reviews"
    menu_icon = "comment"
    menu_order = 310
    items = (ReviewViewSet, WishlistItemViewSet)


class _ModerateBulkAction(SnippetBulkAction):
    models = [Review]
    template_name = "reviews/admin/confirm_bulk_moderate.html"
    target_status: str = ""
    verb = ""

    def check_perm(self, review):
        return self.permission_policy.user_has_permission_for_instance(self.request.user, "change", review)

    button_text = ""

    def get_context_data(self, **kwargs):
        # the confirm button names the action ("Approve 3 reviews"), not its outcome ("Approved")
        context = super().get_context_data(**kwargs)
        count = len(context.get("items", []))
        label = f"{self.button_text} {count} review{'' if count == 1 else 's'}"
        return {**context, "verb": self.verb, "button_text": label}

    def get_execution_context(self):
        return {**super().get_execution_context(), "moderator": self.request.user}

    @classmethod
    def execute_action(cls, objects, moderator=None, **kwargs):
        changed = reviews_moderate(
            review_ids=[review.pk for review in objects], status=cls.target_status, moderator=moderator
        )
        return changed, 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext("%(count)d review %(verb)s.", "%(count)d reviews %(verb)s.", num_parent_objects) % {
            "count": num_parent_objects,
            "verb": self.verb,
        }


class ApproveReviewsBulkAction(_ModerateBulkAction):
    display_name = "Approve"
    button_text = "Approve"
    action_type = "approve_reviews"
    aria_label = "Approve selected reviews"
    action_priority = 10
    target_status = Review.Status.APPROVED
    verb = "approved"


class RejectReviewsBulkAction(_ModerateBulkAction):
    display_name = "Reject"
    button_text = "Reject"
    action_type = "reject_reviews"
    aria_label = "Reject selected reviews"
    action_priority = 20
    target_status = Review.Status.REJECTED
    verb = "rejected"
