"""Indexes for the SQL the PostgreSQL search backend writes for a product search (PostgreSQL only).

Wagtail's database backend (modelsearch) matches with `(title || body) @@ tsquery` on its index entry
table, but only `title` and `body` have GIN indexes, so every search computed the concatenation for
every index entry and tested it: a sequential scan, whatever the words. A GIN index on that exact
expression lets PostgreSQL read only the matching entries (and gives the planner statistics for it):
on the 10,000-product catalogue "red" (1,667 matches) went from 6.3 to 2.3 ms, "tee 00042" (one
match) from 4.5 to 1.0 ms.

The backend joins its entries to products on `object_id = product.id::varchar(50)` (its object ids are
text); an index on that expression lets a search with few matches look its products up instead of
casting and hashing the id of every product ("tee 00042": 1.0 to 0.03 ms).

Both follow the backend's SQL: should a later modelsearch write the expressions differently, the
indexes go unused (not wrong); commerce/catalog/tests/test_search_indexes.py checks that the planner
uses them.
"""

from django.db import migrations

TITLE_BODY_INDEX = "catalog_search_entry_title_body_gin"
PRODUCT_TEXT_ID_INDEX = "catalog_product_id_text_idx"


def _tables(apps) -> tuple[str, str]:
    return (
        apps.get_model("wagtailsearch", "IndexEntry")._meta.db_table,
        apps.get_model("catalog", "Product")._meta.db_table,
    )


def search_indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    entries, products = (schema_editor.quote_name(table) for table in _tables(apps))
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {TITLE_BODY_INDEX} ON {entries} USING gin ((title || body))")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {PRODUCT_TEXT_ID_INDEX} ON {products} ((id::varchar(50)))")
    # planner statistics for the new expressions now, not at the next autovacuum
    schema_editor.execute(f"ANALYZE {entries}")
    schema_editor.execute(f"ANALYZE {products}")


def search_indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TITLE_BODY_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {PRODUCT_TEXT_ID_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0004_postgresql_jit_off"),
        ("wagtailsearch", "0010_add_text_fields"),
    ]

    operations = [migrations.RunPython(search_indexes_create, search_indexes_drop)]
