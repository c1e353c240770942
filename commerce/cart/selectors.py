"""Cart reads: which cart a request may use, and the cart's lines with prices and availability.

A cart is reached either by its owner (a logged-in customer's open cart) or by its secret token (an
anonymous open cart). A token never opens a customer's cart or a cart that is no longer open, so a
leaked or stale token reads nothing.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Prefetch, QuerySet, Sum

from commerce.catalog.models import AttributeValue
from commerce.core.compiled_query import CompiledQuery
from commerce.core.money import quantize_money

from .models import Cart, CartLine


def token_parse(value) -> uuid.UUID | None:
    """A cart token from a header or the session, or None when absent or malformed."""
    if not value:
        return None
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return None


_CART_COLUMNS = [f.attname for f in Cart._meta.concrete_fields]
# every cart request resolves its token: compiled once per connection (commerce/core/compiled_query.py)
_cart_by_token = CompiledQuery(lambda token: Cart.objects.filter(token=token).order_by().values_list(*_CART_COLUMNS))


def cart_get_by_token(*, token: uuid.UUID) -> Cart | None:
    """The cart with this token whatever its owner and status (the caller decides what it may open)."""
    rows = _cart_by_token.rows(token=token)
    return Cart.from_db(DEFAULT_DB_ALIAS, _CART_COLUMNS, rows[0]) if rows else None


def cart_get_anonymous(*, token) -> Cart | None:
    """The open anonymous cart with this token; None for unknown, customer or closed carts."""
    parsed = token_parse(token)
    if parsed is None:
        return None
    return Cart.objects.filter(token=parsed, user__isnull=True, status=Cart.Status.OPEN).first()


def cart_get_for_user(*, user) -> Cart | None:
    return Cart.objects.filter(user=user, status=Cart.Status.OPEN).first()


def cart_item_count(*, user, token) -> int:
    """Items (the sum of quantities) in the visitor's open cart: the customer's when `user` is
    logged in, else the anonymous cart with `token`. One query; 0 without a cart."""
    carts = Cart.objects.filter(status=Cart.Status.OPEN)
    if user is not None and user.is_authenticated:
        carts = carts.filter(user=user)
    else:
        parsed = token_parse(token)
        if parsed is None:
            return 0
        carts = carts.filter(token=parsed, user__isnull=True)
    total = CartLine.objects.filter(cart__in=carts).aggregate(n=Sum("quantity"))["n"]
    return total or 0


def cart_lines_qs(*, cart_id: int) -> QuerySet[CartLine]:
    """Lines with variant, product and attribute values: two queries whatever the number of lines."""
    return (
        CartLine.objects.filter(cart_id=cart_id)
        .select_related("variant__product")
        .prefetch_related(
            Prefetch(
                "variant__attribute_values",
                queryset=AttributeValue.objects.select_related("attribute").order_by(
                    "attribute__sort_order", "attribute__name"
                ),
            )
        )
        .order_by("created_at", "id")
    )


def variant_attributes(variant) -> dict[str, str]:
    """{"Size": "M", "Color": "Blue"} from prefetched attribute values."""
    return {value.attribute.name: value.name for value in variant.attribute_values.all()}


@dataclass(frozen=True)
class CartLineView:
    id: int
    variant_id: int
    sku: str
    product_name: str
    product_slug: str
    attributes: dict
    unit_price: Decimal
    quantity: int
    line_total: Decimal
    available: int
    product_id: int | None = None


@dataclass(frozen=True)
class CartView:
    cart: Cart | None
    lines: list[CartLineView]
    subtotal: Decimal
    item_count: int

    @property
    def token(self) -> str | None:
        return str(self.cart.token) if self.cart and self.cart.user_id is None else None

    @property
    def is_empty(self) -> bool:
        return not self.lines


def cart_view(*, cart: Cart | None) -> CartView:
    """What the shopper sees: lines with current prices and availability, subtotal, item count."""
    if cart is None or cart.pk is None:
        return CartView(cart=cart, lines=[], subtotal=quantize_money(0), item_count=0)
    lines = []
    for line in cart_lines_qs(cart_id=cart.pk):
        variant = line.variant
        unit_price = variant.effective_price
        lines.append(
            CartLineView(
                id=line.pk,
                variant_id=variant.pk,
                sku=variant.sku,
                product_name=variant.product.name,
                product_slug=variant.product.slug,
                attributes=variant_attributes(variant),
                unit_price=unit_price,
                quantity=line.quantity,
                line_total=quantize_money(unit_price * line.quantity),
                available=variant.stock_available if variant.is_active and variant.product.live else 0,
                product_id=variant.product_id,
            )
        )
    return CartView(
        cart=cart,
        lines=lines,
        subtotal=quantize_money(sum((ln.line_total for ln in lines), Decimal("0"))),
        item_count=sum(ln.quantity for ln in lines),
    )
