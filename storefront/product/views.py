"""The product page: gallery, variant picker, price and stock for the choice, wishlist, reviews and
"more from this category". A fixed number of queries whatever the number of variants or images."""

from django.http import Http404
from django.shortcuts import render

from commerce.catalog.selectors import ProductFilters, category_index_get, product_detail_get, product_list_rows
from commerce.reviews.selectors import wishlist_product_ids
from storefront.catalogue.cards import cards_from_rows
from storefront.catalogue.images import GALLERY, THUMB, pictures

from .picker import variant_picker

MORE_FROM_CATEGORY = 4


def _gallery(detail) -> list[dict]:
    ids = [image["image_id"] for image in detail.images if image["image_id"]]
    large, small = pictures(image_ids=ids, spec=GALLERY), pictures(image_ids=ids, spec=THUMB)
    return [
        {"picture": large[image["image_id"]], "thumb": small.get(image["image_id"]), "alt": image["alt"] or detail.product.name}
        for image in detail.images
        if image["image_id"] in large
    ]


def _more_from_category(detail) -> list:
    product = detail.product
    if not product.category_id:
        return []
    rows = product_list_rows(
        filters=ProductFilters(category_ids=category_index_get().descendant_ids(product.category_id)),
        ordering="-created",
        offset=0,
        limit=MORE_FROM_CATEGORY + 1,
    )
    return cards_from_rows([row for row in rows if row["id"] != product.pk][:MORE_FROM_CATEGORY])


def _sold_out_options(picker) -> list[dict]:
    """The variants the back-in-stock form offers, labelled with their option names ("M / Black")."""
    names = {(group.slug, option.slug): option.name for group in picker.groups for option in group.options}
    return [
        {
            "sku": variant.sku,
            "label": " / ".join(names.get((attr, value), value) for attr, value in variant.values.items()) or "Standard",
        }
        for variant in picker.variants
        if variant.available <= 0
    ]


def product_page_context(request, *, detail, preview: bool = False) -> dict:
    product = detail.product
    requested = {key.removeprefix("option-"): value for key, value in request.GET.items()}
    picker = variant_picker(variants=detail.variants, base_price=product.base_price, requested=requested)
    return {
        "product": product,
        "detail": detail,
        "picker": picker,
        "single_variant": picker.variants[0] if len(picker.variants) == 1 and not picker.groups else None,
        "gallery": _gallery(detail),
        "more_products": [] if preview else _more_from_category(detail),
        "in_wishlist": product.pk in wishlist_product_ids(user=request.user),
        # the back-in-stock form offers these (templates/marketing/back_in_stock_form.html)
        "sold_out_options": _sold_out_options(picker),
        "is_preview": preview,
    }


def product_detail(request, slug: str):
    detail = product_detail_get(slug=slug)
    if detail is None:  # unknown, draft or unpublished: the same 404
        raise Http404("No such product")
    return render(request, "catalog/product_detail.html", product_page_context(request, detail=detail))
