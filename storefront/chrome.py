"""The parts of every page around the content: shop settings, menus, the category menu, the cart count.

Site settings and menus change rarely and are read on every page, so they are read once per version
into plain values in the cache (no query on a warm page); saving the settings, a site or publishing a
page bumps the version. The category menu follows the editor's order from the navigation settings and
takes each category's live children from the catalogue's cached tree.
"""

import time

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from wagtail.models import PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms_pages.models import NavigationSettings, ShopSettings
from commerce.catalog.selectors import category_tree_list

VERSION_KEY = "storefront:chrome-version"
ENTRY_TIMEOUT_SECONDS = 3600
SHOP_FIELDS = (
    "shop_name", "tagline", "contact_email", "contact_phone", "address", "currency_display", "free_shipping_note",
)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, str(time.time_ns()), None)
        version = cache.get(VERSION_KEY)
    return str(version)


def chrome_version_bump(**kwargs) -> None:
    cache.set(VERSION_KEY, str(time.time_ns()), None)


def _links(stream) -> list[dict]:
    return [{"label": block.value["label"], "href": block.value.href} for block in stream if block.value.href]


def _build(site: Site | None) -> dict:
    if site is None:
        return {"shop": {"shop_name": "Cartwheel", "social_links": []}, "header_links": [], "footer_links": [], "menu_slugs": []}
    shop = ShopSettings.for_site(site)
    nav = NavigationSettings.for_site(site)
    return {
        "shop": {**{f: getattr(shop, f) for f in SHOP_FIELDS}, "social_links": shop.social_links()},
        "header_links": _links(nav.header_links),
        "footer_links": _links(nav.footer_links),
        "menu_slugs": [block.value.slug for block in nav.menu_categories if block.value is not None],
    }


# {host: (version, data)} in this process: a warm page then costs one cache read (the version), as
# the catalogue's per-version memo does (commerce.catalog.cache)
_memo: dict[str, tuple[str, dict]] = {}


def chrome_get(request) -> dict:
    """Settings and menus for the request's host, from memory or the cache when warm (no query)."""
    version, host = _version(), request.get_host()
    memo = _memo.get(host)
    if memo is not None and memo[0] == version:
        return memo[1]
    key = f"storefront:chrome:{version}:{host}"
    data = cache.get(key)
    if data is None:
        data = _build(Site.find_for_request(request))
        cache.set(key, data, ENTRY_TIMEOUT_SECONDS)
    if len(_memo) > 100:  # hosts are few; a flood of made-up Host headers must not grow this
        _memo.clear()
    _memo[host] = (version, data)
    return data


# {name: (version, value)}: other per-process reads that change only when the chrome version does
_values: dict[str, tuple[str, object]] = {}


def chrome_memoised(name: str, build):
    """`build()` once per chrome version in this process (for reads that publishing a page, a view
    restriction or a settings change would alter, e.g. the live ShopPage)."""
    version = _version()
    held = _values.get(name)
    if held is not None and held[0] == version:
        return held[1]
    value = build()
    _values[name] = (version, value)
    return value


def category_menu(menu_slugs: list[str]) -> list[dict]:
    """The header's categories: the editor's choice and order, else the top level as the tree has it."""
    roots = category_tree_list()
    if not menu_slugs:
        return roots
    by_slug = {}
    stack = list(roots)
    while stack:
        node = stack.pop()
        by_slug[node["slug"]] = node
        stack.extend(node["children"])
    return [by_slug[slug] for slug in menu_slugs if slug in by_slug]


def connect_chrome_signals() -> None:
    for model in (ShopSettings, NavigationSettings, Site):
        post_save.connect(chrome_version_bump, sender=model, dispatch_uid=f"chrome-bump-save-{model.__name__}")
        post_delete.connect(chrome_version_bump, sender=model, dispatch_uid=f"chrome-bump-delete-{model.__name__}")
    page_published.connect(chrome_version_bump, dispatch_uid="chrome-bump-published")
    page_unpublished.connect(chrome_version_bump, dispatch_uid="chrome-bump-unpublished")
    post_page_move.connect(chrome_version_bump, dispatch_uid="chrome-bump-moved")
    # a page made private (or public again) leaves or joins what `public()` pages show
    post_save.connect(chrome_version_bump, sender=PageViewRestriction, dispatch_uid="chrome-bump-restriction-save")
    post_delete.connect(chrome_version_bump, sender=PageViewRestriction, dispatch_uid="chrome-bump-restriction-delete")
