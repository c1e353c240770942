from django.conf import settings
from django.db import models


class CatalogImport(models.Model):
    """One uploaded catalogue file and what became of it: its progress, its problems and its result."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        CHECKED = "checked", "Checked (dry run)"
        DONE = "done", "Imported"
        REFUSED = "refused", "Refused: problems found"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="catalog-imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=4, choices=[("csv", "CSV"), ("xlsx", "XLSX")])
    dry_run = models.BooleanField(default=True, help_text="Only check the file; write nothing")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, column, message}]")
    result = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("run_catalogimport", "Can import and export the catalogue")]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.CHECKED, self.Status.DONE, self.Status.REFUSED, self.Status.FAILED)
