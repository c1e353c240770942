"""Admin "Price check": what a basket would cost shipped to a country, from price_compute.

The same pricing function as the cart preview and the checkout, so a shop manager can verify
shipping zones, free-shipping thresholds and tax rates (inclusive or exclusive) after editing them.
Registered from wagtail_hooks.py, next to the "Shipping & tax" menu.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse_lazy
from django.views.generic import FormView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from commerce.core.errors import ApplicationError
from commerce.core.forms import StrictIntegerField

from .models import ShippingMethod
from .pricing import Discount, PricingLine, price_compute

PERMISSIONS = ("orders.view_shippingmethod", "orders.change_shippingmethod", "orders.view_taxrate",
               "orders.change_taxrate")


def can_check_prices(user) -> bool:
    return any(user.has_perm(p) for p in PERMISSIONS)


class PriceCheckForm(forms.Form):
    country = forms.CharField(max_length=2, initial="US", help_text="Two-letter ISO code")
    shipping_method = forms.ModelChoiceField(
        ShippingMethod.objects.select_related("zone"), required=False, empty_label="No shipping (goods only)"
    )
    unit_price = forms.DecimalField(min_value=Decimal("0"), max_digits=12, decimal_places=2, initial=Decimal("25.00"))
    quantity = StrictIntegerField(min_value=1, max_value=10_000, initial=2)
    order_discount = forms.DecimalField(
        label="Discount on the order", min_value=Decimal("0"), max_digits=12, decimal_places=2, required=False
    )
    free_shipping = forms.BooleanField(label="Coupon grants free shipping", required=False)

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError("Use a two-letter country code.")
        return country


class PriceCheckView(WagtailAdminTemplateMixin, FormView):
    template_name = "orders/admin/price_check.html"
    form_class = PriceCheckForm
    page_title = "Price check"
    header_icon = "calculator"

    def dispatch(self, request, *args, **kwargs):
        if not can_check_prices(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            result = price_compute(
                lines=[PricingLine(key=1, unit_price=data["unit_price"], quantity=data["quantity"])],
                shipping_method=data["shipping_method"],
                country=data["country"],
                discount=Discount(order_amount=data["order_discount"] or Decimal("0"),
                                  free_shipping=data["free_shipping"]),
            )
        except ApplicationError as exc:
            form.add_error("shipping_method", exc.message)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form, result=result))


class PriceCheckMenuItem(MenuItem):
    def is_shown(self, request):
        return can_check_prices(request.user)


class PriceCheckViewSet(ViewSet):
    name = "orders_price_check"
    url_prefix = "shipping/price-check"
    icon = "calculator"
    menu_icon = "calculator"
    menu_label = "Price check"
    menu_order = 321
    add_to_admin_menu = True
    menu_url = reverse_lazy("orders_price_check:index")
    menu_item_class = PriceCheckMenuItem

    def get_urlpatterns(self):
        return [path("", PriceCheckView.as_view(), name="index")]
