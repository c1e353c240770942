"""Shopper-facing pages: back-in-stock form, its unsubscribe link, cart restore and reminder opt-out."""

import contextlib

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from commerce.cart.services import CartNotFound, cart_resolve
from commerce.cart.signals import SESSION_CART_KEY
from commerce.core.errors import ApplicationError
from commerce.core.throttling import throttle_hit, user_or_ip_ident
from commerce.marketing.services import (
    back_in_stock_subscribe,
    back_in_stock_unsubscribe,
    cart_reminders_opt_out,
    cart_restore_resolve,
)

# the API's scope: one budget per client whether it subscribes on the site or through the API
THROTTLE_SCOPE = "back_in_stock"


class BackInStockForm(forms.Form):
    sku = forms.CharField(max_length=64)
    email = forms.EmailField(required=False)


def _back(request):
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/shop/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/shop/"
    return redirect(target)


@require_POST
def back_in_stock_subscribe_view(request):
    form = BackInStockForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a valid email address to be told when it is back.")
        return _back(request)
    state = throttle_hit(request=request, scope=THROTTLE_SCOPE, idents=[user_or_ip_ident(request)])
    if state is not None and state.exceeded:
        messages.error(request, "Too many requests. Please try again later.")
        return _back(request)
    try:
        subscription = back_in_stock_subscribe(user=request.user, **form.cleaned_data)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"We will email {subscription.email} once, when it is back in stock.")
    return _back(request)


@require_http_methods(["GET", "POST"])
def back_in_stock_unsubscribe_view(request, token):
    # GET only asks: mail scanners follow links, and a click must not be needed to undo a scan
    if request.method == "POST":
        try:
            back_in_stock_unsubscribe(token=token)
        except ApplicationError as exc:
            return render(request, "marketing/message.html", {"title": "Link not valid", "message": exc.message},
                          status=404)
        return render(request, "marketing/message.html", {
            "title": "Unsubscribed", "message": "You will not get this back-in-stock email."})
    return render(request, "marketing/confirm.html", {
        "title": "Stop this back-in-stock email?", "button": "Unsubscribe"})


def cart_restore_view(request, token):
    try:
        cart = cart_restore_resolve(token=token)
    except ApplicationError as exc:
        return render(request, "marketing/message.html", {"title": "Cart not found", "message": exc.message},
                      status=404)
    if cart.user_id is not None:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if request.user.pk != cart.user_id:
            return render(request, "marketing/message.html", {
                "title": "Cart not found", "message": "This cart belongs to another account."}, status=404)
        return redirect("cart:detail")
    if request.user.is_authenticated:
        # a customer opening their guest cart's link: merge it into their cart
        with contextlib.suppress(CartNotFound):
            cart_resolve(user=request.user, token=str(cart.token), create=False)
    else:
        request.session[SESSION_CART_KEY] = str(cart.token)
    messages.success(request, "Your cart is back.")
    return redirect("cart:detail")


@require_http_methods(["GET", "POST"])
def cart_reminders_opt_out_view(request, token):
    if request.method == "POST":
        try:
            email = cart_reminders_opt_out(token=token)
        except ApplicationError as exc:
            return render(request, "marketing/message.html", {"title": "Link not valid", "message": exc.message},
                          status=404)
        return render(request, "marketing/message.html", {
            "title": "No more cart reminders", "message": f"We will not send cart reminders to {email}."})
    return render(request, "marketing/confirm.html", {"title": "Stop cart reminders?", "button": "Stop reminders"})
