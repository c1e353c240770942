"""StreamField blocks of the home page and the menus.

Product blocks fetch their products in get_context with one selector call each (products, images
and renditions prefetched), so a home page with three product blocks costs a fixed number of queries
however many products the blocks show.
"""

from django.core.exceptions import ValidationError
from django.forms.utils import ErrorList
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

BANNER_PLACEMENTS = [
    ("home-hero", "Home page: hero"),
    ("home-strip", "Home page: strip"),
    ("shop-top", "Shop: top of the listing"),
]


def category_choices():
    from commerce.catalog.models import Category

    return [(c.slug, c.name) for c in Category.objects.filter(is_active=True).only("slug", "name")]


def attribute_value_choices():
    """'color:blue' style choices for every value of a filterable choice attribute."""
    from commerce.catalog.models import AttributeValue

    values = AttributeValue.objects.filter(attribute__filterable=True).select_related("attribute")
    return [(f"{v.attribute.slug}:{v.slug}", f"{v.attribute.name}: {v.name}") for v in values]


class LinkStructValue(blocks.StructValue):
    @property
    def href(self) -> str:
        page = self.get("page")
        if page is not None:
            return page.url or ""
        return self.get("url") or ""


class LinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=60)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.CharBlock(required=False, max_length=500, help_text="Used when no page is chosen, e.g. /shop/")

    class Meta:
        icon = "link"
        value_class = LinkStructValue

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("url"):
            raise StructBlockValidationError(
                block_errors={"url": ErrorList([ValidationError("Choose a page or enter a URL.")])}
            )
        return value


class HeroBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    image = ImageChooserBlock(required=False)
    button_label = blocks.CharBlock(required=False, max_length=60)
    button_url = blocks.CharBlock(required=False, max_length=500, help_text="e.g. /shop/")

    class Meta:
        icon = "image"
        template = "cms_pages/blocks/hero.html"


class BannerSlotBlock(blocks.StructBlock):
    placement = blocks.ChoiceBlock(choices=BANNER_PLACEMENTS, default="home-strip")
    limit = blocks.IntegerBlock(default=3, min_value=1, max_value=6, help_text="How many live banners at most")

    class Meta:
        icon = "pick"
        template = "cms_pages/blocks/banner_slot.html"

    def get_context(self, value, parent_context=None):
        from cms_pages.selectors import banners_live

        context = super().get_context(value, parent_context=parent_context)
        context["banners"] = banners_live(placement=value["placement"], limit=value["limit"])
        return context


class FeaturedProductsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Featured")
    products = blocks.ListBlock(SnippetChooserBlock("catalog.Product"), min_num=1, max_num=12)

    class Meta:
        icon = "pick"
        template = "cms_pages/blocks/product_grid.html"

    def get_context(self, value, parent_context=None):
        from cms_pages.selectors import product_cards

        context = super().get_context(value, parent_context=parent_context)
        ids = [p.pk for p in value["products"] if p is not None]
        context["products"] = product_cards(ids=ids)
        return context


class ProductGridBlock(blocks.StructBlock):
    """A grid whose products are chosen by a query, evaluated when the page is rendered."""

    heading = blocks.CharBlock(max_length=120)
    source = blocks.ChoiceBlock(
        choices=[
            ("new", "Newest products"),
            ("on_sale", "On sale (a variant priced under the base price)"),
            ("category", "A category"),
            ("attribute", "An attribute value"),
            ("featured", "Marked as featured"),
        ],
        default="new",
    )
    category = blocks.ChoiceBlock(choices=category_choices, required=False, help_text="For 'A category'")
    attribute_value = blocks.ChoiceBlock(
        choices=attribute_value_choices, required=False, help_text="For 'An attribute value'"
    )
    limit = blocks.IntegerBlock(default=8, min_value=1, max_value=24)

    class Meta:
        icon = "table"
        template = "cms_pages/blocks/product_grid.html"

    def clean(self, value):
        value = super().clean(value)
        needed = {"category": "category", "attribute": "attribute_value"}.get(value["source"])
        if needed and not value.get(needed):
            raise StructBlockValidationError(
                block_errors={needed: ErrorList([ValidationError("Choose one for this kind of grid.")])}
            )
        return value

    def get_context(self, value, parent_context=None):
        from cms_pages.selectors import product_cards_for_query

        context = super().get_context(value, parent_context=parent_context)
        context["products"] = product_cards_for_query(
            source=value["source"],
            category_slug=value.get("category") or "",
            attribute_value=value.get("attribute_value") or "",
            limit=value["limit"],
        )
        return context


class CategoryTilesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Shop by category")
    categories = blocks.ListBlock(
        blocks.ChoiceBlock(choices=category_choices),
        required=False,
        help_text="Leave empty to show the top-level categories",
    )

    class Meta:
        icon = "grip"
        template = "cms_pages/blocks/category_tiles.html"

    def get_context(self, value, parent_context=None):
        from cms_pages.selectors import category_tiles

        context = super().get_context(value, parent_context=parent_context)
        context["categories"] = category_tiles(slugs=list(value["categories"] or []))
        return context


class CallToActionBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120)
    text = blocks.TextBlock(required=False)
    link = LinkBlock(label="Button")

    class Meta:
        icon = "bold"
        template = "cms_pages/blocks/call_to_action.html"


class HomeStreamBlock(blocks.StreamBlock):
    hero = HeroBlock()
    banner_slot = BannerSlotBlock()
    featured_products = FeaturedProductsBlock()
    product_grid = ProductGridBlock()
    category_tiles = CategoryTilesBlock()
    rich_text = blocks.RichTextBlock(template="cms_pages/blocks/rich_text.html")
    call_to_action = CallToActionBlock()


class StandardStreamBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(template="cms_pages/blocks/rich_text.html")
    call_to_action = CallToActionBlock()
