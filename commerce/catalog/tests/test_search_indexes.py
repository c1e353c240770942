"""The search indexes of catalog migration 0005 and the id-only search query that uses them."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.catalog.models import Product
from commerce.catalog.selectors import product_search_ids
from commerce.catalog.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.postgres  # the indexes and full-text ranking are PostgreSQL's (conftest skips elsewhere)

search_indexes = importlib.import_module("commerce.catalog.migrations.0005_search_indexes")
INDEXES = {search_indexes.TITLE_BODY_INDEX, search_indexes.PRODUCT_TEXT_ID_INDEX}


@pytest.fixture
def products(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the search index is written on commit
        kitchen = CategoryFactory(name="Kitchen", slug="kitchen")
        by_name = ProductFactory(name="Kettle", slug="kettle", category=kitchen, description="<p>Steel</p>")
        by_description = ProductFactory(
            name="Teapot", slug="teapot", category=kitchen, description="<p>Pairs well with a kettle</p>"
        )
        ProductFactory(name="Mug", slug="mug", category=kitchen, description="<p>Stoneware</p>")
    return {"by_name": by_name, "by_description": by_description}


def _existing_indexes() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [sorted(INDEXES)])
        return {row[0] for row in cursor.fetchall()}


def _search_sql(query: str) -> str:
    with CaptureQueriesContext(connection) as queries:
        product_search_ids(query=query)
    (captured,) = queries.captured_queries
    return captured["sql"]


@on_postgres
def test_search_indexes_exist_and_are_reversible():
    assert _existing_indexes() == INDEXES
    with connection.schema_editor() as editor:  # DDL is transactional on PostgreSQL: the test rolls it back
        search_indexes.search_indexes_drop(apps, editor)
    assert _existing_indexes() == set()
    with connection.schema_editor() as editor:
        search_indexes.search_indexes_create(apps, editor)
    assert _existing_indexes() == INDEXES


@on_postgres
def test_search_query_uses_the_title_body_index_and_selects_only_ids(products):
    """The GIN index matches the expression the backend writes (a changed modelsearch would skip it)."""
    sql = _search_sql("kettle")
    select_list = sql.split(" FROM ", 1)[0]
    assert select_list == 'SELECT "catalog_product"."id" AS "pk"'  # no tsvector per row
    with connection.cursor() as cursor:
        # a catalogue's worth of other entries, so that the planner has a choice (rolled back after the test)
        cursor.execute(
            "INSERT INTO wagtailsearch_indexentry"
            " (content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text)"
            " SELECT %s, 'filler-' || n, ''::tsvector, ''::tsvector, to_tsvector('english', 'filler ' || n),"
            " 1.0, '', '' FROM generate_series(1, 5000) AS n",
            [ContentType.objects.get_for_model(Product).pk],
        )
        cursor.execute("ANALYZE wagtailsearch_indexentry")
        # with three products the planner would rather look each one's entry up than search the entries
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert search_indexes.TITLE_BODY_INDEX in plan, plan


@on_postgres
def test_search_ids_rank_a_name_match_above_a_description_match(products):
    expected = (products["by_name"].pk, products["by_description"].pk)
    assert product_search_ids(query="kettle") == expected
    assert product_search_ids(query="kettles") == expected  # stemmed
    assert product_search_ids(query="kettle", limit=1) == expected[:1]


def test_search_of_nothing_finds_nothing(products):
    assert product_search_ids(query="") == ()  # the backend answers without a query (callers strip `q`)
