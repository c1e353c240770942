from pathlib import Path

from django.core.management.base import BaseCommand

from commerce.imports.export import catalog_export
from commerce.imports.fileformat import detect_format


class Command(BaseCommand):
    help = "Export the catalogue in the import format (CSV or XLSX, from the file name)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        path.write_bytes(catalog_export(fmt=detect_format(path.name)))
        self.stdout.write(f"Wrote {path}.")
