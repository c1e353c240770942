"""Restore the latest backup into a scratch database and media prefix and check its invariants;
exits non-zero on any problem (`make restore-drill`)."""

import json

from django.core.management.base import BaseCommand, CommandError

from commerce.core.backups import BackupError, restore_drill


class Command(BaseCommand):
    help = "Restore the latest backup into a scratch database + media prefix and check the invariants."

    def add_arguments(self, parser):
        parser.add_argument("--scratch-db", default=None, help="default: <database>_restore_drill")
        parser.add_argument("--stamp", default=None, help="a backup stamp; default: the latest")
        parser.add_argument("--keep", action="store_true", help="leave the scratch database and media")

    def handle(self, *args, scratch_db, stamp, keep, **options):
        try:
            report = restore_drill(scratch_db=scratch_db, stamp=stamp, keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        key_tables = ("orders_order", "orders_orderline", "catalog_product", "catalog_productvariant",
                      "accounts_user", "wagtailimages_image")
        summary = {
            "stamp": report.stamp, "scratch_db": report.database, "tables": report.tables,
            "rows": report.rows, "media_files": report.media_files,
            "files_referenced": report.files_referenced,
            "counts": {t: report.counts[t] for t in key_tables if t in report.counts},
        }
        self.stdout.write(json.dumps(summary))
        if not report.ok:
            raise CommandError("restore drill FAILED:\n  " + "\n  ".join(report.problems[:50]))
        self.stdout.write(self.style.SUCCESS("restore drill passed"))
