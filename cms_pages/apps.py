from django.apps import AppConfig


class CmsPagesConfig(AppConfig):
    name = "cms_pages"
    label = "cms_pages"
    verbose_name = "Pages and content"

    def ready(self):
        from cms_pages import signals  # noqa: F401
