"""Wagtail admin wiring for orders: the order desk (commerce/orders/desk.py) and shop snippets."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from .desk import OrderAdmin
from .price_check import PriceCheckViewSet
from .viewsets import ShippingTaxViewSetGroup

modeladmin_register(OrderAdmin)
register_snippet(ShippingTaxViewSetGroup)


@hooks.register("register_admin_viewset")
def register_price_check():
    return PriceCheckViewSet()
