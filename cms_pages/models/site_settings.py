from django.conf import settings as django_settings
from django.db import models
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.snippets.blocks import SnippetChooserBlock

from cms_pages.blocks import LinkBlock


def _default_free_shipping_note():
    from commerce.core.money import format_money

    return f"Free shipping on orders over {format_money(django_settings.SHOP_FREE_SHIPPING_NOTE_THRESHOLD)}"


@register_setting(icon="cog")
class ShopSettings(BaseSiteSetting):
    """What the storefront says about the shop: name, contact, social links, currency, shipping note."""

    class CurrencyDisplay(models.TextChoices):
        SYMBOL = "symbol", "Symbol ($12.00)"
        CODE = "code", "Code (USD 12.00)"

    shop_name = models.CharField(max_length=100, default="Cartwheel")
    tagline = models.CharField(max_length=200, blank=True, default="Good things, delivered.")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    address = models.TextField(blank=True)
    facebook_url = models.URLField("Facebook", blank=True)
    instagram_url = models.URLField("Instagram", blank=True)
    x_url = models.URLField("X / Twitter", blank=True)
    youtube_url = models.URLField("YouTube", blank=True)
    currency_display = models.CharField(
        max_length=10, choices=CurrencyDisplay.choices, default=CurrencyDisplay.SYMBOL
    )
    free_shipping_note = models.CharField(max_length=200, blank=True, default=_default_free_shipping_note)

    panels = [
        MultiFieldPanel([FieldPanel("shop_name"), FieldPanel("tagline")], heading="Shop"),
        MultiFieldPanel(
            [FieldPanel("contact_email"), FieldPanel("contact_phone"), FieldPanel("address")],
            heading="Contact",
        ),
        MultiFieldPanel(
            [FieldPanel("facebook_url"), FieldPanel("instagram_url"), FieldPanel("x_url"), FieldPanel("youtube_url")],
            heading="Social links",
        ),
        MultiFieldPanel([FieldPanel("currency_display"), FieldPanel("free_shipping_note")], heading="Storefront"),
    ]

    class Meta:
        verbose_name = "shop settings"

    def social_links(self) -> list[tuple[str, str]]:
        links = [
            ("Facebook", self.facebook_url),
            ("Instagram", self.instagram_url),
            ("X", self.x_url),
            ("YouTube", self.youtube_url),
        ]
        return [(label, url) for label, url in links if url]


@register_setting(icon="list-ul")
class NavigationSettings(BaseSiteSetting):
    """The header and footer menus, edited in Settings > Navigation."""

    menu_categories = StreamField(
        [("category", SnippetChooserBlock("catalog.Category"))],
        blank=True,
        help_text="The header's category menu, in this order (drag to reorder). Empty: the top-level "
        "categories in the catalogue's own order.",
    )
    header_links = StreamField([("link", LinkBlock())], blank=True)
    footer_links = StreamField([("link", LinkBlock())], blank=True)

    panels = [FieldPanel("menu_categories"), FieldPanel("header_links"), FieldPanel("footer_links")]

    class Meta:
        verbose_name = "navigation"
