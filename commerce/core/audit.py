"""One audit trail: every back-office write the shop cares about lands in Wagtail's log.

Services call `audit_log(instance=..., action=..., user=..., data=...)` inside their transaction, so
an entry exists exactly when the change committed. Entries are Wagtail `ModelLogEntry` rows (Wagtail
registers every Django model with that log model), so they show up in Reports → Site history,
filterable by action and object type, and on each object's history view, next to Wagtail's own
create/edit/publish entries.

Our action types are declared once here (`AUDIT_ACTIONS`) and registered with Wagtail's log
registry by `commerce/core/wagtail_hooks.py` (`register_log_actions`). Another app may register its
own action types from its own `wagtail_hooks.py` and still write them through `audit_log`.

The message of each action is a `str.format` template over the entry's `data` (missing keys print
as "?"), so the history reports read "Status changed: confirmed → shipped" rather than a raw code.
"""

from collections import defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from wagtail.log_actions import LogFormatter, get_active_log_context
from wagtail.log_actions import log as wagtail_log
from wagtail.log_actions import registry as log_registry
from wagtail.models import ModelLogEntry


class AuditAction:
    ORDER_STATUS = "cartwheel.order.status"
    ORDER_PAYMENT = "cartwheel.order.payment"
    ORDER_NOTE = "cartwheel.order.note"
    ORDER_FULFIL = "cartwheel.order.fulfil"
    ORDER_FULFILMENT_DELIVERED = "cartwheel.order.fulfilment_delivered"
    ORDER_REFUND = "cartwheel.order.refund"
    ORDER_RETURN_REQUEST = "cartwheel.order.return_request"
    ORDER_RETURN_APPROVE = "cartwheel.order.return_approve"
    ORDER_RETURN_REJECT = "cartwheel.order.return_reject"
    ORDER_RETURN_RECEIVE = "cartwheel.order.return_receive"
    ORDER_INVOICE = "cartwheel.order.invoice"
    STOCK_CHANGE = "cartwheel.stock.change"
    PRICE_CHANGE = "cartwheel.price.change"
    REVIEW_APPROVE = "cartwheel.review.approve"
    REVIEW_REJECT = "cartwheel.review.reject"
    COUPON_USE = "cartwheel.coupon.use"
    COUPON_RELEASE = "cartwheel.coupon.release"


# action: (label shown in the report's action filter, message template over the entry's data)
AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    AuditAction.ORDER_STATUS: ("Order: status changed", "Status changed: {from_label} → {to_label}"),
    AuditAction.ORDER_PAYMENT: ("Order: payment recorded", "Payment status: {from_label} → {to_label}"),
    AuditAction.ORDER_NOTE: ("Order: note added", "Note: {note}"),
    AuditAction.ORDER_FULFIL: (
        "Order: fulfilment shipped", "Fulfilment {fulfilment} shipped ({units} units) with {courier}, tracking {tracking_number}"
    ),
    AuditAction.ORDER_FULFILMENT_DELIVERED: ("Order: fulfilment delivered", "Fulfilment {fulfilment} delivered"),
    AuditAction.ORDER_REFUND: ("Order: refund", "Refund {credit_note} of {amount} {currency} ({reason})"),
    AuditAction.ORDER_RETURN_REQUEST: ("Order: return requested", "Return {rma} requested ({units} units)"),
    AuditAction.ORDER_RETURN_APPROVE: ("Order: return approved", "Return {rma} approved"),
    AuditAction.ORDER_RETURN_REJECT: ("Order: return rejected", "Return {rma} rejected"),
    AuditAction.ORDER_RETURN_RECEIVE: ("Order: return received", "Return {rma} received ({restocked} units restocked)"),
    AuditAction.ORDER_INVOICE: ("Order: invoice issued", "Invoice {invoice} issued"),
    AuditAction.STOCK_CHANGE: ("Stock changed", "Stock of {sku}: {from} → {to} ({source})"),
    AuditAction.PRICE_CHANGE: ("Price changed", "Price of {subject}: {from} → {to}"),
    AuditAction.REVIEW_APPROVE: ("Review approved", "Review approved"),
    AuditAction.REVIEW_REJECT: ("Review rejected", "Review rejected"),
    AuditAction.COUPON_USE: ("Coupon used", "Used by order {order} ({discount} off)"),
    AuditAction.COUPON_RELEASE: ("Coupon use given back", "Use by order {order} given back ({reason})"),
}


class DataFormatter(LogFormatter):
    """A Wagtail log formatter whose message is a template over the entry's data."""

    def format_message(self, log_entry):
        data = defaultdict(lambda: "?", log_entry.data or {})
        # entries may carry human labels next to codes ("from_label": "Partially shipped")
        for key in ("from", "to"):
            if f"{key}_label" not in data and key in data:
                data[f"{key}_label"] = str(data[key]).replace("_", " ")
        return self.message.format_map(data)


def audit_actions_register(actions, definitions: dict[str, tuple[str, str]] = AUDIT_ACTIONS) -> None:
    """Register action types with Wagtail's log registry (called from a register_log_actions hook)."""
    for action, (label, message) in definitions.items():
        actions.register_action(action)(type("Formatter", (DataFormatter,), {"label": label, "message": message}))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)  # Decimal, datetime, lazy strings: kept exact as text


def audit_log(*, instance: models.Model, action: str, user=None, data: dict | None = None, title: str = ""):
    """Write one audit entry about `instance` (a saved model instance) in Wagtail's log.

    `user` may be None or anonymous (a customer without account, the system); then Wagtail records
    "system" or the active log context's user. Raises ValidationError for an unregistered action.
    """
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if not log_registry.action_exists(action):
        raise ValidationError({"action": f"The log action {action!r} has not been registered."})
    data = _jsonable(data or {})
    if log_registry.get_log_model_for_instance(instance) is not ModelLogEntry:
        return wagtail_log(instance, action, user=user, data=data, **({"title": title} if title else {}))
    if instance.pk is None:
        raise ValueError(f"Cannot log {action} for an unsaved {instance!r}")
    # Wagtail's log_action saves through full_clean(), which re-reads the content type and the user
    # to validate the foreign keys: two extra queries on every order action. The values come from
    # saved rows here, so the entry is inserted directly (one INSERT) with the action checked above.
    context = get_active_log_context()
    entry = ModelLogEntry(
        content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
        object_id=str(instance.pk),
        label=title or str(instance) or f"{type(instance).__name__} object ({instance.pk})",
        action=action,
        timestamp=timezone.now(),
        data=data,
        user=user or context.user,
        uuid=context.uuid,
    )
    ModelLogEntry.objects.bulk_create([entry])
    return entry


def audit_log_many(*, instances, action: str, user=None, data_for=None) -> list:
    """One entry per instance in a single INSERT (bulk moderation: constant queries however many)."""
    instances = list(instances)
    if not instances:
        return []
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if not log_registry.action_exists(action):
        raise ValidationError({"action": f"The log action {action!r} has not been registered."})
    context = get_active_log_context()
    now = timezone.now()
    entries = [
        ModelLogEntry(
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
            object_id=str(instance.pk), label=str(instance) or f"{type(instance).__name__} object ({instance.pk})",
            action=action, timestamp=now, data=_jsonable(data_for(instance) if data_for else {}),
            user=user or context.user, uuid=context.uuid,
        )
        for instance in instances
    ]
    ModelLogEntry.objects.bulk_create(entries)
    return entries
