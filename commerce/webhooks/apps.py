from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "commerce.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from . import receivers  # noqa: F401  (connects order, product and stock signals)
