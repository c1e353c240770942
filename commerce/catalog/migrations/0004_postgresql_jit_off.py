"""Turn PostgreSQL's JIT compiler off for the shop's database.

The facet and list queries are short (tens to a few hundred milliseconds on 10,000 products) but the
planner's cost estimates for their correlated subqueries are high, which is what triggers JIT: on the
catalogue benchmark a `/shop/?size=m` listing spent about 4 s per request compiling 205 functions for
queries that run in 0.3 s without it. JIT pays off for long analytical queries, which the shop does
not run. The setting is made on the database (not per connection) so that it also holds behind
PgBouncer, which does not pass connection options through.

ALTER DATABASE needs the database's owner. Where the migration's role is not (a managed database
with a separate migration user), it says so and goes on: run the printed statement as the owner.
"""

import sys

from django.db import DatabaseError, migrations, transaction


def _alter_database(schema_editor, setting: str) -> None:
    """ALTER DATABASE <this database> <setting>, in a savepoint; a refusal is reported, not raised."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
        statement = 'ALTER DATABASE "{}" {}'.format(name.replace('"', '""'), setting)
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute(statement)
        except DatabaseError as exc:
            sys.stderr.write(f"\n  could not change the database ({exc}); run as its owner: {statement};\n")


def jit_off(apps, schema_editor):
    _alter_database(schema_editor, "SET jit = off")


def jit_default(apps, schema_editor):
    _alter_database(schema_editor, "RESET jit")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_merge_20261201_1304")]

    operations = [migrations.RunPython(jit_off, jit_default)]
