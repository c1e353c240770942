"""GET /api/v1/categories/: the whole active tree, nested."""

import pytest
from rest_framework.test import APIClient

from commerce.catalog.tests.factories import CategoryFactory

URL = "/api/v1/categories/"


@pytest.mark.django_db
def test_category_tree_nests_children_in_order():
    clothing = CategoryFactory(name="Clothing", slug="clothing", sort_order=1)
    CategoryFactory(name="Shirts", slug="shirts", parent=clothing, sort_order=2)
    tees = CategoryFactory(name="Tees", slug="tees", parent=clothing, sort_order=1)
    CategoryFactory(name="V-neck", slug="v-neck", parent=tees)
    CategoryFactory(name="Books", slug="books", sort_order=0)

    response = APIClient().get(URL)

    assert response.status_code == 200
    tree = response.json()
    assert [node["slug"] for node in tree] == ["books", "clothing"]
    clothing_node = tree[1]
    assert set(clothing_node) == {"id", "name", "slug", "description", "children"}
    assert [c["slug"] for c in clothing_node["children"]] == ["tees", "shirts"]
    assert clothing_node["children"][0]["children"][0]["slug"] == "v-neck"
    assert clothing_node["children"][0]["children"][0]["children"] == []


@pytest.mark.django_db
def test_category_tree_hides_inactive_branches_and_sees_changes():
    root = CategoryFactory(name="Root", slug="root")
    hidden = CategoryFactory(name="Hidden", slug="hidden", parent=root, is_active=False)
    CategoryFactory(name="Under hidden", slug="under-hidden", parent=hidden)
    client = APIClient()
    assert client.get(URL).json()[0]["children"] == []

    hidden.is_active = True
    hidden.save()  # post_save bumps the catalogue cache: the cached tree is rebuilt

    assert client.get(URL).json()[0]["children"][0]["children"][0]["slug"] == "under-hidden"


@pytest.mark.django_db
def test_category_tree_costs_no_query_when_warm(django_assert_num_queries):
    CategoryFactory(name="Root", slug="root")
    client = APIClient()
    client.get(URL)
    with django_assert_num_queries(0):
        assert client.get(URL).status_code == 200
