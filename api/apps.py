from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    label = "shop_api"

    def ready(self):
        from .fields import install_text_only_char_fields

        install_text_only_char_fields()
