"""Registers the catalogue's admin (declared in views.py) under one "Catalogue" menu group."""

from wagtail.snippets.models import register_snippet

from .views import CatalogueViewSetGroup

register_snippet(CatalogueViewSetGroup)
