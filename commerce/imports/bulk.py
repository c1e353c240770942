"""Bulk inserts for the import: PostgreSQL COPY where available, bulk_create elsewhere.

The same model instances go in either way (every field's pre_save and database preparation is
Django's own), so the two paths write the same rows; the import tests run on both databases.
COPY skips the SQL compilation that bulk_create pays per value, which on 50,000 variants was most
of the write time. Primary keys are read back by a unique field afterwards (`key`).
"""

from django.db import connection

BATCH = 2000


def bulk_insert(model, objs: list, *, key: str | None = None) -> None:
    """Insert `objs`; when `key` is given, set each object's pk from the rows just written."""
    if not objs:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    # only quoted model identifiers are interpolated; every value travels in the COPY stream
    sql = f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for obj in objs:
            copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])
    if key is not None:
        by_key = {getattr(obj, key): obj for obj in objs}
        keys = list(by_key)
        for start in range(0, len(keys), BATCH):
            for value, pk in model.objects.filter(**{f"{key}__in": keys[start:start + BATCH]}).values_list(key, "pk"):
                by_key[value].pk = pk
