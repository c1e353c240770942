from wagtail.snippets.models import register_snippet

from .views import EmailTemplateViewSet

register_snippet(EmailTemplateViewSet)
