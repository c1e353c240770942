"""Catalogue endpoints: product list and detail, category tree.

The catalogue is public and the same for every caller, so these views skip authentication and the list
and the product pages are served from a cache tied to the catalogue version (list pages keyed by the
normalised query; see commerce/catalog/cache.py for the invalidation). Bodies are JSON bytes built
once and stored as such, so a hit costs no serialisation, and no cache round trip either once the
process holds the page in memory for the current version.
"""

import hashlib
import json
from types import SimpleNamespace
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from api.http_caching import public_json_response
from api.pagination import ShopPageNumberPagination, page_out_of_range, page_past_end
from commerce.catalog.cache import LISTS_SCOPE, cached_page_get, cached_page_set, product_scope
from commerce.catalog.facets import product_facets
from commerce.catalog.selectors import (
    PRODUCT_ORDERINGS,
    category_tree_list,
    product_detail_get,
    product_id_for_slug,
    product_list_page,
    search_resolved,
)
from commerce.core.errors import ApplicationError, NotFoundError
from commerce.core.validation import INT32_MAX, MAX_PAGE

from .filters import ProductListQuery, product_list_query_parse
from .serializers import (
    CatalogErrorSerializer,
    CategoryTreeSerializer,
    ProductDetailSerializer,
    ProductListPageSerializer,
    product_detail_data,
    product_facets_data,
    product_list_item_data,
)


def _public_response(request, body: bytes) -> HttpResponse:
    # DRF's Request wraps Django's; headers are read from either
    return public_json_response(getattr(request, "_request", request), body)


class CachedCatalogView(APIView):
    """A catalogue view whose GET answers a cache hit before DRF wraps the request.

    A hit is stored bytes, from process memory or one cache round trip; DRF's Request wrapper, content
    negotiation, permission checks and response finalisation would cost more CPU than that, for a public
    view whose answer does not depend on any of them. Anything else (a miss, bad input, other methods) goes
    through DRF's `dispatch` as usual, so errors keep their JSON shape and the schema its view.
    """

    permission_classes = [AllowAny]
    authentication_classes = []  # public, identical for everyone: what makes it cacheable
    renderer_classes = [JSONRenderer]  # bodies are JSON bytes already; errors render as JSON too

    def cache_name(self, request: HttpRequest, **kwargs) -> str:
        """The cache entry holding this request's body (raises ApplicationError on bad input)."""
        raise NotImplementedError

    def cache_scope(self, request: HttpRequest, **kwargs) -> str | None:
        """The invalidation scope of that entry (commerce/catalog/cache.py), beside the catalogue version."""
        return None

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET":
            try:
                name = self.cache_name(request, **kwargs)
            except ApplicationError:
                name = None  # DRF's path below raises it again and shapes the error
            if name is not None:
                body = cached_page_get(name, self.cache_scope(request, **kwargs))[1]
                if body is not None:
                    response = _public_response(request, body)
                    # what DRF's finalize_response adds, so that a hit and a miss answer alike
                    for header, value in self.default_response_headers.items():
                        response[header] = value
                    return response
        return super().dispatch(request, *args, **kwargs)


def _dumps(data) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()


# money travels as decimal strings, in query parameters too
DECIMAL_STRING = {"type": "string", "format": "decimal", "example": "10.50"}

PRODUCT_LIST_PARAMETERS = [
    OpenApiParameter("category", OpenApiTypes.STR, description="Category slug; products of its subcategories are included."),
    OpenApiParameter("product_type", OpenApiTypes.STR, description="Product type slug."),
    OpenApiParameter(
        "price_min", DECIMAL_STRING, description="Some active variant costs at least this (decimal, e.g. 10.50)."
    ),
    OpenApiParameter("price_max", DECIMAL_STRING, description="Some active variant costs at most this."),
    OpenApiParameter("in_stock", OpenApiTypes.BOOL, description="true: only products with available stock; false: only sold-out ones."),
    OpenApiParameter(
        "q",
        {"type": "string", "maxLength": 100},
        description=(
            "Search words (at most 100 characters), matched with stemming against the name, the category "
            "path, attribute values and the description, weighted in that order. With `q` the default "
            "ordering is `relevance` (best match first)."
        ),
    ),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        enum=list(PRODUCT_ORDERINGS),
        description="Default: `relevance` with `q`, else `name`. `relevance` without `q` orders by name.",
    ),
    OpenApiParameter(
        "page",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
        description="From 1. A page past the end answers 404 page_out_of_range.",
    ),
    OpenApiParameter(
        "page_size", {"type": "integer", "minimum": 1, "maximum": INT32_MAX}, description="Default 20, capped at 100."
    ),
    OpenApiParameter(
        "facets",
        OpenApiTypes.BOOL,
        description=(
            "true: add `facets` to the answer: every filterable attribute present in the results with each "
            "value's product count computed with all *other* filters applied (disjunctive), the price range "
            "of matching variants without the price filters, the in-stock count and the total."
        ),
    ),
    OpenApiParameter(
        "attribute_filters",
        {"type": "object", "additionalProperties": {"type": "string"}},
        style="form",
        explode=True,
        description=(
            "One parameter per filterable attribute, named by its slug, with value slugs: `?size=m&color=red`. "
            "Comma-separated values match any of them (`?size=m,l`); different attributes must all match. "
            "A product matches through its own attribute values or those of an active variant."
        ),
    ),
]

