from django.apps import AppConfig


class MarketingConfig(AppConfig):
    name = "commerce.marketing"
    label = "marketing"
    verbose_name = "Marketing"

    def ready(self):
        from . import campaigns, receivers  # noqa: F401  (campaign items; stock alerts and back-in-stock)
