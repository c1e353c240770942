from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.snippets.models import create_extra_permissions

from commerce.accounts.roles import roles_sync


class Command(BaseCommand):
    help = "Create or update the staff roles (Editors, Shop managers, Support) with exactly their permissions."

    @transaction.atomic
    def handle(self, *args, **options):
        for app_config in apps.get_app_configs():
            create_permissions(app_config, verbosity=0)
        create_extra_permissions(apps.get_app_config("wagtailsnippets"))  # Wagtail's publish_<snippet> permissions
        report = roles_sync()
        for role, missing in report.items():
            if missing:
                self.stderr.write(self.style.WARNING(f"{role}: no such permission: {', '.join(missing)}"))
            else:
                self.stdout.write(self.style.SUCCESS(f"{role}: up to date"))
