"""`manage.py catalog_import FILE [--dry-run]`: check, then import a catalogue CSV or XLSX, with a progress bar."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from commerce.imports.engine import catalog_import_apply, catalog_import_plan
from commerce.imports.fileformat import FileFormatError, detect_format


class Command(BaseCommand):
    help = "Import products and variants from a CSV or XLSX file (upsert by slug and SKU). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument("--format", choices=["csv", "xlsx"], help="default: from the file name")

    def handle(self, *args, **options):
        path = options["file"]
        try:
            fmt = options["format"] or detect_format(path)
        except FileFormatError as exc:
            raise CommandError(str(exc)) from exc
        started = time.monotonic()
        bar = tqdm(total=0, unit="row", desc="checking", disable=options["verbosity"] == 0)

        def progress(done, total):
            bar.total = total
            bar.n = done
            bar.refresh()

        with open(path, "rb") as fileobj:
            try:
                plan = catalog_import_plan(fileobj, fmt=fmt, progress=progress)
            except FileFormatError as exc:
                raise CommandError(str(exc)) from exc
        if plan.errors:
            bar.close()
            for error in plan.errors:
                self.stderr.write(f"row {error.row}, {error.column}: {error.message}")
            raise CommandError(f"{len(plan.errors)} problem(s) found; nothing was written.")
        if options["dry_run"]:
            bar.close()
            self.stdout.write(f"{plan.rows} rows checked, no problems: {len(plan.products)} products, "
                              f"{len(plan.variants)} variants. Nothing was written (dry run).")
            return
        bar.set_description("importing")
        bar.n = 0
        result = catalog_import_apply(plan, progress=progress)
        bar.close()
        summary = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in result.as_dict().items())
        self.stdout.write(f"Imported {plan.rows} rows in {time.monotonic() - started:.1f} s: {summary}.")
