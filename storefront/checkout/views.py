"""The site's checkout and confirmation pages: the same order_place and pricing as the API."""

import contextlib

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from commerce.cart.signals import SESSION_CART_KEY
from commerce.core.errors import ApplicationError
from commerce.orders.checkout import checkout_preview, order_place
from commerce.orders.models import Order
from commerce.orders.payments import payment_provider_get
from commerce.promotions.errors import CouponError
from storefront.cart.views import session_cart

from .forms import CheckoutForm

SESSION_PLACED_ORDERS = "placed_orders"


def _summary(cart, form):
    """(snapshot, prices, problem) for the summary: shipping and tax once a method and country are known."""
    method = form["shipping_method"].value() or ""
    country = form.destination_country()
    try:
        snapshot, prices = checkout_preview(cart=cart, shipping_method_code=method if country else "", country=country)
        return snapshot, prices, ""
    except ApplicationError as exc:  # e.g. the method does not ship there: show goods only, say why
        # A coupon kept on the cart may have stopped applying (expired, used up): leave it out here too.
        snapshot, prices = checkout_preview(cart=cart, use_cart_coupon=not isinstance(exc, CouponError))
        return snapshot, prices, exc.message


def _remember_guest_email(cart, email: str) -> None:
    """Keep a guest's email for one abandoned-cart reminder (commerce.marketing); a bad one is ignored here."""
    from commerce.marketing.services import cart_contact_remember

    with contextlib.suppress(ApplicationError):
        cart_contact_remember(cart=cart, email=email)


@require_http_methods(["GET", "POST"])
def checkout_page(request):
    cart = session_cart(request, create=False)
    if cart is None or not cart.lines.exists():
        messages.info(request, "Your cart is empty.")
        return redirect("cart:detail")

    placing = request.method == "POST" and request.POST.get("action") != "update"
    form = CheckoutForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and not request.user.is_authenticated:
        _remember_guest_email(cart, request.POST.get("email", ""))
    if placing and form.shipping_reset:
        # the chosen method does not ship to this country: never place it with another silently
        form.is_valid()
        form.add_error("shipping_method", "That delivery method does not ship to this country. Choose one of these.")
    elif placing and form.is_valid():
        try:
            order = order_place(cart=cart, user=request.user, **form.order_kwargs())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            placed = request.session.get(SESSION_PLACED_ORDERS, [])
            request.session[SESSION_PLACED_ORDERS] = [*placed[-19:], order.number]
            request.session.pop(SESSION_CART_KEY, None)
            return redirect("orders:checkout_confirmation", number=order.number)

    if placing:
        form.link_errors()
    snapshot, prices, summary_problem = _summary(cart, form)
    priced = {p.key: p for p in prices.lines}
    lines = [{"line": ln, "priced": priced[ln.variant_id]} for ln in snapshot.lines]
    return render(request, "checkout/checkout.html", {
        "form": form, "lines": lines, "prices": prices, "summary_problem": summary_problem,
        "error_summary": form.error_summary() if placing else [],
        "show_errors": placing,
    })


def checkout_confirmation(request, number: str):
    order = Order.objects.filter(number=number).prefetch_related("lines").first()
    allowed = order is not None and (
        number in request.session.get(SESSION_PLACED_ORDERS, [])
        or (request.user.is_authenticated and order.user_id == request.user.pk)
    )
    if not allowed:  # unknown and not-yours look the same
        raise Http404("No such order.")
    provider = payment_provider_get(code=order.payment_method)
    return render(request, "checkout/confirmation.html", {
        "order": order, "payment_label": provider.label, "payment_instructions": provider.start(order=order).instructions,
    })
