"""Writes of the content app."""

from cms_pages.models import ProductSlugRedirect
from commerce.catalog.models import Product


def product_slug_redirect_record(*, product: Product) -> ProductSlugRedirect | None:
    """Before `product` is saved: if its slug changes, keep the old one pointing at it.

    A slug taken back by its product (or by another product) stops redirecting, so a live URL
    always wins over a redirect.
    """
    old_slug = Product.objects.filter(pk=product.pk).values_list("slug", flat=True).first()
    if old_slug is None or old_slug == product.slug:
        return None
    ProductSlugRedirect.objects.filter(old_slug=product.slug).delete()
    redirect, _ = ProductSlugRedirect.objects.update_or_create(
        old_slug=old_slug, defaults={"product": product}
    )
    return redirect
