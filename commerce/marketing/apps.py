from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "commerce.marketing"
    label = "marketing"
    verbose_name = "Marketing"

    def ready(self):
        from . import receivers  # noqa: F401  (stock alerts and back-in-stock on stock changes)
