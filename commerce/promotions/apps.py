from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "commerce.promotions"
    label = "promotions"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the order signal receivers)
