from wagtail.snippets.models import register_snippet

from .views import MarketingViewSetGroup

register_snippet(MarketingViewSetGroup)
