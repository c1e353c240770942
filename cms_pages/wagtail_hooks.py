from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms_pages.models import Banner


class BannerViewSet(SnippetViewSet):
    model = Banner
    icon = "image"
    menu_label = "Banners"
    menu_order = 300
    add_to_admin_menu = True
    list_display = ["title", "placement", "live", "go_live_at", "expire_at", "sort_order"]
    list_filter = ["placement", "live"]
    search_fields = ["title", "text"]


register_snippet(BannerViewSet)
