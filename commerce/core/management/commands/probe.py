"""Exit 0 when this process's dependencies answer, 1 otherwise: the healthcheck of roles with no HTTP
port (Celery worker and beat), the same checks as /readyz."""

from django.core.management.base import BaseCommand, CommandError

from commerce.core.health import READINESS_CHECKS


class Command(BaseCommand):
    help = "Check the database, Redis and the broker (and, with --migrations, unapplied migrations)."

    def add_arguments(self, parser):
        parser.add_argument("--migrations", action="store_true", help="also fail on unapplied migrations")

    def handle(self, *args, migrations, **options):
        failures = []
        for name, check in READINESS_CHECKS.items():
            if name == "migrations" and not migrations:
                continue
            try:
                check()
            except Exception as exc:  # noqa: BLE001 - reported by name
                failures.append(f"{name}: {type(exc).__name__}: {exc}")
        if failures:
            raise CommandError("; ".join(failures))
        self.stdout.write("ok")
