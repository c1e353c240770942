"""Invalidate cached catalogue reads when anything they show changes.

Writes that bypass signals (`QuerySet.update`, `bulk_create`) call `catalog_cache_bump()` themselves:
see stock.py.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from wagtail.images import get_image_model
from wagtail.search import index

from .cache import LISTS_SCOPE, catalog_cache_bump, catalog_scope_bump, product_scope
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

# Sent inside the transaction of a catalogue import, which writes in bulk (no save(), no Wagtail
# `published`), with `created` and `updated`: the ids of the products it created and changed
# (variants included). Receivers (outbound webhooks) act as they would on a product saved by hand.
catalog_imported = Signal()


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
)


def _bump(sender, **kwargs):
    catalog_cache_bump()


def connect_catalog_cache_signals() -> None:
    for model in (*WATCHED_MODELS, get_image_model()):
        uid = f"catalog-cache-{model._meta.label_lower}"
        post_save.connect(_bump, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"{uid}-delete")
    # a variant (price, stock, attribute values, active) shows on its product's page and in lists:
    # those scopes only, not the whole catalogue (cache.py)
    post_save.connect(_variant_bump, sender=ProductVariant, dispatch_uid="catalog-cache-variant-save")
    post_delete.connect(_variant_bump, sender=ProductVariant, dispatch_uid="catalog-cache-variant-delete")
    m2m_changed.connect(
        _variant_bump, sender=ProductVariant.attribute_values.through, dispatch_uid="catalog-cache-variant-values"
    )


def _variant_bump(sender, instance, **kwargs):
    if isinstance(instance, ProductVariant) and instance.product_id:
        catalog_scope_bump(scopes=[product_scope(instance.product_id), LISTS_SCOPE])
    else:  # m2m from the attribute value's side
        catalog_cache_bump()


# --- search index ---------------------------------------------------------------------------------
# A product's index entry holds its variants' attribute values and its category path's names
# (Product.search_fields), so changes to those re-index the products concerned, after commit.


def _reindex_products(product_ids) -> None:
    product_ids = list(product_ids)  # the products concerned now, not those that exist at commit
    if not product_ids:
        return

    def run():
        for product in Product.objects.filter(pk__in=product_ids).select_related("category"):
            index.insert_or_update_object(product)

    transaction.on_commit(run)


def _variant_changed(sender, instance, **kwargs):
    if instance.product_id:
        _reindex_products([instance.product_id])


def _variant_values_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, ProductVariant):
        _reindex_products([instance.product_id])


def _category_changed(sender, instance, **kwargs):
    from .selectors import category_index_get

    # the category and everything below it: their products show this name in their category path
    try:
        ids = category_index_get().descendant_ids(instance.pk)
    except KeyError:  # the cached tree does not know it yet: a new category has no products
        ids = [instance.pk]
    _reindex_products(Product.objects.filter(category_id__in=ids).values_list("pk", flat=True))


def connect_search_index_signals() -> None:
    post_save.connect(_variant_changed, sender=ProductVariant, dispatch_uid="catalog-search-variant-save")
    post_delete.connect(_variant_changed, sender=ProductVariant, dispatch_uid="catalog-search-variant-delete")
    m2m_changed.connect(
        _variant_values_changed, sender=ProductVariant.attribute_values.through, dispatch_uid="catalog-search-values"
    )
    post_save.connect(_category_changed, sender=Category, dispatch_uid="catalog-search-category-save")
