"""Facets and per-variant matching, checked against a brute-force reading of a randomised catalogue."""

import random
from dataclasses import replace
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.catalog.facets import product_facets
from commerce.catalog.models import (
    Attribute,
    AttributeValue,
    Product,
    ProductAttributeValue,
    ProductTypeAttribute,
    ProductVariant,
)
from commerce.catalog.selectors import ProductFilters, live_products_filtered, product_list_page
from commerce.catalog.tests.factories import (
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
    clothing_type,
)

pytestmark = pytest.mark.django_db

PRICES = [Decimal("5.00"), Decimal("9.99"), Decimal("12.50"), Decimal("20.00"), Decimal("35.00")]


def _random_catalogue(seed: int) -> None:
    """Clothing (size and colour make variants, brand describes the product) and mugs (colour
    describes the product), with drafts, inactive and sold-out variants, allocated stock, variant
    prices and products without variants."""
    rng = random.Random(seed)
    clothing = clothing_type()
    brand = AttributeFactory(name="Brand", slug="brand", sort_order=3)
    for i, name in enumerate(["Acme", "Zeta"]):
        AttributeValue.objects.create(attribute=brand, slug=name.lower(), name=name, code=name.upper(), sort_order=i)
    ProductTypeAttribute.objects.create(product_type=clothing, attribute=brand, role="product", sort_order=3)
    mugs = ProductTypeFactory(slug="mugs")
    color = Attribute.objects.get(slug="color")
    ProductTypeAttribute.objects.create(product_type=mugs, attribute=color, role="product")
    categories = [CategoryFactory(slug="a"), CategoryFactory(slug="b")]
    sizes = list(AttributeValue.objects.filter(attribute__slug="size"))
    colors = list(AttributeValue.objects.filter(attribute__slug="color"))
    brands = list(AttributeValue.objects.filter(attribute__slug="brand"))
    for n in range(30):
        is_clothing = rng.random() < 0.7
        product = ProductFactory(
            name=f"Item {n}",
            slug=f"item-{n}",
            product_type=clothing if is_clothing else mugs,
            category=rng.choice([*categories, None]),
            base_price=rng.choice(PRICES),
            live=rng.random() < 0.9,
        )
        own = rng.sample(brands, rng.randint(0, 1)) if is_clothing else rng.sample(colors, rng.randint(0, 2))
        for value in own:
            ProductAttributeValue.objects.create(product=product, attribute=value.attribute, value=value)
        if rng.random() < 0.2:
            continue  # no variants at all
        combos = [(s, c) for s in sizes for c in colors] if is_clothing else [(None, None)]
        for k, (size, colour) in enumerate(rng.sample(combos, rng.randint(1, min(4, len(combos))))):
            on_hand = rng.choice([0, 0, 1, 3])
            variant = ProductVariantFactory(
                product=product,
                sku=f"I{n}-{k}",
                price=rng.choice([None, None, *PRICES]),
                stock_on_hand=on_hand,
                stock_allocated=rng.randint(0, on_hand),
                is_active=rng.random() < 0.85,
            )
            variant.attribute_values.set([v for v in (size, colour) if v])


class BruteForce:
    """The filters' meaning, read off plain Python objects one product at a time."""

    def __init__(self):
        self.products = list(Product.objects.filter(live=True).prefetch_related("attribute_values"))
        self.own = {p.id: {pav.value_id for pav in p.attribute_values.all() if pav.value_id} for p in self.products}
        self.variants = {p.id: [] for p in self.products}
        for v in ProductVariant.objects.filter(is_active=True).prefetch_related("attribute_values"):
            if v.product_id in self.variants:
                self.variants[v.product_id].append(v)
        self.values = {v.id: v.attribute_id for v in AttributeValue.objects.all()}

    def _variant_ok(self, product, variant, filters: ProductFilters, *, prices=True) -> bool:
        for value_ids in filters.attribute_value_ids:
            has = self.own[product.id] | {av.id for av in variant.attribute_values.all()}
            if not has & set(value_ids):
                return False
        if filters.in_stock is True and variant.stock_on_hand - variant.stock_allocated <= 0:
            return False
        price = variant.price if variant.price is not None else product.base_price
        if prices and filters.price_min is not None and price < filters.price_min:
            return False
        return not (prices and filters.price_max is not None and price > filters.price_max)

    def matches(self, product, filters: ProductFilters) -> bool:
        if filters.category_ids is not None and product.category_id not in filters.category_ids:
            return False
        if filters.product_type_id is not None and product.product_type_id != filters.product_type_id:
            return False
        variants = self.variants[product.id]
        if filters.in_stock is False and any(v.stock_on_hand > v.stock_allocated for v in variants):
            return False
        if variants:
            return any(self._variant_ok(product, v, filters) for v in variants)
        if filters.in_stock is True:
            return False
        if any(not self.own[product.id] & set(ids) for ids in filters.attribute_value_ids):
            return False
        low, high = filters.price_min, filters.price_max
        return (low is None or product.base_price >= low) and (high is None or product.base_price <= high)

    def count(self, filters: ProductFilters) -> int:
        return sum(self.matches(p, filters) for p in self.products)

    def value_count(self, filters: ProductFilters, value_id: int) -> int:
        attribute_id = self.values[value_id]
        others = tuple(ids for ids in filters.attribute_value_ids if self.values[ids[0]] != attribute_id)
        return self.count(replace(filters, attribute_value_ids=(*others, (value_id,))))

    def price_range(self, filters: ProductFilters):
        unpriced = replace(filters, price_min=None, price_max=None)
        prices = []
        for p in self.products:
            if not self.matches(p, unpriced):
                continue
            variants = [v for v in self.variants[p.id] if self._variant_ok(p, v, unpriced)]
            prices += [v.price if v.price is not None else p.base_price for v in variants] or [p.base_price]
        return (min(prices), max(prices)) if prices else (None, None)


