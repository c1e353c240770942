"""Links to the storefront, for everything read outside it: emails, the CMS API, the product API.

A headless shop renders its pages on its own domain and its own paths, so these links are built
from two settings rather than from this project's URLconf:

- `STOREFRONT_URL`: the shop's public origin, e.g. https://shop.example.com (default: the admin's
  base URL, where this project's own rendered site answers);
- `STOREFRONT_PATHS`: a path template per page, e.g. {"product": "/products/{slug}"}; the defaults
  are this project's own site routes.
"""

from urllib.parse import quote

from django.conf import settings

DEFAULT_STOREFRONT_PATHS = {
    "product": "/shop/product/{slug}/",
    "category": "/shop/category/{slug}/",
    "order_tracking": "/track/?order_number={order_number}",
}


def storefront_url(page: str, **values) -> str | None:
    """The absolute storefront URL of `page` with `values` filled in; None when the storefront is off
    (STOREFRONT_URL set to an empty string)."""
    base = getattr(settings, "STOREFRONT_URL", "")
    if not base:
        return None
    template = {**DEFAULT_STOREFRONT_PATHS, **getattr(settings, "STOREFRONT_PATHS", {})}[page]
    return base.rstrip("/") + template.format(**{k: quote(str(v), safe="") for k, v in values.items()})


def storefront_path_url(path: str) -> str | None:
    """`path` (a page's path on its site, e.g. "/about/") on the storefront's origin; None when the
    storefront is off. CMS pages keep their paths: a headless storefront serves them under the same."""
    base = getattr(settings, "STOREFRONT_URL", "")
    if not base:
        return None
    return base.rstrip("/") + "/" + path.lstrip("/")
