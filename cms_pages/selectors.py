"""Reads for the content pages: live banners, product cards for blocks, category tiles, sitemap."""

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.search.backends import get_search_backend

from cms_pages.models import Banner
from commerce.catalog.models import AttributeValue, Category, Product, ProductImage, ProductVariant

TILE_RENDITION = "fill-480x320"
BANNER_RENDITION = "fill-1200x400"


def banners_live(*, placement: str | None, limit: int | None = None) -> list[Banner]:
    """Banners of a placement (of every placement when None) that are live now.

    `publish_scheduled` flips `live` when go_live_at/expire_at pass; the date checks here make the
    answer right between two runs of that task as well.
    """
    now = timezone.now()
    qs = (
        Banner.objects.filter(live=True)
        .filter(Q(go_live_at__isnull=True) | Q(go_live_at__lte=now))
        .filter(Q(expire_at__isnull=True) | Q(expire_at__gt=now))
        .prefetch_related(Prefetch("image", queryset=get_image_model().objects.prefetch_renditions(BANNER_RENDITION)))
        .order_by("sort_order", "-created_at")
    )
    if placement:
        qs = qs.filter(placement=placement)
    if limit:
        qs = qs[:limit]
    return list(qs)


def _card_queryset() -> QuerySet[Product]:
    """Live products with what a card shows: lowest active price, sale flag, stock flag, first image."""
    active = ProductVariant.objects.of_outer_product()
    # only the image ids: storefront.catalogue.cards reads the renditions (memoised per version)
    images = ProductImage.objects.order_by("sort_order", "id")
    return (
        Product.objects.live()
        .select_related("category")
        .with_price_range()
        .with_in_stock()
        .annotate(
            price_from=F("price_min"),
            # "From" on a card whenever the variants differ in price, as the catalogue's cards say
            price_to=F("price_max"),
            on_sale=Exists(active.filter(price__lt=OuterRef("base_price"))),
        )
        .prefetch_related(Prefetch("images", queryset=images))
    )


def product_cards(*, ids: list[int]) -> list[Product]:
    """Live products by id, in the order given (an editor's hand-picked order)."""
    if not ids:
        return []
    by_id = {p.pk: p for p in _card_queryset().filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


def product_cards_for_query(
    *, source: str, category_slug: str = "", attribute_value: str = "", limit: int = 8
) -> list[Product]:
    """The products of a query-driven grid: new, on sale, featured, a category or an attribute value."""
    qs = _card_queryset()
    if source == "new":
        qs = qs.order_by("-created_at", "-id")
    elif source == "on_sale":
        qs = qs.filter(on_sale=True).order_by("-updated_at", "-id")
    elif source == "featured":
        qs = qs.filter(is_featured=True).order_by("name")
    elif source == "category":
        category = Category.objects.filter(slug=category_slug, is_active=True).first()
        if category is None:
            return []
        # the category and its direct children: grids usually point at a department
        qs = qs.filter(Q(category=category) | Q(category__parent=category)).order_by("name")
    elif source == "attribute":
        attribute_slug, _, value_slug = attribute_value.partition(":")
        value = AttributeValue.objects.filter(attribute__slug=attribute_slug, slug=value_slug).first()
        if value is None:
            return []
        # a product matches by its own attribute value or by one of its active variants
        by_variant = ProductVariant.objects.filter(product=OuterRef("pk"), is_active=True, attribute_values=value)
        qs = qs.filter(Q(attribute_values__value=value) | Exists(by_variant)).distinct().order_by("name")
    else:
        return []
    return list(qs[:limit])


def category_tiles(*, slugs: list[str]) -> list[Category]:
    """Chosen categories in the editor's order, or the active top-level ones."""
    images = get_image_model().objects.prefetch_renditions(TILE_RENDITION)
    qs = Category.objects.filter(is_active=True).prefetch_related(Prefetch("image", queryset=images))
    if not slugs:
        return list(qs.filter(parent__isnull=True))
    by_slug = {c.slug: c for c in qs.filter(slug__in=slugs)}
    return [by_slug[s] for s in slugs if s in by_slug]


def shop_sitemap_entries(*, root_url: str) -> list[dict]:
    """Sitemap entries for active categories and live products (two queries however many)."""
    entries = [
        {"location": root_url + reverse("shop-category", kwargs={"slug": slug})}
        for slug in Category.objects.filter(is_active=True).values_list("slug", flat=True)
    ]
    for slug, updated_at in Product.objects.filter(live=True).values_list("slug", "updated_at").order_by("slug"):
        entries.append({"location": root_url + reverse("shop-product", kwargs={"slug": slug}), "lastmod": updated_at})
    return entries


def product_search(*, query: str) -> list[Product]:
    """Live products matching `query`, best match first, as cards."""
    results = get_search_backend().search(query, Product.objects.filter(live=True))[:200]
    ids = [p.pk for p in results]
    return product_cards(ids=ids)
