"""Wagtail content: pages, banners, site settings and navigation."""

from .banners import Banner
from .pages import ContactFormField, ContactPage, HomePage, ShopPage, StandardPage
from .redirects import ProductSlugRedirect
from .site_settings import NavigationSettings, ShopSettings

__all__ = [
    "Banner",
    "ContactFormField",
    "ContactPage",
    "HomePage",
    "NavigationSettings",
    "ProductSlugRedirect",
    "ShopPage",
    "ShopSettings",
    "StandardPage",
]
