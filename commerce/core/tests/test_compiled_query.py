"""CompiledQuery: an ORM query compiled once, then run with new values, must answer like the ORM."""

import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.cart.models import Cart
from commerce.catalog.models import ProductVariant
from commerce.catalog.tests.factories import ProductFactory, ProductVariantFactory
from commerce.core.compiled_query import CompiledQuery

pytestmark = pytest.mark.django_db


def variants_by_ids(ids):
    return ProductVariant.objects.filter(pk__in=ids).order_by("pk").values_list("pk", "sku", "price", "product__name")


@pytest.fixture
def variants():
    product = ProductFactory(name="Tee")
    return [ProductVariantFactory(product=product, sku=f"TEE-{i}", price=Decimal(f"{i}.50")) for i in range(4)]


def test_rows_match_the_orm_for_every_set_of_values(variants):
    query = CompiledQuery(variants_by_ids)
    for ids in ([variants[0].pk], [variants[1].pk, variants[3].pk], [v.pk for v in variants], [variants[2].pk]):
        assert query.rows(ids=ids) == [list(row) for row in variants_by_ids(ids)]


def test_decimals_come_back_as_decimals_with_their_places(variants):
    rows = CompiledQuery(variants_by_ids).rows(ids=[variants[1].pk])
    assert rows[0][2] == Decimal("1.50") and isinstance(rows[0][2], Decimal)


def test_compiles_once_per_list_length_then_runs_one_statement(variants):
    query = CompiledQuery(variants_by_ids)
    query.rows(ids=[variants[0].pk])  # compiles
    with CaptureQueriesContext(connection) as captured:
        assert [row[1] for row in query.rows(ids=[variants[3].pk])] == ["TEE-3"]
    assert len(captured) == 1
    assert str(variants[3].pk) in captured[0]["sql"]  # the new value, not the stand-in


def test_unknown_values_find_nothing(variants):
    assert CompiledQuery(variants_by_ids).rows(ids=[10**9]) == []


def test_uuid_values_work_on_every_database():
    """SQLite stores UUIDs as hex, so the stand-in is not found as given: that shape falls back to the
    ORM instead of running SQL with a wrong value."""
    cart = Cart.objects.create()
    query = CompiledQuery(lambda token: Cart.objects.filter(token=token).values_list("pk"))
    assert query.rows(token=cart.token) == [[cart.pk]]
    assert query.rows(token=uuid.uuid4()) == []


def test_values_list_must_select_plain_fields_in_order():
    query = CompiledQuery(lambda pk: ProductVariant.objects.filter(pk=pk))  # not values_list
    with pytest.raises(ValueError):
        query.rows(pk=1)
