"""Catalogue import runs: record the upload, run it (Celery), report progress and the result."""

import csv
import io
import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .engine import catalog_import_apply, catalog_import_plan
from .fileformat import FileFormatError, detect_format
from .models import CatalogImport

logger = logging.getLogger(__name__)


def _progress_key(import_id: int) -> str:
    return f"catalog-import:{import_id}:progress"


def catalog_import_progress(*, import_id: int) -> tuple[int, int]:
    """(done, total) as the running task last reported it; kept in the cache, since the import's own
    writes stay invisible to other connections until its transaction commits."""
    return cache.get(_progress_key(import_id)) or (0, 0)


def catalog_import_start(*, upload, dry_run: bool, user=None) -> CatalogImport:
    """Save the uploaded file and queue its import after commit. Raises FileFormatError for a bad name."""
    fmt = detect_format(upload.name)
    record = CatalogImport.objects.create(file=upload, original_name=upload.name[:255], format=fmt, dry_run=dry_run,
                                          created_by=user if getattr(user, "is_authenticated", False) else None)
    from .tasks import catalog_import_run

    transaction.on_commit(lambda: catalog_import_run.delay(record.pk), robust=True)
    return record


def catalog_import_execute(*, import_id: int) -> CatalogImport:
    """Check the file; unless it is a dry run or has problems, import it. Every outcome is recorded."""
    record = CatalogImport.objects.get(pk=import_id)
    CatalogImport.objects.filter(pk=import_id).update(status=CatalogImport.Status.RUNNING)

    def progress(phase_offset):
        def report(done, total):
            cache.set(_progress_key(import_id), (phase_offset * total + done, 2 * total), timeout=3600)
        return report

    try:
        with record.file.open("rb") as fileobj:
            plan = catalog_import_plan(fileobj, fmt=record.format, progress=progress(0))
        fields = {"total_rows": plan.rows, "errors": [e.as_dict() for e in plan.errors]}
        if plan.errors:
            fields.update(status=CatalogImport.Status.REFUSED,
                          message=f"{len(plan.errors)} problem(s) found; nothing was written.")
        elif record.dry_run:
            fields.update(status=CatalogImport.Status.CHECKED, message="No problems found. Nothing was written.",
                          result={"products": len(plan.products), "variants": len(plan.variants),
                                  "new_categories": sorted(plan.new_categories)})
        else:
            result = catalog_import_apply(plan, progress=progress(1))
            fields.update(status=CatalogImport.Status.DONE, result=result.as_dict(), message="Imported.")
    except (FileFormatError, ValueError) as exc:
        fields = {"status": CatalogImport.Status.FAILED, "message": str(exc)}
    except Exception as exc:  # recorded for the manager; the traceback goes to the log
        logger.exception("catalog import %s failed", import_id)
        fields = {"status": CatalogImport.Status.FAILED, "message": f"{type(exc).__name__}: {exc}"}
    fields["finished_at"] = timezone.now()
    CatalogImport.objects.filter(pk=import_id).update(**fields)
    total = fields.get("total_rows", 0)
    cache.set(_progress_key(import_id), (2 * total, 2 * total), timeout=3600)
    record.refresh_from_db()
    return record


def catalog_import_report_csv(*, record: CatalogImport) -> bytes:
    """The downloadable report: the outcome, then one line per problem (row, column, message)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["file", record.original_name])
    writer.writerow(["status", record.get_status_display()])
    writer.writerow(["rows", record.total_rows])
    writer.writerow(["message", record.message])
    for key, value in (record.result or {}).items():
        writer.writerow([key, value if not isinstance(value, list) else " ".join(value)])
    writer.writerow([])
    writer.writerow(["row", "column", "problem"])
    for error in record.errors:
        writer.writerow([error["row"], error["column"], error["message"]])
    return out.getvalue().encode("utf-8")
