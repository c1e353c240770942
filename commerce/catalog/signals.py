"""Invalidate cached catalogue reads when anything they show changes.

Writes that bypass signals (`QuerySet.update`, `bulk_create`) call `catalog_cache_bump()` themselves:
see stock.py.
"""

from dataclasses import dataclass

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
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

# Sent inside the transaction that changed stock, with `levels`: a list of StockLevel, one per variant
# whose available stock changed. Receivers (alerts, back-in-stock, webhooks) decide from before/after
# without another query, and their writes commit or roll back with the change.
stock_levels_changed = Signal()


@dataclass(frozen=True)
class StockLevel:
    variant_id: int
    sku: str
    available_before: int
    available_after: int
    threshold: int  # the variant's own low-stock threshold, or the shop default

    @property
    def sold_out(self) -> bool:
        return self.available_before > 0 and self.available_after == 0

    @property
    def restocked(self) -> bool:
        return self.available_before == 0 and self.available_after > 0

    @property
    def fell_to_low(self) -> bool:
        """Crossed down to the threshold (but not to zero: that is `sold_out`)."""
        return 0 < self.available_after <= self.threshold < self.available_before


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
