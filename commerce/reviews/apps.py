from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "commerce.reviews"
    label = "reviews"

    def ready(self):
        from . import signals  # noqa: F401  (connects the image-file receiver)
