from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "commerce.core"
    label = "core"

    def ready(self):
        from django.urls import register_converter

        from .converters import BigIdConverter

        # before any URLconf is imported: `<id:pk>` in the shop's and the API's routes
        register_converter(BigIdConverter, "id")
