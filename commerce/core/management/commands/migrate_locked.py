"""`migrate` behind a PostgreSQL advisory lock: the release step, safe when two run at once.

The second job waits for the first and then finds nothing to do, instead of both creating the same
tables (the `pg_type` IntegrityError of two hosts migrating together). Run it against PostgreSQL
directly, not through PgBouncer in transaction mode: a session lock needs one server session.
"""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

# any fixed 64-bit number; ours is "cartwheel" read as bytes, so no other tool's lock collides with it
MIGRATE_LOCK_KEY = int.from_bytes(b"cartwhel", "big") & 0x7FFF_FFFF_FFFF_FFFF


class Command(BaseCommand):
    help = "Apply migrations under a PostgreSQL advisory lock (one release job at a time)."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")
        parser.add_argument("--lock-timeout", type=float, default=600.0,
                            help="seconds to wait for another migrate job before giving up")

    def handle(self, *args, database, lock_timeout, verbosity, **options):
        if connections[database].vendor != "postgresql":
            call_command("migrate", database=database, interactive=False, verbosity=verbosity)
            return
        # the lock lives on a connection of its own, so nothing migrate does to the default
        # connection (closing it, a failed transaction) can drop the lock early
        lock_connection = connections.create_connection(database)
        try:
            self._migrate_under_lock(lock_connection, database, lock_timeout, verbosity)
        finally:
            lock_connection.close()  # also releases the lock if anything above failed

    def _migrate_under_lock(self, connection, database, lock_timeout, verbosity):
        deadline = time.monotonic() + lock_timeout
        waited = False
        with connection.cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
                if cursor.fetchone()[0]:
                    break
                if not waited:
                    self.stdout.write("migrate_locked: another migrate job holds the lock; waiting")
                    waited = True
                if time.monotonic() > deadline:
                    raise CommandError(f"migrate_locked: lock not granted within {lock_timeout:.0f} s")
                time.sleep(0.5)
        try:
            call_command("migrate", database=database, interactive=False, verbosity=verbosity)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])
        self.stdout.write(self.style.SUCCESS("migrate_locked: database is up to date"))
