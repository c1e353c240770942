"""One backup of the database and the media to the backup bucket, then retention (see
commerce/core/backups.py). Run by the backup CronJob / compose service; `--loop` for compose."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from commerce.core.backups import BackupError, backup_create


class Command(BaseCommand):
    help = "Dump the database and copy the media to BACKUP_BUCKET, then prune old backups."

    def add_arguments(self, parser):
        parser.add_argument("--loop", type=int, default=0, metavar="SECONDS",
                            help="repeat every SECONDS (the compose backup service); 0: once")

    def handle(self, *args, loop, **options):
        while True:
            try:
                metadata = backup_create()
            except BackupError as exc:
                if not loop:
                    raise CommandError(str(exc)) from exc
                self.stderr.write(f"backup failed: {exc}")
            else:
                summary = {k: metadata[k] for k in ("stamp", "dump_bytes", "media_files", "pruned")}
                summary["rows"] = sum(metadata["counts"].values())
                self.stdout.write(json.dumps(summary))
            if not loop:
                return
            time.sleep(loop)
