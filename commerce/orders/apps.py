from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "commerce.orders"
    label = "orders"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from commerce.notifications.attachments import attachment_provider_register

        from .models import ShippingMethod, ShippingZone, TaxRate
        from .notifications import invoice_attachments
        from .pricing_tables import pricing_tables_changed

        attachment_provider_register(event="order_confirmed", provider=invoice_attachments)

        # the per-process copies of these tables (pricing_tables.py) reload after any edit
        for model in (ShippingZone, ShippingMethod, TaxRate):
            post_save.connect(pricing_tables_changed, sender=model, dispatch_uid=f"pricing-tables-save-{model.__name__}")
            post_delete.connect(pricing_tables_changed, sender=model,
                                dispatch_uid=f"pricing-tables-delete-{model.__name__}")
