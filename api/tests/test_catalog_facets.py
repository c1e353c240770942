"""GET /api/v1/products/?facets=true: the facets object, its schema and its query cost."""

import jsonschema
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from commerce.catalog.tests.test_api_products import LIST_URL, api, shop  # noqa: F401 fixtures

pytestmark = pytest.mark.django_db


def _json_schema(node):
    """OpenAPI 3.0's `nullable: true` as JSON Schema's `type: [..., "null"]`."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


def _facet(body, slug):
    return {v["slug"]: (v["count"], v["selected"]) for a in body["facets"]["attributes"] if a["slug"] == slug for v in a["values"]}


def test_product_list_with_facets_gives_disjunctive_counts(api, shop):  # noqa: F811
    body = api.get(LIST_URL, {"facets": "true", "size": "m"}).json()
    assert [item["slug"] for item in body["results"]] == ["red-tee"]
    # sizes keep the counts they have without the size filter (blue tee comes only in L)
    assert _facet(body, "size") == {"s": (1, False), "m": (1, True), "l": (2, False)}
    # colours are narrowed by size=m: only the red tee has M variants (red, blue, black)
    assert _facet(body, "color") == {"red": (1, False), "blue": (1, False), "black": (1, False)}
    facets = body["facets"]
    assert facets["total"] == body["count"] == 1
    assert facets["in_stock_count"] == 1  # the M / red tee has 5
    assert (facets["price_min"], facets["price_max"]) == ("20.00", "25.00")


def test_product_list_without_facets_has_no_facets_key(api, shop):  # noqa: F811
    assert "facets" not in api.get(LIST_URL).json()


def test_product_list_facets_bad_value_gives_400(api, shop):  # noqa: F811
    response = api.get(LIST_URL, {"facets": "maybe"})
    assert response.status_code == 400
    assert response.json()["error"]["details"]["facets"]


def test_product_list_facets_add_at_most_two_queries(api, shop):  # noqa: F811
    params = {"size": "m,l", "in_stock": "true", "page_size": 5}
    api.get(LIST_URL, {**params, "page_size": 6, "facets": "true"})  # warms indexes and renditions
    with CaptureQueriesContext(connection) as plain:
        api.get(LIST_URL, params)
    with CaptureQueriesContext(connection) as with_facets:
        api.get(LIST_URL, {**params, "facets": "true"})
    assert len(with_facets) - len(plain) <= 2


def test_product_list_facets_are_documented_in_the_schema(api, shop):  # noqa: F811
    schema = SchemaGenerator().get_schema(request=None, public=True)
    page = schema["components"]["schemas"]["ProductListPage"]
    assert "#/components/schemas/ProductFacets" in str(page["properties"]["facets"])
    assert "facets" not in page.get("required", [])
    names = {p["name"] for p in schema["paths"]["/api/v1/products/"]["get"]["parameters"]}
    assert "facets" in names
    body = api.get(LIST_URL, {"facets": "true", "color": "red"}).json()
    facet_schema = schema["components"]["schemas"]["ProductFacets"]
    assert set(body["facets"]) == set(facet_schema["properties"])
    root = {"$ref": "#/components/schemas/ProductListPage", "components": _json_schema(schema["components"])}
    jsonschema.Draft202012Validator(root).validate(body)
