"""The catalogue's OpenAPI schema and the offline Swagger UI."""

import re

import pytest
import yaml
from django.test import Client


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_schema_documents_catalogue_paths(schema):
    for path in ("/api/v1/products/", "/api/v1/products/{slug}/", "/api/v1/categories/"):
        assert "get" in schema["paths"][path], path


def test_schema_documents_product_list_filters_with_types(schema):
    params = {p["name"]: p for p in schema["paths"]["/api/v1/products/"]["get"]["parameters"]}
    # "" is documented too: an empty optional parameter is the same as an absent one (the default)
    assert set(params["ordering"]["schema"]["enum"]) == {"relevance", "name", "price", "-price", "-created", ""}
    assert params["in_stock"]["schema"]["type"] == "boolean"
    assert params["price_min"]["schema"]["format"] == "decimal"
    assert params["page_size"]["schema"]["type"] == "integer"
    for name in ("category", "product_type", "price_max", "q", "page", "attribute_filters", "facets"):
        assert name in params
    responses = schema["paths"]["/api/v1/products/"]["get"]["responses"]
    assert {"200", "400", "404"} <= set(responses)


def test_schema_sends_money_as_decimal_strings(schema):
    item = schema["components"]["schemas"]["ProductListItem"]["properties"]
    assert item["price_min"]["type"] == "string" and item["price_min"]["format"] == "decimal"
    variant = schema["components"]["schemas"]["ProductVariant"]["properties"]
    assert variant["price"]["type"] == "string"


@pytest.mark.django_db
def test_swagger_ui_is_served_without_a_cdn():
    response = Client().get("/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    external = [url for url in re.findall(r"""(?:src|href)=["']([^"']+)""", html) if url.startswith(("http:", "https:", "//"))]
    assert external == []
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html
