"""Checkout: turn an open cart into a pending order, in one transaction.

`order_place` reads the cart's lines, variants, products and attribute values once (one query) into a
frozen `CheckoutSnapshot` and passes it down; no later step queries the cart again. Its queries, for
any number of lines: snapshot, [saved address], order number, order insert, lines insert, status log
insert, cart conversion, "order placed" notification row, stock lock + stock update = 9 (10 with a
saved address). Shipping methods, tax rates and automatic promotions come from per-process copies
(pricing_tables.py, promotions.selectors) that reload after an edit (+3 queries once). Coupons
(promotions app) plug in through `Discount` and add a coupon lock + usage row when a code is given.

The stock is allocated last: the variant rows stay locked only from that statement to the commit,
which keeps a hot SKU's queue short. Any error rolls back everything (order, lines, log,
allocation, the "order placed" notification row); the email is enqueued only after commit.

`checkout_idempotent` wraps a checkout with an Idempotency-Key: the key row is inserted in the same
transaction as the order (INSERT ... ON CONFLICT DO NOTHING), so a concurrent duplicate waits on the
unique index until the first commits (then replays its answer) or rolls back (then runs itself).
"""

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from phonenumber_field.phonenumber import to_python

from commerce.accounts.models import Address
from commerce.cart.models import Cart, CartLine
from commerce.catalog.models import effective_price
from commerce.catalog.stock import InsufficientStock, ShortLine, stock_allocate
from commerce.core.compiled_query import CompiledQuery
from commerce.core.errors import ApplicationError, ConflictError
from commerce.core.money import quantize_money
from commerce.promotions.pricing import DiscountLine, DiscountOutcome
from commerce.promotions.services import CustomerRef, cart_discounts_compute, coupon_usage_record

from .models import CheckoutIdempotencyKey, Order, OrderLine, OrderStatusLog, ShippingMethod
from .notifications import order_notify
from .numbers import order_number_new
from .payments import payment_provider_get
from .pricing import Discount, PriceBreakdown, PricingLine, ShippingAddressRequired, price_compute
from .pricing_tables import PricingTables, pricing_tables
from .signals import order_placed


class CartEmpty(ApplicationError):
    code = "cart_empty"

    def __init__(self):
        super().__init__("The cart is empty.")


class ShippingMethodUnknown(ApplicationError):
    code = "shipping_method_unknown"


class CheckoutDetailsInvalid(ApplicationError):
    code = "checkout_details_invalid"


class IdempotencyKeyReused(ApplicationError):
    http_status = 422
    code = "idempotency_key_reused"

    def __init__(self):
        super().__init__("This Idempotency-Key was used with a different request body.")


# --- the snapshot -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckoutLine:
    variant_id: int
    product_id: int
    sku: str
    product_name: str
    attributes: dict
    unit_price: Decimal
    quantity: int
    for_sale: bool
    category_id: int | None = None  # for coupons restricted to categories


@dataclass(frozen=True)
class CheckoutSnapshot:
    cart_id: int
    lines: tuple[CheckoutLine, ...]

    def pricing_lines(self) -> list[PricingLine]:
        return [PricingLine(key=ln.variant_id, unit_price=ln.unit_price, quantity=ln.quantity) for ln in self.lines]


# Compiled once per connection (commerce/core/compiled_query.py): building and compiling this
# four-table join was the largest Python cost of a checkout.
_snapshot_rows = CompiledQuery(
    lambda cart_id: CartLine.objects.filter(cart_id=cart_id)
    .order_by("created_at", "id", "variant__attribute_values__attribute__sort_order",
              "variant__attribute_values__attribute__name")
    .values_list(
        "id", "quantity", "variant_id", "variant__sku", "variant__price", "variant__is_active",
        "variant__product_id", "variant__product__name", "variant__product__base_price",
        "variant__product__live", "variant__attribute_values__attribute__name",
        "variant__attribute_values__name", "variant__product__category_id",
    )
)


def checkout_snapshot(*, cart: Cart) -> CheckoutSnapshot:
    """The cart's lines with variant, product and attributes, in ONE query.

    The many-to-many attribute values are joined in (one row per line and value) and folded back
    into an ordered {attribute: value} dict per line.
    """
    rows = _snapshot_rows.rows(cart_id=cart.pk)
    by_line: dict[int, dict] = {}
    for (line_id, qty, variant_id, sku, price, active, product_id, name, base_price, live,
         attribute, value, category_id) in rows:
        line = by_line.setdefault(line_id, {
            "variant_id": variant_id, "product_id": product_id, "sku": sku, "product_name": name,
            "attributes": {}, "unit_price": effective_price(price, base_price),
            "quantity": qty, "for_sale": bool(active and live), "category_id": category_id,
        })
        if attribute is not None:
            line["attributes"][attribute] = value
    return CheckoutSnapshot(cart_id=cart.pk, lines=tuple(CheckoutLine(**v) for v in by_line.values()))