ERROR_RESPONSES = {
    400: OpenApiResponse(CatalogErrorSerializer, description="invalid_filter: details name each bad parameter."),
    404: OpenApiResponse(CatalogErrorSerializer, description="page_out_of_range: the page is past the end."),
}


class ProductListView(CachedCatalogView):
    def _cache_key_parts(self, request: HttpRequest):
        # list pages are keyed by the normalised query: `?page=1&utm=x` and `?page=1` share one entry
        params = request.GET
        query = product_list_query_parse(params)
        page_size = ShopPageNumberPagination().get_page_size(SimpleNamespace(query_params=params))
        canonical = list(query.canonical)
        if "page_size" in params:
            canonical.append(("page_size", str(page_size)))
        base_url = request.build_absolute_uri(request.path)
        digest = hashlib.blake2b(f"{base_url}?{urlencode(canonical)}&page={query.page}".encode(), digest_size=16).hexdigest()
        return f"products:{digest}", query, page_size, canonical, base_url

    def cache_name(self, request: HttpRequest, **kwargs) -> str:
        return self._cache_key_parts(request)[0]

    def cache_scope(self, request: HttpRequest, **kwargs) -> str | None:
        return LISTS_SCOPE  # stock and variant changes that show in lists bump it, not the catalogue

    @extend_schema(
        operation_id="products_list",
        summary="List live products",
        description=(
            "Live products with filters, ordering and bounded pagination. Unknown filter values (category, "
            "product type, attribute values), non-numeric prices, an in_stock other than true/false and an "
            "unknown ordering answer 400 `invalid_filter`; parameters that are not filters are ignored."
        ),
        parameters=PRODUCT_LIST_PARAMETERS,
        responses={200: ProductListPageSerializer, **ERROR_RESPONSES},
        tags=["catalogue"],
    )
    def get(self, request):
        cache_name, query, page_size, canonical, base_url = self._cache_key_parts(request._request)
        version, body = cached_page_get(cache_name, LISTS_SCOPE)
        if body is None:
            body = _dumps(self._page(request, query, page_size, canonical, base_url))
            cached_page_set(cache_name, version, body, LISTS_SCOPE)
        return _public_response(request, body)

    def _page(self, request, query: ProductListQuery, page_size: int, canonical: list, base_url: str) -> dict:
        if page_past_end(page=query.page, page_size=page_size):
            raise page_out_of_range()
        offset = (query.page - 1) * page_size
        filters = search_resolved(query.filters)  # one search backend query for the page and the facets
        page = product_list_page(filters=filters, ordering=query.ordering, offset=offset, limit=page_size)
        count, rows = page.count, page.rows
        if query.page > 1 and not rows:
            raise NotFound("That page is past the end of the list.", code="page_out_of_range")
        detail_prefix = request.build_absolute_uri(reverse("api-product-list"))

        def link(number: int) -> str:
            return f"{base_url}?{urlencode([*canonical, ('page', number)])}"

        data = {
            "count": count,
            "next": link(query.page + 1) if offset + page_size < count else None,
            "previous": link(query.page - 1) if query.page > 1 else None,
            "results": [
                product_list_item_data(row, detail_url_prefix=detail_prefix, absolute=request.build_absolute_uri)
                for row in rows
            ],
        }
        if query.facets:
            data["facets"] = product_facets_data(product_facets(filters=filters))
        return data


class ProductDetailView(CachedCatalogView):
    def cache_name(self, request: HttpRequest, slug: str = "", **kwargs) -> str:
        url = request.build_absolute_uri(request.path)
        return "product:" + hashlib.blake2b(url.encode(), digest_size=16).hexdigest()

    def cache_scope(self, request: HttpRequest, slug: str = "", **kwargs) -> str | None:
        # this product's own scope: a stock move on another product leaves this page cached
        product_id = product_id_for_slug(slug=slug)
        return None if product_id is None else product_scope(product_id)

    @extend_schema(
        operation_id="products_retrieve",
        summary="A live product with its attributes, images, variants and category path",
        responses={200: ProductDetailSerializer, 404: OpenApiResponse(CatalogErrorSerializer, description="not_found")},
        tags=["catalogue"],
    )
    def get(self, request, slug: str):
        url = request.build_absolute_uri(request.path)
        cache_name = self.cache_name(request._request, slug=slug)
        scope = self.cache_scope(request._request, slug=slug)
        version, body = cached_page_get(cache_name, scope)
        if body is None:
            detail = product_detail_get(slug=slug)
            if detail is None:
                raise NotFoundError("No product with that slug is on sale.")
            body = _dumps(product_detail_data(detail, url=url, absolute=request.build_absolute_uri))
            cached_page_set(cache_name, version, body, scope)
        return _public_response(request, body)


class CategoryTreeView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    renderer_classes = [JSONRenderer]

    @extend_schema(
        operation_id="categories_tree",
        summary="The category tree",
        description="Active categories from the roots down, each with its children nested.",
        responses={200: CategoryTreeSerializer(many=True)},
        tags=["catalogue"],
    )
    def get(self, request):
        return _public_response(request, _dumps(category_tree_list()))
