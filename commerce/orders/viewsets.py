"""Shipping zones, shipping methods and tax rates in the Wagtail admin ("Shipping & tax" menu).

Registered from wagtail_hooks.py. These rows feed commerce.orders.pricing.price_compute, the one
pricing function behind the cart preview, the checkout and the site.
"""

import re

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import ShippingMethod, ShippingZone, TaxRate

_CODE = re.compile(r"^[A-Z]{2}$")


class ShippingZoneForm(WagtailAdminModelForm):
    def clean_countries(self):
        codes = [c.strip().upper() for c in self.cleaned_data["countries"].split(",") if c.strip()]
        bad = [c for c in codes if not _CODE.match(c)]
        if bad:
            raise forms.ValidationError(f"Not two-letter ISO codes: {', '.join(bad)}")
        return ", ".join(dict.fromkeys(codes))


class TaxRateForm(WagtailAdminModelForm):
    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if country and not _CODE.match(country):
            raise forms.ValidationError("Use a two-letter ISO code, or leave empty for the default rate.")
        return country


class ShippingZoneViewSet(SnippetViewSet):
    model = ShippingZone
    icon = "site"
    menu_label = "Shipping zones"
    admin_url_namespace = "orders_shipping_zone"
    base_url_path = "shipping/zones"
    list_display = ["name", Column("countries", label="Countries")]
    search_fields = ["name", "countries"]
    edit_handler = ObjectList([FieldPanel("name"), FieldPanel("countries")], base_form_class=ShippingZoneForm)


class ShippingMethodViewSet(SnippetViewSet):
    model = ShippingMethod
    icon = "mail"
    menu_label = "Shipping methods"
    admin_url_namespace = "orders_shipping_method"
    base_url_path = "shipping/methods"
    list_display = ["name", "code", "zone", "price", "free_over", BooleanColumn("is_active", label="Active")]
    list_filter = ["is_active", "zone"]
    search_fields = ["name", "code"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
        FieldPanel("zone"),
        FieldRowPanel([FieldPanel("price"), FieldPanel("free_over")]),
        FieldRowPanel([FieldPanel("min_days"), FieldPanel("max_days")], heading="Delivery time (days)"),
        FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")]),
    ]

    def get_queryset(self, request):
        return ShippingMethod.objects.select_related("zone")


class TaxRateViewSet(SnippetViewSet):
    model = TaxRate
    icon = "calculator"
    menu_label = "Tax rates"
    admin_url_namespace = "orders_tax_rate"
    base_url_path = "shipping/tax-rates"
    list_display = [
        "name", Column("country", label="Country"), "rate",
        BooleanColumn("prices_include_tax", label="Included in prices"),
        BooleanColumn("applies_to_shipping", label="On shipping"), BooleanColumn("is_active", label="Active"),
    ]
    list_filter = ["is_active", "prices_include_tax"]
    search_fields = ["name", "country"]
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("country")]),
            FieldPanel("rate"),
            MultiFieldPanel(
                [FieldPanel("prices_include_tax"), FieldPanel("applies_to_shipping"), FieldPanel("is_active")],
                heading="How it applies",
            ),
        ],
        base_form_class=TaxRateForm,
    )


class ShippingTaxViewSetGroup(SnippetViewSetGroup):
    menu_label = "Shipping & tax"
    menu_icon = "site"
    menu_order = 320
    items = (ShippingMethodViewSet, ShippingZoneViewSet, TaxRateViewSet)
