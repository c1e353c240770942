"""The catalogue's routes as the ShopPage serves them.

The listing, category and product views are the catalogue app's (storefront.catalogue.views);
this module puts the editor's ShopPage (intro, SEO, banners) on the request for the templates and
answers old product slugs with a permanent redirect. `/shop/...` (storefront.catalogue.urls, which keeps
the URL names `shop-list`, `shop-category`, `shop-product`) and the ShopPage's own routes both land
here, so the shop works the same whether it is reached through Wagtail's tree or the fixed URLs.
"""

from django.http import Http404, HttpResponsePermanentRedirect

from cms_pages.models import ProductSlugRedirect, ShopPage
from storefront.catalogue import views as site_views
from storefront.chrome import chrome_memoised
from storefront.product import views as product_views


def shop_page_get() -> ShopPage | None:
    """The live, public ShopPage (intro, SEO, banners), read once per chrome version per process:
    publishing, moving or restricting a page bumps that version (storefront/chrome.py). Two queries
    saved on every catalogue page."""
    return chrome_memoised("shop-page", lambda: ShopPage.objects.live().public().first())


def _with_shop_page(request, shop_page: ShopPage | None) -> None:
    request.shop_page = shop_page


def listing(request, *, shop_page: ShopPage | None):
    _with_shop_page(request, shop_page)
    return site_views.product_list(request)


def category(request, *, shop_page: ShopPage | None, slug: str):
    _with_shop_page(request, shop_page)
    return site_views.category_detail(request, slug)


def product(request, *, shop_page: ShopPage | None, slug: str):
    _with_shop_page(request, shop_page)
    try:
        return product_views.product_detail(request, slug)
    except Http404:
        moved = ProductSlugRedirect.objects.filter(old_slug=slug, product__live=True).select_related("product").first()
        if moved is None:
            raise
        return HttpResponsePermanentRedirect(moved.product.get_absolute_url())


# Views behind the fixed /shop/ URLs: the live ShopPage, if an editor has placed one, dresses them.


def shop_list_view(request):
    return listing(request, shop_page=shop_page_get())


def shop_category_view(request, slug: str):
    return category(request, shop_page=shop_page_get(), slug=slug)


def shop_product_view(request, slug: str):
    # the product page shows nothing of the ShopPage: no lookup (two queries) on the busiest page
    return product(request, shop_page=None, slug=slug)