# --- inputs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShippingAddress:
    full_name: str
    line1: str
    city: str
    country: str
    line2: str = ""
    region: str = ""
    postal_code: str = ""
    phone: str = ""

    @classmethod
    def from_saved(cls, address: Address) -> "ShippingAddress":
        return cls(
            full_name=address.full_name, line1=address.line1, line2=address.line2, city=address.city,
            region=address.region, postal_code=address.postal_code, country=address.country.upper(),
            phone=str(address.phone or ""),
        )


def _address_resolve(*, user, address: ShippingAddress | None, address_id: int | None) -> ShippingAddress:
    if address_id is not None:
        if user is None or not user.is_authenticated:
            raise CheckoutDetailsInvalid("Guests give the address itself.", details={"address_id": "not allowed"})
        saved = Address.objects.filter(pk=address_id, user=user).first()
        if saved is None:  # unknown or someone else's: the same answer
            raise CheckoutDetailsInvalid("No such saved address.", details={"address_id": "not found"})
        return ShippingAddress.from_saved(saved)
    if address is None:
        raise ShippingAddressRequired("A shipping address is required.", details={"shipping_address": ["required"]})
    missing = {f: "required" for f in ("full_name", "line1", "city", "country") if not getattr(address, f).strip()}
    if missing:
        raise CheckoutDetailsInvalid("The shipping address is incomplete.", details=missing)
    if not re.fullmatch(r"[A-Za-z]{2}", address.country.strip()):
        raise CheckoutDetailsInvalid("Use a two-letter country code.", details={"country": "invalid"})
    return address


def _contact_check(*, email: str, phone: str) -> str:
    """Validate the contact details (the API and the site validate too; the service must not trust
    them); returns the phone number in E.164."""
    problems = {}
    try:
        validate_email(email)
    except ValidationError:
        problems["email"] = "invalid"
    number = to_python(phone)
    if not (number and number.is_valid()):
        problems["phone"] = "invalid"
    if problems:
        raise CheckoutDetailsInvalid("Check the email address and the phone number.", details=problems)
    return number.as_e164  # validated above; str() would run the (slow) validation again


def _discount_resolve(*, coupon_code: str, snapshot: CheckoutSnapshot, user, email: str = "",
                      lock_coupon: bool = False) -> DiscountOutcome:
    """The seam where the promotions app turns automatic promotions and a coupon code into a Discount.

    At checkout (`lock_coupon`) the coupon row stays locked until commit; its use is recorded by
    `coupon_usage_record` once the order exists. Raises CouponError (400/409) for a refused code.
    """
    customer = user if user is not None and user.is_authenticated else None
    return cart_discounts_compute(
        lines=[
            DiscountLine(key=ln.variant_id, product_id=ln.product_id, category_id=ln.category_id,
                         amount=quantize_money(ln.unit_price * ln.quantity))
            for ln in snapshot.lines
        ],
        coupon_code=coupon_code,
        customer=CustomerRef(user_id=customer.pk if customer else None, email=email),
        lock_coupon=lock_coupon,
    )


def _discount(outcome: DiscountOutcome) -> Discount:
    return Discount(code=outcome.coupon_code, line_amounts=outcome.line_discounts,
                    free_shipping=outcome.free_shipping)


def shipping_method_by_code(*, code: str, tables: PricingTables | None = None) -> ShippingMethod:
    """The method with this code, from the per-process copy of the methods (pricing_tables.py)."""
    method = (tables or pricing_tables()).methods_by_code.get(code)
    if method is None:
        raise ShippingMethodUnknown(f"Unknown shipping method {code!r}.", details={"shipping_method": code})
    return method


# --- preview and placement ----------------------------------------------------------------------


def checkout_preview(*, cart: Cart | None, shipping_method_code: str = "", country: str = "",
                     coupon_code: str = "", user=None, use_cart_coupon: bool = True,
                     ) -> tuple[CheckoutSnapshot, PriceBreakdown]:
    """What checkout would charge now (the cart's lines and their prices), without writing anything.

    `use_cart_coupon=False` leaves out the code kept on the cart, to show a summary when that code
    has stopped applying (checkout itself would refuse it with the reason).
    """
    snapshot = checkout_snapshot(cart=cart) if cart is not None else CheckoutSnapshot(cart_id=0, lines=())
    method = shipping_method_by_code(code=shipping_method_code) if shipping_method_code else None
    # No code in the request: the one applied to the cart (POST /api/v1/cart/coupon/).
    coupon_code = coupon_code or (cart.coupon_code if cart is not None and use_cart_coupon else "")
    outcome = _discount_resolve(coupon_code=coupon_code, snapshot=snapshot, user=user)
    return snapshot, price_compute(lines=snapshot.pricing_lines(), shipping_method=method,
                                   country=country or "", discount=_discount(outcome))


