from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PublishingPanel
from wagtail.models import DraftStateMixin, PreviewableMixin, RevisionMixin
from wagtail.search import index


class Banner(DraftStateMixin, RevisionMixin, PreviewableMixin, index.Indexed, models.Model):
    """A promotional banner shown in a placement while it is live.

    Drafts, revisions and scheduled publishing come from Wagtail's mixins: an editor sets
    go_live_at / expire_at and the banner appears and disappears on its own.
    """

    class Placement(models.TextChoices):
        HOME_HERO = "home-hero", "Home page: hero"
        HOME_STRIP = "home-strip", "Home page: strip"
        SHOP_TOP = "shop-top", "Shop: top of the listing"

    title = models.CharField(max_length=120, help_text="The banner's heading, also its alt text fallback")
    placement = models.CharField(max_length=20, choices=Placement.choices, db_index=True)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(blank=True)
    link_url = models.CharField(
        "link", max_length=500, blank=True, help_text="Where the banner leads, e.g. /shop/ or https://…"
    )
    link_label = models.CharField(max_length=60, blank=True, default="Shop now")
    sort_order = models.PositiveIntegerField(default=0, help_text="Lower numbers show first")
    created_at = models.DateTimeField(auto_now_add=True)

    panels = [
        FieldPanel("title"),
        FieldPanel("placement"),
        FieldPanel("image"),
        FieldPanel("text"),
        MultiFieldPanel([FieldPanel("link_url"), FieldPanel("link_label")], heading="Link"),
        FieldPanel("sort_order"),
        PublishingPanel(),
    ]
    search_fields = [index.SearchField("title"), index.SearchField("text"), index.FilterField("placement")]

    class Meta:
        ordering = ["placement", "sort_order", "-created_at"]
        indexes = [models.Index(fields=["placement", "live", "sort_order"])]

    def __str__(self):
        return self.title

    def get_preview_template(self, request, mode_name):
        return "cms_pages/banner_preview.html"

    def get_preview_context(self, request, mode_name):
        return {"banner": self, "banners": [self], "placement": self.placement, "request": request}
