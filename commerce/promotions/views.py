"""Coupons and automatic promotions in the Wagtail admin, under one "Promotions" menu group.

Both are snippets with drafts, revisions and scheduled publishing (the Publishing panel's go-live and
expiry dates; `publish_scheduled` runs from Celery beat), so a campaign can be prepared as a draft and go
live at a set time. A rule applies only while live, active and inside its own validity window.
"""

from django.db.models import Count
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PublishingPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, LiveStatusTagColumn
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import AutomaticPromotion, Coupon

RULE_PANELS = [
    FieldRowPanel([FieldPanel("kind"), FieldPanel("value")]),
    FieldRowPanel([FieldPanel("min_subtotal"), FieldPanel("max_discount")]),
    FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")], heading="Validity window"),
    MultiFieldPanel(
        [FieldPanel("categories"), FieldPanel("products")],
        heading="Restrict to",
        help_text="Leave both empty to apply to the whole cart. Categories include their sub-categories.",
    ),
    FieldPanel("is_active"),
]


class CouponViewSet(SnippetViewSet):
    model = Coupon
    admin_url_namespace = "promotions_coupon"
    base_url_path = "promotions/coupons"
    icon = "tag"
    menu_label = "Coupons"
    list_display = [
        "code",
        "name",
        "kind",
        "value",
        Column("times_used", label="Used"),
        "usage_limit",
        BooleanColumn("is_active"),
        LiveStatusTagColumn(),
    ]
    list_filter = ["kind", "is_active", "live"]
    search_fields = ["code", "name"]
    search_backend_name = None
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        *RULE_PANELS,
        FieldRowPanel([FieldPanel("usage_limit"), FieldPanel("per_customer_limit")], heading="Limits"),
        PublishingPanel(),
    ]

    def get_queryset(self, request):
        # Uses by orders that were not cancelled (a cancellation deletes its use).
        return Coupon.objects.annotate(times_used=Count("usages"))


class AutomaticPromotionViewSet(SnippetViewSet):
    model = AutomaticPromotion
    admin_url_namespace = "promotions_automatic"
    base_url_path = "promotions/automatic"
    icon = "pick"
    menu_label = "Automatic promotions"
    list_display = ["name", "kind", "value", "min_subtotal", BooleanColumn("is_active"), LiveStatusTagColumn()]
    list_filter = ["kind", "is_active", "live"]
    search_fields = ["name"]
    search_backend_name = None
    panels = [FieldPanel("name"), *RULE_PANELS, PublishingPanel()]


class PromotionsViewSetGroup(SnippetViewSetGroup):
    menu_label = "Promotions"
    menu_icon = "tag"
    menu_order = 300
    items = (CouponViewSet, AutomaticPromotionViewSet)
