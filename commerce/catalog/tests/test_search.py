"""Ranked product search through Wagtail's search backend (GET /api/v1/products/?q=...)."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from commerce.catalog.models import AttributeValue
from commerce.catalog.selectors import product_search_ids
from commerce.catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory, clothing_type

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.postgres  # ranking and stemming need PostgreSQL (conftest skips elsewhere)


@pytest.fixture
def shop(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        clothing = clothing_type()
        coffee = CategoryFactory(name="Coffee", slug="coffee")
        tees = CategoryFactory(name="T-shirts", slug="t-shirts")
        ProductFactory(name="Espresso Blend", slug="espresso-blend", category=coffee, description="<p>Dark roast</p>")
        ProductFactory(
            name="Moka Pot", slug="moka-pot", category=None,
            description="<p>Brews a strong espresso on the stove, like a bar espresso</p>",
        )
        crew = ProductFactory(name="Plain Crew", slug="plain-crew", category=tees, product_type=clothing,
                              base_price=Decimal("12.00"))
        variant = ProductVariantFactory(product=crew, sku="CREW-S-BLACK")
        variant.attribute_values.set(AttributeValue.objects.filter(slug__in=["s", "black"]))
    return {"coffee": coffee, "tees": tees, "crew": crew}


def _slugs(q, **params):
    response = APIClient().get("/api/v1/products/", {"q": q, **params})
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@on_postgres
def test_search_ranks_a_name_match_above_a_description_match(shop):
    assert _slugs("espresso") == ["espresso-blend", "moka-pot"]
    # an explicit ordering still wins over relevance
    assert _slugs("espresso", ordering="-created") == ["moka-pot", "espresso-blend"]


def test_search_finds_products_by_category_name(shop):
    assert _slugs("coffee") == ["espresso-blend"]
    assert "plain-crew" in _slugs("T-shirts")


def test_search_finds_products_by_variant_attribute_words(shop):
    assert _slugs("black") == ["plain-crew"]


@on_postgres
def test_search_stems_words(shop):
    assert _slugs("shirt") == ["plain-crew"]  # the category is "T-shirts"
    assert _slugs("brewing") == ["moka-pot"]


def test_search_index_follows_category_and_variant_changes(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        shop["coffee"].name = "Kaffee"
        shop["coffee"].save()
        variant = ProductVariantFactory(product=shop["crew"], sku="CREW-M-RED")
        variant.attribute_values.set(AttributeValue.objects.filter(slug__in=["m", "red"]))
    assert _slugs("Kaffee") == ["espresso-blend"]
    assert _slugs("red") == ["plain-crew"]


def test_search_leaves_out_drafts(shop, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ProductFactory(name="Espresso Cups", slug="espresso-cups", live=False)
    assert "espresso-cups" not in _slugs("espresso")
    assert shop["crew"].pk not in product_search_ids(query="espresso")


def test_search_combines_with_filters_and_facets(shop):
    response = APIClient().get("/api/v1/products/", {"q": "black", "size": "s", "facets": "true"})
    body = response.json()
    assert [item["slug"] for item in body["results"]] == ["plain-crew"]
    assert body["facets"]["total"] == 1




@on_postgres
def test_search_ids_fast_path_equals_the_backends_own_ranking(shop):
    """The PostgreSQL path asks the backend for ids only; it must rank exactly like the object path."""
    from wagtail.search.backends import get_search_backend

    from commerce.catalog.models import Product

    backend = get_search_backend()
    for query in ("espresso", "black tee", "coffee", "crew"):
        objects = backend.search(query, Product.objects.filter(live=True).only("id"), order_by_relevance=True)[:1000]
        assert product_search_ids(query=query) == tuple(dict.fromkeys(p.pk for p in objects)), query
