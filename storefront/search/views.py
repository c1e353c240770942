"""Site views of the content app that are not pages: search, robots.txt, error pages."""

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseServerError
from django.template import loader
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from wagtail.contrib.sitemaps.views import sitemap as wagtail_sitemap
from wagtail.models import Site

from cms_pages.selectors import product_search
from storefront.pagination import pagination_context

SEARCH_PAGE_SIZE = 24


@require_GET
def search(request):
    """Product search with Wagtail's search backend (PostgreSQL full-text search, or LIKE on SQLite)."""
    query = request.GET.get("q", "").strip()[:200]
    products = product_search(query=query) if query else []
    page = Paginator(products, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    pages = pagination_context(page=page.number, last_page=page.paginator.num_pages, query=request.GET)
    return TemplateResponse(
        request,
        "cms_pages/search.html",
        {"query": query, "page_obj": page, "products": page.object_list, **pages},
    )


@require_GET
@cache_control(max_age=3600, public=True)
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /django-admin/",
        "Disallow: /cart/",
        "Disallow: /checkout/",
        "Disallow: /account/",
        "Disallow: /wishlist/",
        "Disallow: /search/",
        "Disallow: /api/",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def server_error(request, *args, **kwargs):
    """handler500: renders 500.html with a bare context, because the request context processors
    (settings, user, messages) may be what failed."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({}))


@require_GET
def sitemap(request):
    """Wagtail's sitemap with every URL on the host the request came to, as the canonical links are.

    Wagtail builds sitemap URLs from the Site record's hostname and port (often "localhost" on a
    demo); canonicals use the request's host, and a crawler must see one host for both.
    """
    response = wagtail_sitemap(request)
    response.render()
    site = Site.find_for_request(request)
    request_root = request.build_absolute_uri("/").rstrip("/")
    if site is not None and site.root_url != request_root:
        body = response.content.decode()
        response.content = body.replace(f"<loc>{site.root_url}/", f"<loc>{request_root}/").encode()
    return response
