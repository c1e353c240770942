"""Wagtail's API v2 for pages, images and documents, mounted at /api/v1/cms/.

Public and read-only: the page endpoint serves live, public pages only. These endpoints are left out
of the shop's OpenAPI schema (api.schema.exclude_wagtail_endpoints): they are Wagtail's contract,
except for errors, which answer the API's one error document (`{"error": {"code", "message"}}`)
instead of Wagtail's `{"message": ...}`.
"""

from rest_framework.views import APIView
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import PageHtmlUrlField, PageParentField, PageSerializer, get_serializer_class
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from commerce.core.errors import ApplicationError
from commerce.core.links import storefront_path_url
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


class StorefrontHtmlUrlField(PageHtmlUrlField):
    """A page's `meta.html_url` on the storefront (STOREFRONT_URL), not on the Wagtail site's root URL
    (which is this project's own address): a headless shop on its own domain links to itself."""

    def to_representation(self, page):
        parts = page.get_url_parts()
        return storefront_path_url(parts[2]) if parts else None


class StorefrontPageParentField(PageParentField):
    def to_representation(self, value):
        fields = ["id", "type", "detail_url", "html_url", "title"]
        serializer_class = get_serializer_class(
            value.__class__, fields, meta_fields=["type", "detail_url", "html_url"], base=ShopPageSerializer
        )
        return serializer_class(context=self.context).to_representation(value)


class ShopPageSerializer(PageSerializer):
    html_url = StorefrontHtmlUrlField(read_only=True)
    parent = StorefrontPageParentField(read_only=True)


class ShopPagesAPIViewSet(ShopErrorsMixin, PagesAPIViewSet):
    base_serializer_class = ShopPageSerializer


class ShopImagesAPIViewSet(ShopErrorsMixin, ImagesAPIViewSet):
    pass


class ShopDocumentsAPIViewSet(ShopErrorsMixin, DocumentsAPIViewSet):
    pass


api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", ShopPagesAPIViewSet)
api_router.register_endpoint("images", ShopImagesAPIViewSet)
api_router.register_endpoint("documents", ShopDocumentsAPIViewSet)
