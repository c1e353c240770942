"""Turn domain signals into webhook events. Everything runs in the sender's transaction."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.signals import published

from commerce.catalog.models import Product, ProductVariant
from commerce.catalog.signals import catalog_imported, stock_levels_changed
from commerce.orders.signals import order_fulfilled, order_placed, order_refunded, order_status_changed

from . import events
from .models import WebhookEndpoint
from .payloads import fulfilment_payload, order_payload, product_payload, refund_payload
from .services import webhook_endpoints_changed, webhook_event_emit, webhook_event_wanted

post_save.connect(webhook_endpoints_changed, sender=WebhookEndpoint, dispatch_uid="webhook-endpoints-save")
post_delete.connect(webhook_endpoints_changed, sender=WebhookEndpoint, dispatch_uid="webhook-endpoints-delete")


@receiver(order_placed, dispatch_uid="webhooks_order_created")
def _order_created(sender, order, **kwargs):
    webhook_event_emit(event=events.ORDER_CREATED, payload={"order": order_payload(order)})


@receiver(order_status_changed, dispatch_uid="webhooks_order_status_changed")
def _order_status_changed(sender, order, from_status, to_status, **kwargs):
    webhook_event_emit(
        event=events.ORDER_STATUS_CHANGED,
        payload={"order": order_payload(order), "from_status": from_status, "to_status": to_status},
    )


@receiver(order_fulfilled, dispatch_uid="webhooks_order_fulfilled")
def _order_fulfilled(sender, order, fulfilment, quantities, **kwargs):
    webhook_event_emit(
        event=events.ORDER_FULFILLED,
        payload={"order": order_payload(order), "fulfillment": fulfilment_payload(fulfilment, quantities)},
    )


@receiver(order_refunded, dispatch_uid="webhooks_order_refunded")
def _order_refunded(sender, order, refund, **kwargs):
    webhook_event_emit(event=events.ORDER_REFUNDED, payload={"order": order_payload(order), "refund": refund_payload(refund)})


@receiver(published, sender=Product, dispatch_uid="webhooks_product_published")
def _product_published(sender, instance, **kwargs):
    if not instance.live:
        return  # Wagtail also sends `published` when it only schedules a future go-live
    # Products are drafts until published: shops outside hear of a product when shoppers can see it.
    # The first publish sets first_published_at and last_published_at to the same moment.
    first = instance.first_published_at is not None and instance.first_published_at == instance.last_published_at
    webhook_event_emit(
        event=events.PRODUCT_CREATED if first else events.PRODUCT_UPDATED,
        payload={"product": product_payload(instance)},
    )


@receiver(catalog_imported, dispatch_uid="webhooks_catalog_imported")
def _catalog_imported(sender, created, updated, **kwargs):
    """An import tells the outside what a hand edit would: product.created / product.updated for each
    live product it wrote (drafts stay unannounced, as with publishing). No payload is built when no
    endpoint listens, so importing 10,000 products costs nothing here."""
    for event, ids in ((events.PRODUCT_CREATED, created), (events.PRODUCT_UPDATED, updated)):
        if not ids or not webhook_event_wanted(event):
            continue
        products = (Product.objects.filter(pk__in=ids, live=True).select_related("category")
                    .prefetch_related("variants").order_by("pk"))
        for product in products:
            webhook_event_emit(event=event, payload={"product": product_payload(product)})


@receiver(stock_levels_changed, dispatch_uid="webhooks_stock_levels")
def _stock_levels(sender, levels, **kwargs):
    crossed = [level for level in levels if level.sold_out or level.fell_to_low]
    if not crossed:
        return
    products = dict(
        ProductVariant.objects.filter(pk__in=[lv.variant_id for lv in crossed])
        .values_list("pk", "product_id")
    )
    names = dict(Product.objects.filter(pk__in=set(products.values())).values_list("pk", "name"))
    for level in crossed:
        product_id = products.get(level.variant_id)
        webhook_event_emit(
            event=events.STOCK_OUT if level.sold_out else events.STOCK_LOW,
            payload={
                "variant_id": level.variant_id, "sku": level.sku, "product_id": product_id,
                "product_name": names.get(product_id, ""), "stock_available": level.available_after,
                "threshold": level.threshold,
            },
        )
