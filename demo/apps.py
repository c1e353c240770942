from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo shop (`manage.py seed_demo`): catalogue, shipping and tax, pages and the demo admin.
    Its own app so that the catalogue depends on neither the orders app nor cms_pages."""

    name = "demo"
    label = "demo"
    verbose_name = "Demo shop"
