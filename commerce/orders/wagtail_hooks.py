"""Wagtail admin wiring for orders: the order desk (commerce/orders/desk.py) and shop snippets."""

from wagtail_modeladmin.options import modeladmin_register

from .desk import OrderAdmin

modeladmin_register(OrderAdmin)
