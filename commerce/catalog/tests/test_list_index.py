"""The in-memory list engine (list_index.py) answers exactly what the database answers.

Parity: on randomised catalogues, for generated filters, every ordering and several pages, the engine's
matches, counts, pages, facet counts, in-stock counts and price ranges equal the SQL reference's
(selectors' ORM query, facets' grouped SQL). Freshness: it is rebuilt when something a list shows
changes, and left alone (no rebuild) by a stock move that flips nothing.
"""

from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.catalog import list_index
from commerce.catalog.facets import _chosen_values, _facet_figures_sql, _facet_index, _others, product_facets
from commerce.catalog.models import AttributeValue, ProductVariant
from commerce.catalog.selectors import (
    PRODUCT_ORDERINGS,
    ProductFilters,
    _product_list_rows_orm,
    live_products_filtered,
    product_list_page,
)
from commerce.catalog.stock import stock_allocate
from commerce.catalog.tests.factories import ProductFactory, ProductVariantFactory, clothing_type
from commerce.catalog.tests.test_facets import _random_catalogue, filter_sets

pytestmark = pytest.mark.django_db


def _engine_page(index, filters, ordering, offset, limit):
    ids, count = index.page(filters, ordering=ordering, offset=offset, limit=limit)
    assert count == index.count(filters)
    return ids


def _reference_page(filters, ordering, offset, limit):
    rows = _product_list_rows_orm(filters=filters, ordering=ordering, offset=offset, limit=limit, with_count=False)
    return [row["id"] for row in rows]


@pytest.mark.parametrize("seed", [4, 5])
def test_list_engine_answers_what_the_database_answers_on_a_random_catalogue(seed):
    _random_catalogue(seed)
    index = list_index.list_index_get()
    assert index is not None
    facet_index = _facet_index()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(filters=filter_sets(), search=st.sampled_from(["", "item 1", "item"]))
    def check(filters, search):
        from commerce.catalog.selectors import search_resolved

        filters = search_resolved(replace(filters, search=search))
        assert index.count(filters) == live_products_filtered(filters=filters).count()
        for ordering in PRODUCT_ORDERINGS:
            if ordering == "relevance" and not search:
                continue
            for offset, limit in ((0, 5), (5, 5), (0, 100)):
                assert _engine_page(index, filters, ordering, offset, limit) == _reference_page(
                    filters, ordering, offset, limit
                ), (ordering, offset)
        chosen = _chosen_values(filters, facet_index)
        figures = index.facet_figures(
            filters,
            groups_without={a: _others(filters, ids) for a, ids in chosen.items()},
            value_ids_by_attribute={a: tuple(v for v, _, _ in facet_index.values.get(a, ())) for a, _, _ in facet_index.attributes},
        )
        counts, total, in_stock_count, price_min, price_max = _facet_figures_sql(filters, facet_index, chosen)
        assert figures == ({k: n for k, n in counts.items() if n}, total, in_stock_count, price_min, price_max)

    check()


def test_price_range_is_the_same_read_product_by_product_or_in_price_order(monkeypatch):
    _random_catalogue(6)
    index = list_index.list_index_get()
    cases = [ProductFilters(), ProductFilters(in_stock=True), ProductFilters(in_stock=False),
             ProductFilters(attribute_value_ids=((AttributeValue.objects.get(attribute__slug="size", slug="s").id,),))]
    by_product = [index._price_range(index._product_level(f), f.attribute_value_ids, in_stock=f.in_stock) for f in cases]
    monkeypatch.setattr(list_index, "_PRICE_SCAN_BY_PRODUCT_MAX", -1)
    in_price_order = [index._price_range(index._product_level(f), f.attribute_value_ids, in_stock=f.in_stock) for f in cases]
    assert by_product == in_price_order
    assert any(low is not None for low, _ in by_product)


def test_warm_list_page_with_facets_reads_only_the_cards():
    _random_catalogue(7)
    filters = ProductFilters(in_stock=True)
    product_list_page(filters=filters, ordering="name", offset=0, limit=20)
    product_facets(filters=filters)  # builds the engine and the facet names
    with CaptureQueriesContext(connection) as queries:
        page = product_list_page(filters=filters, ordering="name", offset=0, limit=20)
        facets = product_facets(filters=filters)
    assert page.count == facets.total > 0
    assert len(queries) == 1, [q["sql"] for q in queries]  # the page's cards; thumbnails come from the memo


