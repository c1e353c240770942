"""Marketing emails: back-in-stock, low-stock alerts to shop managers and abandoned-cart reminders.

Every email goes through notification_send with a dedupe key, so an event is emailed at most once,
and is recorded in the caller's transaction (a rolled-back change sends nothing).
"""

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from commerce.accounts.roles import SHOP_MANAGERS
from commerce.accounts.services import email_normalize
from commerce.cart.models import Cart, CartLine
from commerce.catalog.models import ProductVariant
from commerce.catalog.signals import StockLevel
from commerce.core.errors import ApplicationError, ConflictError, NotFoundError
from commerce.notifications.services import notification_send

from .models import BackInStockSubscription, CartContact, CartReminder, CartReminderOptOut

CART_RESTORE_SALT = "cartwheel.cart-restore"
CART_OPT_OUT_SALT = "cartwheel.cart-reminder-opt-out"


def _site_url(path: str) -> str:
    return f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}{path}"


def _url(name: str, fallback: str, **kwargs) -> str:
    try:
        return _site_url(reverse(name, kwargs=kwargs))
    except NoReverseMatch:  # site routes not mounted (API-only deployment)
        return _site_url(fallback)


def _clean_email(email: str) -> str:
    email = email_normalize(email or "")
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError("Enter a valid email address.", code="invalid_email", details={"email": email})
    return email


def _variant_label(variant: ProductVariant) -> str:
    return " / ".join(v.name for v in variant.attribute_values.all()) or "Standard"


# --- back in stock ------------------------------------------------------------------------------


@transaction.atomic
def back_in_stock_subscribe(*, sku: str, email: str = "", user=None) -> BackInStockSubscription:
    """Wait for an out-of-stock variant. Idempotent: the same email twice gives the same subscription.

    Guests give an email; customers may leave it empty (their account's address is used).
    Raises NotFoundError (unknown or hidden variant), ConflictError `in_stock` (409: buy it now) and
    ApplicationError `invalid_email`.
    """
    customer = user if user is not None and user.is_authenticated else None
    email = _clean_email(email or (customer.email if customer else ""))
    variant = (ProductVariant.objects.select_related("product")
               .filter(sku=sku, is_active=True, product__live=True).first())
    if variant is None:
        raise NotFoundError("No such product variant.", code="variant_not_found")
    if variant.stock_available > 0:
        raise ConflictError("This variant is in stock: it can be ordered now.", code="in_stock",
                            details={"available": variant.stock_available})
    existing = BackInStockSubscription.objects.filter(variant=variant, email=email, status="active").first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a parallel identical request: take the row it made
            return BackInStockSubscription.objects.create(variant=variant, email=email, user=customer)
    except IntegrityError:
        return BackInStockSubscription.objects.get(variant=variant, email=email, status="active")


def back_in_stock_unsubscribe(*, token: str) -> BackInStockSubscription:
    try:
        token_uuid = uuid.UUID(str(token))
    except ValueError:
        raise NotFoundError("Unknown unsubscribe link.", code="subscription_not_found")
    subscription = BackInStockSubscription.objects.filter(token=token_uuid).first()
    if subscription is None:
        raise NotFoundError("Unknown unsubscribe link.", code="subscription_not_found")
    BackInStockSubscription.objects.filter(pk=subscription.pk, status="active").update(status="unsubscribed")
    subscription.refresh_from_db()
    return subscription


def back_in_stock_notify(*, variant_ids: list[int]) -> int:
    """Email every waiting subscriber of these (just restocked) variants, once each.

    Runs inside the restock's transaction, which holds the variant rows locked: a second restock
    racing with this one waits and then finds nothing waiting. Each subscription is also flipped from
    active to notified by a conditional UPDATE and its email carries a unique dedupe key, so one
    subscription can never be emailed twice.
    """
    waiting = list(
        BackInStockSubscription.objects.filter(variant_id__in=variant_ids, status="active")
        .select_related("variant__product").prefetch_related("variant__attribute_values").order_by("pk")
    )
    sent = 0
    now = timezone.now()
    for sub in waiting:
        if not BackInStockSubscription.objects.filter(pk=sub.pk, status="active").update(
            status="notified", notified_at=now
        ):
            continue
        variant = sub.variant
        notification_send(
            event="back_in_stock",
            recipient=sub.email,
            dedupe_key=f"back-in-stock:{sub.pk}",
            context={
                "product_name": variant.product.name,
                "variant_label": _variant_label(variant),
                "sku": variant.sku,
                "product_url": _site_url(variant.product.get_absolute_url()),
                "unsubscribe_url": _url("marketing:back_in_stock_unsubscribe",
                                        f"/back-in-stock/unsubscribe/{sub.token}/", token=sub.token),
                "shop_name": settings.WAGTAIL_SITE_NAME,
            },
        )
        sent += 1
    return sent


# --- low stock ----------------------------------------------------------------------------------


def shop_manager_emails() -> list[str]:
    users = get_user_model().objects.filter(groups__name=SHOP_MANAGERS.name, is_active=True).exclude(email="")
    return sorted(set(users.values_list("email", flat=True)))


def variants_below_threshold():
    """Active variants of live products at or below their low-stock threshold (the catalogue's rule)."""
    return ProductVariant.objects.low_stock().select_related("product")