def _attach_lines(order: Order, lines: list[OrderLine]) -> None:
    """Let order.lines.all() answer from memory (serializers, the email context) instead of a query."""
    queryset = OrderLine.objects.filter(order=order)
    queryset._result_cache = lines
    queryset._prefetch_done = True
    order._prefetched_objects_cache = {"lines": queryset}


def order_place(
    *,
    cart: Cart | None,
    user=None,
    shipping_method_code: str,
    payment_method: str = "cod",
    email: str = "",
    phone: str = "",
    address: ShippingAddress | None = None,
    address_id: int | None = None,
    coupon_code: str = "",
    customer_note: str = "",
    before_allocate: Callable[[Order], None] | None = None,
    savepoint: bool = True,
) -> Order:
    """Place an order for `cart` (see the module docstring). Raises ApplicationError subclasses:
    cart_empty / shipping_method_unknown / shipping_method_unavailable / checkout_details_invalid /
    payment_method_unknown (400), insufficient_stock listing every short line and cart_converted (409).

    `before_allocate(order)` runs in the transaction once the order and its lines are written, just
    before the stock is allocated: a caller's own writes go there so that they are not made while the
    variant rows are locked (checkout_idempotent stores its answer there).

    `savepoint=False`: the caller's transaction is rolled back whenever this raises (checkout_idempotent
    lets the error end its own atomic block), so the SAVEPOINT / RELEASE pair, two round trips and one of
    them under the hot SKU's row lock, is skipped. A caller that catches the error and goes on using the
    transaction must keep the savepoint.
    """
    with transaction.atomic(savepoint=savepoint):
        provider = payment_provider_get(code=payment_method)
        if cart is None:
            raise CartEmpty()
        snapshot = checkout_snapshot(cart=cart)
        if not snapshot.lines:
            raise CartEmpty()
        not_for_sale = [ShortLine(ln.variant_id, ln.sku, ln.quantity, 0) for ln in snapshot.lines if not ln.for_sale]
        if not_for_sale:
            raise InsufficientStock(not_for_sale)

        customer = user if user is not None and user.is_authenticated else None
        ship_to = _address_resolve(user=customer, address=address, address_id=address_id)
        email = email or (customer.email if customer else "")
        phone = phone or ship_to.phone or (str(customer.phone or "") if customer else "")
        missing = {f: "required" for f, v in {"email": email, "phone": phone}.items() if not v}
        if missing:
            raise CheckoutDetailsInvalid("Email and phone are required.", details=missing)
        phone = _contact_check(email=email, phone=phone)

        tables = pricing_tables()  # read once: the method and the tax rate come from the same copy
        method = shipping_method_by_code(code=shipping_method_code, tables=tables)
        discounts = _discount_resolve(coupon_code=coupon_code or cart.coupon_code, snapshot=snapshot, user=customer,
                                      email=email, lock_coupon=True)
        prices = price_compute(
            lines=snapshot.pricing_lines(), shipping_method=method, country=ship_to.country,
            discount=_discount(discounts), tax_rate=tables.tax_rate_for(ship_to.country),
        )

        order = Order(
            number=order_number_new(), user=customer, email=email, phone=phone,
            ship_full_name=ship_to.full_name, ship_line1=ship_to.line1, ship_line2=ship_to.line2,
            ship_city=ship_to.city, ship_region=ship_to.region, ship_postal_code=ship_to.postal_code,
            ship_country=ship_to.country.upper(), shipping_method=method, shipping_method_name=method.name,
            payment_method=provider.code, currency=prices.currency, subtotal=prices.subtotal,
            discount=prices.discount, shipping=prices.shipping, tax=prices.tax, total=prices.total,
            prices_include_tax=prices.prices_include_tax, coupon_code=prices.coupon_code, customer_note=customer_note,
        )
        order.payment_status = provider.start(order=order).status
        order.save(force_insert=True)
        priced = {p.key: p for p in prices.lines}
        lines = OrderLine.objects.bulk_create([
            OrderLine(
                order=order, variant_id=ln.variant_id, product_id=ln.product_id, product_name=ln.product_name,
                sku=ln.sku, attributes=ln.attributes, unit_price=ln.unit_price, quantity=ln.quantity,
                line_total=priced[ln.variant_id].line_total, discount=priced[ln.variant_id].discount,
            )
            for ln in snapshot.lines
        ])
        OrderStatusLog.objects.create(order=order, from_status="", to_status=Order.Status.PENDING, changed_by=customer)
        if discounts.coupon is not None:  # the coupon row is locked since _discount_resolve
            coupon_usage_record(coupon=discounts.coupon.rule, order=order, discount=discounts.coupon.amount)

        # A parallel checkout of the same cart waits on this row and then finds it converted.
        converted = Cart.objects.filter(pk=cart.pk, status=Cart.Status.OPEN).update(
            status=Cart.Status.CONVERTED, updated_at=timezone.now()
        )
        if not converted:
            raise ConflictError("This cart has already been checked out.", code="cart_converted")
        _attach_lines(order, lines)
        # The "order placed" email is recorded in this transaction (it commits or rolls back with the
        # order, so a crash right after the commit cannot lose it: notifications_resend_pending picks up
        # an undelivered row) and handed to Celery after commit. Before the allocation, so the row
        # insert is not made while the variant rows are locked.
        order_notify(order=order, event="placed", order_is_new=True)
        order_placed.send(sender=Order, order=order)
        if before_allocate is not None:
            before_allocate(order)
        # Last on purpose: the variant rows stay locked only from here to the commit, which keeps the
        # queue on a hot SKU short.
        stock_allocate(quantities=[(ln.variant_id, ln.quantity) for ln in snapshot.lines])
        return order


