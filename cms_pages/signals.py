"""Remember a product's old slug when it changes, so its old URL redirects to the new one."""

from django.db.models.signals import pre_save
from django.dispatch import receiver

from commerce.catalog.models import Product


@receiver(pre_save, sender=Product, dispatch_uid="cms_pages_product_slug_redirect")
def product_slug_remember_old(sender, instance: Product, update_fields=None, raw=False, **kwargs):
    if raw or instance.pk is None:
        return
    if update_fields is not None and "slug" not in update_fields:
        return  # e.g. save_revision() writing only revision bookkeeping
    from cms_pages.services import product_slug_redirect_record

    product_slug_redirect_record(product=instance)