def stock_sold_out_alert(*, levels: list[StockLevel]) -> None:
    """Tell the shop managers at once that these variants just sold out (in the caller's transaction)."""
    sold_out = [level for level in levels if level.sold_out]
    if not sold_out:
        return
    recipients = shop_manager_emails()
    if not recipients:
        return
    names = dict(ProductVariant.objects.filter(pk__in=[lv.variant_id for lv in sold_out])
                 .values_list("pk", "product__name"))
    for level in sold_out:
        event_key = uuid.uuid4().hex  # a variant can sell out again after a restock: each time counts
        for email in recipients:
            notification_send(
                event="stock_sold_out", recipient=email, dedupe_key=f"stock-out:{level.variant_id}:{event_key}:{email}",
                context={"sku": level.sku, "product_name": names.get(level.variant_id, ""),
                         "admin_url": _url("shop_reports:low_stock", "/admin/shop-reports/low-stock/"),
                         "shop_name": settings.WAGTAIL_SITE_NAME},
            )


def low_stock_digest_send(*, today: date | None = None) -> int:
    """The daily digest of low variants to every shop manager; once per manager and day. Returns emails sent."""
    today = today or timezone.localdate()
    rows = [
        {"sku": v.sku, "product_name": v.product.name, "available": v.available, "threshold": v.threshold}
        for v in variants_below_threshold()[:500]
    ]
    if not rows:
        return 0
    sent = 0
    with transaction.atomic():
        for email in shop_manager_emails():
            if notification_send(
                event="low_stock_digest", recipient=email, dedupe_key=f"low-stock-digest:{today.isoformat()}:{email}",
                context={"variants": rows, "count": len(rows), "admin_url": _url("shop_reports:low_stock", "/admin/shop-reports/low-stock/"),
                         "shop_name": settings.WAGTAIL_SITE_NAME},
            ):
                sent += 1
    return sent


# --- abandoned carts ----------------------------------------------------------------------------


def cart_contact_remember(*, cart: Cart, email: str) -> None:
    """Keep the email a guest entered at checkout, for the abandoned-cart reminder."""
    email = _clean_email(email)
    CartContact.objects.update_or_create(cart=cart, defaults={"email": email})


def cart_restore_token(*, cart: Cart) -> str:
    return signing.dumps({"cart": cart.pk, "token": str(cart.token)}, salt=CART_RESTORE_SALT, compress=True)


def cart_restore_resolve(*, token: str) -> Cart:
    """The open cart a reminder's link names. NotFoundError when the link is bad or the cart is gone."""
    try:
        data = signing.loads(token, salt=CART_RESTORE_SALT, max_age=timedelta(days=30))
    except signing.BadSignature:
        raise NotFoundError("This link is not valid any more.", code="cart_link_invalid")
    cart = Cart.objects.filter(pk=data.get("cart"), token=data.get("token"), status=Cart.Status.OPEN).first()
    if cart is None:
        raise NotFoundError("This cart is not open any more.", code="cart_not_open")
    return cart


def cart_reminders_opt_out(*, token: str) -> str:
    try:
        email = signing.loads(token, salt=CART_OPT_OUT_SALT)
    except signing.BadSignature:
        raise NotFoundError("This link is not valid.", code="opt_out_link_invalid")
    CartReminderOptOut.objects.get_or_create(email=email)
    return email


def abandoned_carts_remind(*, now=None, limit: int = 200) -> int:
    """Send one reminder to each open cart with lines and a known email, idle for SHOP_ABANDONED_CART_HOURS.

    Never for a converted or merged cart (the status is re-read under the cart's row lock, and
    checkout converts a cart with a conditional UPDATE on that row), never twice (CartReminder is
    unique per cart), never to an address that opted out. Carts idle for more than
    SHOP_ABANDONED_CART_MAX_DAYS are left alone. Returns how many reminders were sent.
    """
    now = now or timezone.now()
    idle_since = now - timedelta(hours=settings.SHOP_ABANDONED_CART_HOURS)
    too_old = now - timedelta(days=settings.SHOP_ABANDONED_CART_MAX_DAYS)
    reminded = CartReminder.objects.values("cart_id")
    candidates = list(
        Cart.objects.filter(status=Cart.Status.OPEN, updated_at__lt=idle_since, updated_at__gte=too_old)
        .filter(Q(user__isnull=False) | Q(pk__in=CartContact.objects.values("cart_id")))
        .filter(pk__in=CartLine.objects.values("cart_id"))
        .exclude(pk__in=reminded)
        .order_by("updated_at").values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for cart_id in candidates:
        if _cart_remind(cart_id=cart_id, idle_since=idle_since):
            sent += 1
    return sent


@transaction.atomic
def _cart_remind(*, cart_id: int, idle_since) -> bool:
    cart = Cart.objects.select_for_update(of=("self",)).select_related("user").filter(pk=cart_id).first()
    if cart is None or cart.status != Cart.Status.OPEN or cart.updated_at >= idle_since:
        return False  # converted, merged or touched since we listed it
    contact = CartContact.objects.filter(cart=cart).first()
    email = contact.email if contact else (cart.user.email if cart.user_id else "")
    if not email or CartReminderOptOut.objects.filter(email__iexact=email).exists():
        return False
    try:
        with transaction.atomic():
            CartReminder.objects.create(cart=cart, email=email)
    except IntegrityError:
        return False
    lines = [
        {"product_name": line.variant.product.name, "sku": line.variant.sku, "quantity": line.quantity}
        for line in CartLine.objects.filter(cart=cart).select_related("variant__product")
    ]
    restore = cart_restore_token(cart=cart)
    opt_out = signing.dumps(email, salt=CART_OPT_OUT_SALT)
    notification_send(
        event="abandoned_cart", recipient=email, dedupe_key=f"abandoned-cart:{cart.pk}",
        context={
            "customer_name": (cart.user.first_name if cart.user_id else "") or "",
            "lines": lines,
            "restore_url": _url("marketing:cart_restore", f"/cart/restore/{restore}/", token=restore),
            "opt_out_url": _url("marketing:cart_reminders_opt_out", f"/cart/reminders/stop/{opt_out}/", token=opt_out),
            "shop_name": settings.WAGTAIL_SITE_NAME,
        },
    )
    return True