def _last_size_s(slug: str):
    """A product with one variant, size S, one unit left; and the filters `size=s&in_stock=true`."""
    product = ProductFactory(slug=slug, product_type=clothing_type())  # clothing_type() makes the sizes
    size_s = AttributeValue.objects.get(attribute__slug="size", slug="s")
    last_one = ProductVariantFactory(product=product, stock_on_hand=1)
    last_one.attribute_values.set([size_s])
    return last_one, ProductFilters(in_stock=True, attribute_value_ids=((size_s.id,),))


def test_a_variant_selling_out_is_out_of_in_stock_lists_at_once():
    last_one, wanted = _last_size_s("hoodie")
    assert product_list_page(filters=wanted, ordering="name", offset=0, limit=20).count == 1

    stock_allocate(quantities={last_one.pk: 1})  # the last S is sold: the list must say so now

    assert product_list_page(filters=wanted, ordering="name", offset=0, limit=20).count == 0
    assert product_facets(filters=ProductFilters()).in_stock_count == 0


def test_a_sell_out_rereads_only_the_stock_and_a_price_change_rebuilds():
    last_one, wanted = _last_size_s("tee")
    ProductVariantFactory(product=ProductFactory(slug="mug"), stock_on_hand=4)
    before = list_index.list_index_get()
    assert before.count(wanted) == 1

    stock_allocate(quantities={last_one.pk: 1})  # sold out: a stock flip

    after = list_index.list_index_get()
    assert after is not before and after.variant_values is before.variant_values  # stock re-read, no rebuild
    assert after.count(wanted) == 0 and after.count(ProductFilters(in_stock=True)) == 1
    assert product_facets(filters=ProductFilters()).in_stock_count == 1

    last_one.price = Decimal("99.00")
    last_one.save()  # a price change: everything a list shows may move, so a rebuild
    rebuilt = list_index.list_index_get()
    assert rebuilt.variant_values is not after.variant_values
    assert product_facets(filters=ProductFilters()).price_max == Decimal("99.00")


def test_reading_the_stock_again_refuses_when_the_variants_changed():
    clothing = clothing_type()
    tee = ProductFactory(slug="tee", product_type=clothing)
    gone = ProductVariantFactory(product=tee, stock_on_hand=1)
    ProductVariantFactory(product=tee, stock_on_hand=1)
    index = list_index.list_index_get()
    assert list_index._with_fresh_stock(index) is not None
    ProductVariant.objects.filter(pk=gone.pk).update(is_active=False)  # no signal: as if unseen
    assert list_index._with_fresh_stock(index) is None  # the caller rebuilds instead


def test_a_stock_move_that_flips_nothing_keeps_the_engine_built():
    clothing = clothing_type()
    tee = ProductFactory(slug="tee", product_type=clothing)
    plenty = ProductVariantFactory(product=tee, stock_on_hand=10)
    before = list_index.list_index_get()

    stock_allocate(quantities={plenty.pk: 1})  # 9 left: still in stock, nothing a list shows changed

    assert list_index.list_index_get() is before


def test_the_engine_steps_aside_when_switched_off_or_too_large(settings):
    _random_catalogue(8)
    expected = live_products_filtered(filters=ProductFilters(in_stock=True)).count()
    settings.CATALOG_LIST_INDEX_MAX_POSITIONS = 3
    ProductVariant.objects.first().save()  # a new lists version: rebuilt, and refused as too large
    assert list_index.list_index_get() is None
    assert product_list_page(filters=ProductFilters(in_stock=True), ordering="name", offset=0, limit=5).count == expected
    settings.CATALOG_LIST_INDEX = False
    assert list_index.list_index_get() is None
    assert product_facets(filters=ProductFilters(in_stock=True)).total == expected


def test_the_engine_steps_aside_while_redis_fails(monkeypatch):
    # during an outage each version read makes a new version: rebuilding per request would be ruinous
    _random_catalogue(9)
    expected = live_products_filtered(filters=ProductFilters(in_stock=True)).count()
    monkeypatch.setattr(list_index, "redis_breaker_open", lambda: True)
    assert list_index.list_index_get() is None
    assert product_facets(filters=ProductFilters(in_stock=True)).total == expected


def test_prices_in_the_engine_are_exact_decimals():
    clothing = clothing_type()
    product = ProductFactory(slug="cheap", product_type=clothing, base_price=Decimal("0.10"))
    ProductVariantFactory(product=product, price=Decimal("0.20"), stock_on_hand=1)
    ProductVariantFactory(product=product, price=None, stock_on_hand=1)
    facets = product_facets(filters=ProductFilters())
    assert (facets.price_min, facets.price_max) == (Decimal("0.10"), Decimal("0.20"))
    assert product_list_page(filters=ProductFilters(price_min=Decimal("0.15")), ordering="price", offset=0, limit=5).count == 1