@st.composite
def filter_sets(draw):
    by_attribute = {}
    for value in AttributeValue.objects.order_by("id"):
        by_attribute.setdefault(value.attribute_id, []).append(value.id)
    chosen = []
    for value_ids in by_attribute.values():
        if draw(st.booleans()):
            chosen.append(tuple(sorted(draw(st.sets(st.sampled_from(value_ids), min_size=1)))))
    categories = draw(st.sampled_from([None, "a", "b"]))
    low = draw(st.sampled_from([None, *PRICES]))
    high = draw(st.sampled_from([None, *PRICES]))
    return ProductFilters(
        category_ids=None if categories is None else [c.id for c in _categories() if c.slug == categories],
        in_stock=draw(st.sampled_from([None, True, False])),
        price_min=low,
        price_max=high if high is None or low is None or high >= low else low,
        attribute_value_ids=tuple(chosen),
    )


def _categories():
    from commerce.catalog.models import Category

    return list(Category.objects.all())


@pytest.mark.parametrize("seed", [1, 2])
def test_facet_counts_equal_brute_force_counts_on_a_random_catalogue(seed):
    _random_catalogue(seed)
    brute = BruteForce()

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(filters=filter_sets())
    def check(filters):
        facets = product_facets(filters=filters)
        assert facets.total == brute.count(filters) == live_products_filtered(filters=filters).count()
        assert facets.in_stock_count == brute.count(replace(filters, in_stock=True))
        assert (facets.price_min, facets.price_max) == brute.price_range(filters)
        shown = {}
        for attribute in facets.attributes:
            for value in attribute.values:
                value_id = AttributeValue.objects.get(attribute__slug=attribute.slug, slug=value.slug).id
                shown[value_id] = value
                assert value.count == brute.value_count(filters, value_id), (attribute.slug, value.slug)
                assert value.selected == any(value_id in ids for ids in filters.attribute_value_ids)
        for value_id, attribute_id in brute.values.items():
            if value_id not in shown and Attribute.objects.get(id=attribute_id).filterable:
                assert brute.value_count(filters, value_id) == 0  # only empty values are left out

    check()


def test_list_matches_size_colour_and_stock_on_one_variant():
    clothing = clothing_type()
    value = {v.slug: v for v in AttributeValue.objects.all()}
    hoodie = ProductFactory(slug="hoodie", product_type=clothing)
    sold_out = ProductVariantFactory(product=hoodie, stock_on_hand=0)
    sold_out.attribute_values.set([value["s"], value["black"]])
    other = ProductVariantFactory(product=hoodie, stock_on_hand=5)  # in stock, but M / black and S / red
    other.attribute_values.set([value["m"], value["black"]])
    ProductVariantFactory(product=hoodie, stock_on_hand=5).attribute_values.set([value["s"], value["red"]])
    tee = ProductFactory(slug="tee", product_type=clothing)
    ProductVariantFactory(product=tee, stock_on_hand=2).attribute_values.set([value["s"], value["black"]])

    filters = ProductFilters(in_stock=True, attribute_value_ids=((value["s"].id,), (value["black"].id,)))
    page = product_list_page(filters=filters, ordering="name", offset=0, limit=20)
    assert [row["slug"] for row in page.rows] == ["tee"]
    assert page.count == 1
    # without the stock filter the sold-out S / black variant still makes the hoodie a match
    assert live_products_filtered(filters=replace(filters, in_stock=None)).count() == 2


def test_facets_cost_two_queries_when_warm():
    _random_catalogue(3)
    size_s = AttributeValue.objects.get(attribute__slug="size", slug="s")
    filters = ProductFilters(in_stock=True, attribute_value_ids=((size_s.id,),))
    product_facets(filters=filters)  # warms the facet index
    with CaptureQueriesContext(connection) as ctx:
        product_facets(filters=filters)
    assert len(ctx.captured_queries) <= 2
