from django.apps import AppConfig


class EmailsConfig(AppConfig):
    name = "commerce.emails"
    label = "emails"
    verbose_name = "Email templates"
