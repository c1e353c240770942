from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "commerce.catalog"
    label = "catalog"
    verbose_name = "Catalogue"

    def ready(self):
        from .signals import connect_catalog_cache_signals, connect_search_index_signals

        connect_catalog_cache_signals()
        connect_search_index_signals()
