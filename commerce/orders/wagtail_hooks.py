"""Wagtail admin wiring for orders: the order desk (commerce/orders/desk.py) and shop snippets."""

from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from .desk import OrderAdmin
from .viewsets import ShippingTaxViewSetGroup

modeladmin_register(OrderAdmin)
register_snippet(ShippingTaxViewSetGroup)
