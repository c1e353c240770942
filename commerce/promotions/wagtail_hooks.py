"""Registers the promotions admin (declared in views.py) under one "Promotions" menu group."""

from wagtail.snippets.models import register_snippet

from .views import PromotionsViewSetGroup

register_snippet(PromotionsViewSetGroup)
