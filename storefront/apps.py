from django.apps import AppConfig


class StorefrontConfig(AppConfig):
    """The rendered shop: shopper views, forms, URLs and template tags, by area. A delivery layer like
    `api/`: it calls commerce services and selectors, and nothing under commerce/ imports it."""

    name = "storefront"
    label = "storefront"
    verbose_name = "Storefront"

    def ready(self):
        from .chrome import connect_chrome_signals

        connect_chrome_signals()
