from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "commerce.dashboard"
    label = "dashboard"
