"""Catalogue import and export in the Wagtail admin: upload, a progress bar, the report, downloads."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from .export import catalog_export
from .fileformat import FileFormatError, detect_format
from .models import CatalogImport
from .services import catalog_import_progress, catalog_import_report_csv, catalog_import_start

PERMISSION = "imports.run_catalogimport"
CONTENT_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _check(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV or XLSX, one row per variant, in the export's format")
    dry_run = forms.BooleanField(required=False, initial=True, label="Dry run: only check the file, write nothing")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            detect_format(upload.name)
        except FileFormatError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class ImportIndexView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "imports/index.html"
    page_title = "Catalogue import / export"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        _check(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ImportForm())
        context["imports"] = CatalogImport.objects.all()[:20]
        return context

    def post(self, request, *args, **kwargs):
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        record = catalog_import_start(upload=form.cleaned_data["file"], dry_run=form.cleaned_data["dry_run"],
                                      user=request.user)
        messages.success(request, f"{record.original_name} queued.")
        return redirect("catalog_import:detail", pk=record.pk)


class ImportDetailView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "imports/detail.html"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        _check(request)
        self.record = get_object_or_404(CatalogImport, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return f"Import of {self.record.original_name}"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": reverse("catalog_import:index"), "label": "Import / export"},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        done, total = catalog_import_progress(import_id=self.record.pk)
        result = [(key.replace("_", " ").capitalize(), " ".join(value) if isinstance(value, list) else value)
                  for key, value in (self.record.result or {}).items()]
        context.update(record=self.record, done=done, total=total, errors=self.record.errors[:500], result=result,
                       more_errors=max(len(self.record.errors) - 500, 0),
                       status_url=reverse("catalog_import:status", args=[self.record.pk]))
        return context


def import_status(request, pk):
    _check(request)
    record = get_object_or_404(CatalogImport, pk=pk)
    done, total = catalog_import_progress(import_id=pk)
    return JsonResponse({"status": record.status, "label": record.get_status_display(), "done": done,
                         "total": total, "finished": record.finished, "message": record.message,
                         "errors": len(record.errors)})


def import_report(request, pk):
    _check(request)
    record = get_object_or_404(CatalogImport, pk=pk)
    response = HttpResponse(catalog_import_report_csv(record=record), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="import-{pk}-report.csv"'
    return response


def catalog_export_view(request, fmt):
    _check(request)
    if fmt not in CONTENT_TYPES:
        raise PermissionDenied
    response = HttpResponse(catalog_export(fmt=fmt), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="catalogue.{fmt}"'
    return response


urlpatterns = [
    path("", ImportIndexView.as_view(), name="index"),
    path("<int:pk>/", ImportDetailView.as_view(), name="detail"),
    path("<int:pk>/status/", import_status, name="status"),
    path("<int:pk>/report.csv", import_report, name="report"),
    path("export.<str:fmt>", catalog_export_view, name="export"),
]
