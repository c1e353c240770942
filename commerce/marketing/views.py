"""Campaigns and back-in-stock subscriptions in the Wagtail admin, under one "Marketing" menu."""

from django import forms
from django.db.models import Count
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel, PublishingPanel
from wagtail.admin.ui.tables import Column, LiveStatusTagColumn
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import BackInStockSubscription, Campaign


class CampaignViewSet(SnippetViewSet):
    model = Campaign
    icon = "calendar-alt"
    menu_label = "Campaigns"
    base_url_path = "marketing/campaigns"
    admin_url_namespace = "marketing_campaigns"
    list_display = ["name", Column("go_live_at", label="Goes live"), Column("expire_at", label="Ends"),
                    Column("item_count", label="Items"), LiveStatusTagColumn()]
    list_filter = ["live"]
    search_fields = ["name"]
    search_backend_name = None
    panels = [
        FieldPanel("name"),
        FieldPanel("description"),
        HelpPanel(content="<p>Choose what goes live together. Set one go-live and one end time in the "
                          "Publishing panel (the status menu) and publish: every item is published at "
                          "go-live and unpublished at the end time. Items' own schedules are replaced.</p>"),
        MultiFieldPanel([
            FieldPanel("pages", widget=forms.SelectMultiple(attrs={"size": 8})),
            FieldPanel("banners", widget=forms.CheckboxSelectMultiple),
            FieldPanel("coupons", widget=forms.CheckboxSelectMultiple),
        ], heading="Items"),
        PublishingPanel(),
    ]

    def get_queryset(self, request):
        return Campaign.objects.annotate(
            item_count=Count("pages", distinct=True) + Count("banners", distinct=True) + Count("coupons", distinct=True)
        )


class BackInStockViewSet(SnippetViewSet):
    model = BackInStockSubscription
    icon = "mail"
    menu_label = "Back-in-stock requests"
    base_url_path = "marketing/back-in-stock"
    admin_url_namespace = "marketing_back_in_stock"
    list_display = ["email", "variant", "status", "created_at", "notified_at"]
    list_filter = ["status"]
    search_fields = ["email", "variant__sku"]
    search_backend_name = None
    panels = [FieldPanel("status")]


class MarketingViewSetGroup(SnippetViewSetGroup):
    menu_label = "Marketing"
    menu_icon = "calendar-alt"
    menu_order = 840
    items = (CampaignViewSet, BackInStockViewSet)
