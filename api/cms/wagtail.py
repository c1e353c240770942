"""Wagtail's API v2 for pages, images and documents, mounted at /api/v1/cms/.

Public and read-only: the page endpoint serves live, public pages only. These endpoints are left out
of the shop's OpenAPI schema (api.schema.exclude_wagtail_endpoints): they are Wagtail's contract,
except for errors, which answer the API's one error document (`{"error": {"code", "message"}}`)
instead of Wagtail's `{"message": ...}`.
"""

from rest_framework.views import APIView
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from commerce.core.errors import ApplicationError
from commerce.core.validation import INT64_MAX, integer_query_problem


class ShopErrorsMixin:
    """The shop's error document for Wagtail's endpoints, and its integer rule for their filters:
    Wagtail reads a field filter such as `?id=` or `?width=` with int(), which takes "١٢" as 12."""

    def check_query_parameters(self, queryset):
        for name, value in self.request.GET.items():
            problem = integer_query_problem(value, INT64_MAX)
            if problem is not None:
                raise BadRequestError(f"{name}: {problem}")
        super().check_query_parameters(queryset)

    def handle_exception(self, exc):
        # Wagtail's own handle_exception answers {"message": ...}: skip it for DRF's, which calls
        # the shop's exception handler (api.exceptions), as every other API view does.
        if isinstance(exc, BadRequestError):
            exc = ApplicationError(str(exc), code="bad_request", http_status=400)
        return APIView.handle_exception(self, exc)


class ShopPagesAPIViewSet(ShopErrorsMixin, PagesAPIViewSet):
    pass


class ShopImagesAPIViewSet(ShopErrorsMixin, ImagesAPIViewSet):
    pass


class ShopDocumentsAPIViewSet(ShopErrorsMixin, DocumentsAPIViewSet):
    pass


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", ShopPagesAPIViewSet)
api_router.register_endpoint("images", ShopImagesAPIViewSet)
api_router.register_endpoint("documents", ShopDocumentsAPIViewSet)
