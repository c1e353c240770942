"""The cart page and its forms. The site keeps an anonymous cart's token in the session."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from commerce.cart.models import Cart
from commerce.cart.selectors import cart_view
from commerce.cart.services import (
    CartNotFound,
    cart_line_add,
    cart_line_remove,
    cart_line_set_quantity,
    cart_resolve,
)
from commerce.cart.signals import SESSION_CART_KEY
from commerce.catalog.selectors import product_detail_get, product_first_image_ids
from commerce.core.errors import ApplicationError
from commerce.core.forms import StrictIntegerField
from commerce.orders.pricing import shipping_methods_available
from storefront.catalogue.images import THUMB, pictures
from storefront.product.picker import variant_for_options


def session_cart(request, *, create: bool) -> Cart | None:
    """The visitor's cart: their own when logged in, else the one whose token the session holds."""
    user = request.user
    token = None if user.is_authenticated else request.session.get(SESSION_CART_KEY)
    try:
        cart = cart_resolve(user=user, token=token, create=create)
    except CartNotFound:  # checked out or purged since: start afresh
        request.session.pop(SESSION_CART_KEY, None)
        cart = cart_resolve(user=user, token=None, create=create)
    if cart is not None and cart.user_id is None:
        request.session[SESSION_CART_KEY] = str(cart.token)
    return cart


class AddToCartForm(forms.Form):
    """A SKU, or the product page's choice: `product` (slug) and one `option-<attribute>` per group."""

    sku = forms.CharField(max_length=64, required=False)
    product = forms.SlugField(max_length=255, required=False)
    quantity = StrictIntegerField(min_value=1, max_value=1000, initial=1)

    def clean(self):
        cleaned = super().clean()
        options = {
            key.removeprefix("option-"): value[:100] for key, value in self.data.items() if key.startswith("option-")
        }
        if cleaned.get("product") and options:
            # the radio groups are what the shopper chose (without JavaScript the hidden SKU is the
            # page's first choice): they decide the variant
            detail = product_detail_get(slug=cleaned["product"])
            variant = variant_for_options(variants=detail.variants, options=options) if detail else None
            if variant is None:
                raise forms.ValidationError("That combination is not available. Choose another option.")
            cleaned["sku"] = variant.sku
        if not cleaned.get("sku"):
            raise forms.ValidationError("Choose an option.")
        return cleaned


class LineQuantityForm(forms.Form):
    quantity = StrictIntegerField(min_value=0, max_value=1000, help_text="0 removes the line")


def _back(request, default: str):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def _free_shipping(subtotal: Decimal) -> dict | None:
    """How far the cart is from free shipping: the lowest `free_over` among the methods on offer."""
    thresholds = [m.free_over for m in shipping_methods_available(country="") if m.free_over is not None]
    if not thresholds:
        return None
    threshold = min(thresholds)
    missing = max(threshold - subtotal, Decimal("0"))
    return {
        "threshold": threshold,
        "missing": missing,
        "reached": missing == 0,
        "percent": 100 if missing == 0 else int(subtotal * 100 / threshold),
    }


def _thumbnails(lines) -> dict[int, object]:
    """{variant id: Picture}: each line's product's first picture (one query, none when memoised)."""
    first = product_first_image_ids(product_ids={line.product_id for line in lines})
    found = pictures(image_ids=first.values(), spec=THUMB)
    return {line.variant_id: found.get(first.get(line.product_id)) for line in lines}


def cart_detail(request):
    view = cart_view(cart=session_cart(request, create=False))
    thumbnails = _thumbnails(view.lines) if view.lines else {}
    lines = [{"line": line, "picture": thumbnails.get(line.variant_id)} for line in view.lines]
    return render(
        request,
        "cart/cart.html",
        {"cart": view, "lines": lines, "free_shipping": _free_shipping(view.subtotal) if view.lines else None},
    )


@require_POST
def cart_add(request):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        problem = form.non_field_errors()
        messages.error(request, problem[0] if problem else "Choose an option and a quantity of at least 1.")
        return _back(request, reverse("cart:detail"))
    sku, quantity = form.cleaned_data["sku"], form.cleaned_data["quantity"]
    try:
        cart_line_add(cart=session_cart(request, create=True), sku=sku, quantity=quantity)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Added {quantity} × {sku} to your cart.")
    return _back(request, reverse("cart:detail"))


@require_POST
def cart_line_update(request, line_id: int):
    cart = session_cart(request, create=False)
    form = LineQuantityForm(request.POST)
    if cart is None or not form.is_valid():
        messages.error(request, "Enter a quantity of 0 or more.")
        return redirect("cart:detail")
    try:
        cart_line_set_quantity(cart=cart, line_id=line_id, quantity=form.cleaned_data["quantity"])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your cart is updated.")
    return redirect("cart:detail")


@require_POST
def cart_line_delete(request, line_id: int):
    cart = session_cart(request, create=False)
    try:
        if cart is None:
            raise CartNotFound()
        cart_line_remove(cart=cart, line_id=line_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The item is removed.")
    return redirect("cart:detail")
