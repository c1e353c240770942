"""Signals other apps listen to, so that orders never import them.

`order_status_changed` is sent inside the status change's transaction (receivers' writes commit or
roll back with it). The orders app's own follow-ups (coupon release) are direct service calls, not
receivers, so that no domain app needs to import orders to react to them.
Arguments: order, from_status, to_status, by (a user or None).
"""

from django.dispatch import Signal

order_status_changed = Signal()

# Sent inside the checkout transaction once the order and its lines exist (before stock is
# allocated). Arguments: order. Receivers' writes (e.g. webhook delivery rows) commit with the order.
order_placed = Signal()

# Sent inside the transaction that shipped a parcel. Arguments: order, fulfilment, quantities
# ({order line id: units in this parcel}).
order_fulfilled = Signal()

# Sent inside the refund's transaction, after the payment provider agreed. Arguments: order, refund.
order_refunded = Signal()
