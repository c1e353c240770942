"""Wagtail's API v2 for pages, images and documents, mounted at /api/v1/cms/.

Public and read-only: the page endpoint serves live, public pages only. These endpoints are left out
of the shop's OpenAPI schema (api.schema.exclude_wagtail_endpoints): they are Wagtail's contract.
"""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

api_router = WagtailAPIRouter("wagtailapi")
api_router.register_endpoint("pages", PagesAPIViewSet)
api_router.register_endpoint("images", ImagesAPIViewSet)
api_router.register_endpoint("documents", DocumentsAPIViewSet)
