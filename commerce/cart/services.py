"""Cart writes: resolve a request's cart, add/change/remove lines, merge at login, purge stale carts.

Every write first touches the cart row with an UPDATE, which also locks it until the transaction ends:
two requests changing one cart at once are serialised instead of racing on the same line.
"""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from commerce.catalog.models import ProductVariant
from commerce.core.errors import ApplicationError, ConflictError, NotFoundError

from .models import Cart, CartLine
from .selectors import cart_get_by_token, cart_get_for_user, token_parse


class CartNotFound(NotFoundError):
    code = "cart_not_found"

    def __init__(self):
        super().__init__("No open cart matches this cart token.")


class QuantityUnavailable(ConflictError):
    """More than the available stock was asked for; names the quantity available."""

    code = "insufficient_stock"

    def __init__(self, *, sku: str, requested: int, available: int, in_cart: int = 0):
        message = f"Only {available} of {sku} available."
        if in_cart:
            message += f" Your cart already holds {in_cart}."
        super().__init__(
            message, details={"sku": sku, "requested": requested, "available": available, "in_cart": in_cart}
        )


def _available(variant: ProductVariant) -> int:
    return variant.stock_available if variant.is_active and variant.product.live else 0


def _touch(cart: Cart) -> None:
    """Bump updated_at and take the cart's row lock for the rest of the transaction."""
    Cart.objects.filter(pk=cart.pk).update(updated_at=timezone.now())


def cart_get_or_create_for_user(*, user) -> Cart:
    cart = cart_get_for_user(user=user)
    if cart is not None:
        return cart
    try:
        with transaction.atomic():
            return Cart.objects.create(user=user)
    except IntegrityError:  # a parallel request created it first (one open cart per user)
        return Cart.objects.get(user=user, status=Cart.Status.OPEN)


def cart_resolve(*, user, token, create: bool) -> Cart | None:
    """The cart a request may use, or None when it has none yet and `create` is False.

    - A customer uses their own open cart. If the request also carries the token of an open anonymous
      cart, that cart is merged into theirs first; a token of a cart already merged into theirs is
      ignored, so a client that keeps sending it after login keeps working.
    - An anonymous request uses the open anonymous cart of its token; without a token, a new one is
      made when `create` is True.
    - Any other token (unknown, malformed, converted, or another customer's) raises CartNotFound (404).
    """
    authenticated = user is not None and user.is_authenticated
    if token:
        parsed = token_parse(token)
        token_cart = cart_get_by_token(token=parsed) if parsed else None
        if token_cart is None:
            raise CartNotFound()
        if authenticated and token_cart.user_id == user.pk and token_cart.status != Cart.Status.CONVERTED:
            token_cart = None  # already this customer's (merged earlier, or their own cart)
        elif token_cart.user_id is not None or token_cart.status != Cart.Status.OPEN:
            raise CartNotFound()
    else:
        token_cart = None

    if authenticated:
        cart = cart_get_for_user(user=user)
        if token_cart is not None:
            cart = cart or cart_get_or_create_for_user(user=user)
            cart_merge(source=token_cart, target=cart)
        elif cart is None and create:
            cart = cart_get_or_create_for_user(user=user)
        return cart

    if token_cart is not None:
        return token_cart
    return Cart.objects.create() if create else None


@transaction.atomic
def cart_line_add(*, cart: Cart, sku: str, quantity: int) -> CartLine:
    """Add `quantity` of the variant `sku`, summing with a line already in the cart.

    Raises QuantityUnavailable (409) when the line would exceed the available stock.
    """
    if quantity < 1:
        raise ApplicationError("Quantity must be at least 1.", code="invalid_quantity")
    variant = ProductVariant.objects.select_related("product").filter(sku=sku).first()
    if variant is None or not variant.is_active or not variant.product.live:
        raise ApplicationError(f"No product is for sale with the SKU {sku!r}.", code="unknown_sku")
    _touch(cart)
    line = CartLine.objects.filter(cart=cart, variant=variant).first()
    in_cart = line.quantity if line else 0
    available = _available(variant)
    if in_cart + quantity > available:
        raise QuantityUnavailable(sku=variant.sku, requested=in_cart + quantity, available=available, in_cart=in_cart)
    if line is None:
        return CartLine.objects.create(cart=cart, variant=variant, quantity=quantity)
    line.quantity = in_cart + quantity
    line.save(update_fields=["quantity", "updated_at"])
    return line