# --- idempotency --------------------------------------------------------------------------------


def request_fingerprint(payload) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def canonical_body(body):
    """Sorted keys at every level: PostgreSQL's jsonb reorders keys, a replay must read the same."""
    return json.loads(json.dumps(body, sort_keys=True, default=str))


@dataclass(frozen=True)
class IdempotentAnswer:
    status: int
    body: dict
    replayed: bool


def checkout_idempotent(
    *,
    key: str,
    scope: str,
    fingerprint: str,
    place: Callable[[Callable[[Order], None]], Order],
    render: Callable[[Order], tuple[int, dict]],
) -> IdempotentAnswer:
    """Place an order at most once per (scope, key) and store its answer for retries.

    `place(before_allocate)` places the order, passing `before_allocate` on to `order_place`;
    `render(order)` gives the answer (HTTP status, JSON body), which is stored at that point, before
    the stock is allocated, so that the write stays out of the variant-lock window of a hot SKU.
    A retry with the same body gets the stored answer; with another body, 422. A failed checkout
    stores nothing (its key row rolls back with it), so the client may retry it with the same key.
    """
    with transaction.atomic():
        # ON CONFLICT DO NOTHING: on PostgreSQL a duplicate waits here until the first request's
        # transaction ends, then inserts nothing (it committed) or its own row (it rolled back).
        record_id = _idempotency_key_claim(scope=scope, key=key, fingerprint=fingerprint)
        if record_id is None:  # the key was committed by an earlier request: replay its answer
            record = CheckoutIdempotencyKey.objects.get(scope=scope, key=key)
            if record.request_fingerprint != fingerprint:
                raise IdempotencyKeyReused()
            # answers are stored in the transaction that inserts the row, so a committed row has one
            return IdempotentAnswer(status=record.response_status, body=canonical_body(record.response_body),
                                    replayed=True)
        # our own row, still uncommitted
        answers = []

        def store_answer(order: Order) -> None:
            status, body = render(order)
            body = canonical_body(body)
            CheckoutIdempotencyKey.objects.filter(pk=record_id).update(
                order=order, response_status=status, response_body=body
            )
            answers.append((status, body))

        place(store_answer)
        status, body = answers[0]
        return IdempotentAnswer(status=status, body=body, replayed=False)


def _idempotency_key_claim(*, scope: str, key: str, fingerprint: str) -> int | None:
    """Insert the key's row and return its id, or None when (scope, key) already has a row.

    One INSERT ... ON CONFLICT DO NOTHING RETURNING statement (PostgreSQL, and SQLite >= 3.35): the
    ORM's bulk_create(ignore_conflicts=True) cannot say whether it inserted, which took a second
    query on every checkout.
    """
    qn = connection.ops.quote_name
    table = CheckoutIdempotencyKey._meta.db_table
    # only quoted model identifiers are interpolated; every value is a parameter
    columns = ", ".join(qn(c) for c in ("scope", "key", "request_fingerprint", "created_at"))
    sql = (
        f"INSERT INTO {qn(table)} ({columns}) VALUES (%s, %s, %s, %s) "  # noqa: S608
        f"ON CONFLICT ({qn('scope')}, {qn('key')}) DO NOTHING RETURNING {qn('id')}"
    )
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(sql, [scope, key, fingerprint, created_at])
        row = cursor.fetchone()
    return row[0] if row else None


def idempotency_scope(*, user, cart_token: str | None) -> str:
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"cart:{cart_token or '-'}"[:100]

