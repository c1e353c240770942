"""The /track/ page: order number + phone -> status and timeline, like POST /api/v1/orders/track/."""

from django import forms
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from commerce.core.errors import NotFoundError
from commerce.core.throttling import ip_ident, throttle_hit
from commerce.orders.selectors import order_timeline, order_track


class TrackingForm(forms.Form):
    order_number = forms.CharField(max_length=20, label="Order number")
    phone = forms.CharField(max_length=32, label="Phone number given at checkout",
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))


def _over_tracking_limit(request) -> bool:
    """The page counts on the API's "tracking" counter (same scope, same client address), so switching
    between them gains nothing."""
    state = throttle_hit(request=request, scope="tracking", idents=[ip_ident(request)])
    return state is not None and state.exceeded


@require_http_methods(["GET", "POST"])
def track_page(request):
    order, status = None, 200
    if request.method == "POST":
        form = TrackingForm(request.POST)
        if _over_tracking_limit(request):
            form.is_valid()
            form.add_error(None, "Too many attempts. Please wait a minute and try again.")
            status = 429
        elif form.is_valid():
            try:
                order = order_track(**form.cleaned_data)
            except NotFoundError as exc:
                form.add_error(None, exc.message)
                status = 404
    else:
        form = TrackingForm(initial={"order_number": request.GET.get("order_number", "")})
    context = {"form": form, "order": order, "timeline": order_timeline(order=order) if order else []}
    return render(request, "tracking/track.html", context, status=status)
