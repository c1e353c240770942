"""Catalogue read functions and the cache version they hang on."""

from decimal import Decimal

import pytest

from commerce.catalog import cache as catalog_cache
from commerce.catalog.selectors import (
    ProductFilters,
    category_index_get,
    filter_index_get,
    product_list_count,
    product_list_rows,
)
from commerce.catalog.tests.factories import (
    AttributeFactory,
    AttributeValueFactory,
    CategoryFactory,
    ProductFactory,
    ProductVariantFactory,
)

pytestmark = pytest.mark.django_db


def test_category_index_descendants_and_path():
    root = CategoryFactory(slug="root")
    child = CategoryFactory(slug="child", parent=root)
    grandchild = CategoryFactory(slug="grandchild", parent=child)
    CategoryFactory(slug="other")

    index = category_index_get()

    assert sorted(index.descendant_ids(root.pk)) == sorted([root.pk, child.pk, grandchild.pk])
    assert index.descendant_ids(grandchild.pk) == [grandchild.pk]
    assert [n.slug for n in index.path(grandchild.pk)] == ["root", "child", "grandchild"]
    assert index.path(None) == []


def test_category_index_slug_under_inactive_parent_is_not_found():
    root = CategoryFactory(slug="root", is_active=False)
    CategoryFactory(slug="child", parent=root)
    index = category_index_get()
    assert index.active_id_for_slug("child") is None
    assert index.active_id_for_slug("missing") is None


def test_category_index_is_read_once_per_version(django_assert_num_queries):
    CategoryFactory(slug="root")
    category_index_get()
    with django_assert_num_queries(0):
        category_index_get()
    CategoryFactory(slug="another")  # post_save bumps the version
    assert "another" in category_index_get().id_by_slug


def test_catalog_cache_bump_changes_version():
    before = catalog_cache.catalog_version()
    catalog_cache.catalog_cache_bump()
    assert catalog_cache.catalog_version() != before


def test_filter_index_lists_only_filterable_attributes():
    size = AttributeFactory(slug="size")
    AttributeValueFactory(attribute=size, slug="m")
    hidden = AttributeFactory(slug="secret", filterable=False)
    AttributeValueFactory(attribute=hidden, slug="x")
    index = filter_index_get()
    assert set(index.value_ids_by_attribute) == {"size"}
    assert set(index.value_ids_by_attribute["size"]) == {"m"}


def test_product_list_rows_price_range_falls_back_to_base_price():
    ProductFactory(slug="bare", base_price=Decimal("12.00"))
    mixed = ProductFactory(slug="mixed", base_price=Decimal("10.00"))
    ProductVariantFactory(product=mixed, price=None, stock_on_hand=0)
    ProductVariantFactory(product=mixed, price=Decimal("14.50"), stock_on_hand=1)

    rows = {r["slug"]: r for r in product_list_rows(filters=ProductFilters(), ordering="price", offset=0, limit=10)}

    assert (rows["bare"]["price_min"], rows["bare"]["price_max"]) == (Decimal("12.00"), Decimal("12.00"))
    assert not rows["bare"]["in_stock"]
    assert (rows["mixed"]["price_min"], rows["mixed"]["price_max"]) == (Decimal("10.00"), Decimal("14.50"))
    assert rows["mixed"]["in_stock"]
    assert rows["mixed"]["thumbnail_url"] is None


def test_product_list_price_filter_on_product_without_variants_uses_base_price():
    ProductFactory(slug="bare", base_price=Decimal("12.00"))
    assert product_list_count(filters=ProductFilters(price_min=Decimal("11"), price_max=Decimal("13"))) == 1
    assert product_list_count(filters=ProductFilters(price_min=Decimal("12.01"))) == 0
