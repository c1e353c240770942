"""Invalidate cached catalogue reads when anything they show changes.

Writes that bypass signals (`QuerySet.update`, `bulk_create`) call `catalog_cache_bump()` themselves:
see stock.py.
"""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images import get_image_model

from .cache import catalog_cache_bump
from .models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductType,
    ProductTypeAttribute,
    ProductVariant,
)

# Everything a list page, a product page or a filter lookup reads. Wagtail images are included: a
# replaced image file gives new rendition URLs.
WATCHED_MODELS = (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductType,
    ProductTypeAttribute,
    ProductVariant,
)


def _bump(sender, **kwargs):
    catalog_cache_bump()


def connect_catalog_cache_signals() -> None:
    for model in (*WATCHED_MODELS, get_image_model()):
        uid = f"catalog-cache-{model._meta.label_lower}"
        post_save.connect(_bump, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(
        _bump, sender=ProductVariant.attribute_values.through, dispatch_uid="catalog-cache-variant-values"
    )