@transaction.atomic
def cart_add_for_request(*, user, token, sku: str, quantity: int) -> Cart:
    """Resolve (or create) the request's cart and add to it, in one transaction: a refused add
    leaves no empty anonymous cart behind."""
    cart = cart_resolve(user=user, token=token, create=True)
    cart_line_add(cart=cart, sku=sku, quantity=quantity)
    return cart


def _line_of(cart: Cart, line_id) -> CartLine:
    line = CartLine.objects.select_related("variant__product").filter(cart=cart, pk=line_id).first()
    if line is None:
        raise NotFoundError("This cart has no such line.", code="cart_line_not_found")
    return line


@transaction.atomic
def cart_line_set_quantity(*, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Set a line's quantity; 0 removes the line (returns None). 409 above the available stock."""
    if quantity < 0:
        raise ApplicationError("Quantity cannot be negative.", code="invalid_quantity")
    _touch(cart)
    line = _line_of(cart, line_id)
    if quantity == 0:
        line.delete()
        return None
    available = _available(line.variant)
    if quantity > available and quantity > line.quantity:
        # lowering a quantity is always allowed, even when stock fell below it meanwhile
        raise QuantityUnavailable(sku=line.variant.sku, requested=quantity, available=available)
    line.quantity = quantity
    line.save(update_fields=["quantity", "updated_at"])
    return line


@transaction.atomic
def cart_line_remove(*, cart: Cart, line_id: int) -> None:
    _touch(cart)
    _line_of(cart, line_id).delete()


@transaction.atomic
def cart_merge(*, source: Cart, target: Cart) -> None:
    """Move an anonymous cart's lines into a customer's cart (login).

    Quantities of the same variant are summed and capped at what is available (never below what the
    customer's cart already held). The source is marked merged and attached to the customer, so its
    token keeps resolving to their cart and to nobody else's.
    """
    if source.pk == target.pk:
        return
    claimed = Cart.objects.filter(pk=source.pk, status=Cart.Status.OPEN, user__isnull=True).update(
        status=Cart.Status.MERGED, user_id=target.user_id, updated_at=timezone.now()
    )
    if not claimed:  # a parallel login merged it already
        return
    _touch(target)
    existing = {line.variant_id: line for line in CartLine.objects.filter(cart=target)}
    now = timezone.now()
    raised, added = [], []
    for line in CartLine.objects.filter(cart=source).select_related("variant__product"):
        held = existing.get(line.variant_id)
        in_target = held.quantity if held else 0
        quantity = max(min(in_target + line.quantity, _available(line.variant)), in_target)
        if held is not None:
            if quantity != held.quantity:
                held.quantity, held.updated_at = quantity, now  # bulk_update does not apply auto_now
                raised.append(held)
        elif quantity > 0:
            added.append(CartLine(cart=target, variant=line.variant, quantity=quantity))
    # at most two statements, however many lines the guest cart had
    if raised:
        CartLine.objects.bulk_update(raised, ["quantity", "updated_at"])
    if added:
        CartLine.objects.bulk_create(added)


def carts_purge_stale(*, days: int) -> int:
    """Delete carts nobody touched for `days`: anonymous carts, and customers' closed carts.

    A customer's open cart is kept however old (they expect it when they come back). Returns how many
    carts were deleted (their lines go with them).
    """
    cutoff = timezone.now() - timedelta(days=days)
    stale = Cart.objects.filter(updated_at__lt=cutoff).filter(
        Q(user__isnull=True) | ~Q(status=Cart.Status.OPEN)
    )
    deleted, per_model = stale.delete()
    return per_model.get(Cart._meta.label, 0)
