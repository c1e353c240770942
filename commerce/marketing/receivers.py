"""Stock changes → sold-out alerts to shop managers and back-in-stock emails (in the same transaction)."""

from django.dispatch import receiver

from commerce.catalog.signals import stock_levels_changed

from .services import back_in_stock_notify, stock_sold_out_alert


@receiver(stock_levels_changed, dispatch_uid="marketing_stock_levels")
def _stock_levels(sender, levels, **kwargs):
    stock_sold_out_alert(levels=levels)
    restocked = [level.variant_id for level in levels if level.restocked]
    if restocked:
        back_in_stock_notify(variant_ids=restocked)
