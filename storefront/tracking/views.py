"""The /track/ page: order number + phone -> status and timeline, like POST /api/v1/orders/track/."""

from django import forms
from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_http_methods
from rest_framework.throttling import SimpleRateThrottle

from api.throttling import hit_counter
from commerce.core.errors import NotFoundError
from commerce.orders.selectors import order_timeline, order_track


class TrackingForm(forms.Form):
    order_number = forms.CharField(max_length=20, label="Order number")
    phone = forms.CharField(max_length=32, label="Phone number given at checkout",
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))


def _over_tracking_limit(request) -> bool:
    """The page shares the API's "tracking" rate, per client IP, so it is no way around the limit."""
    rate = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"].get("tracking")
    if not rate:
        return False
    num_requests, duration = SimpleRateThrottle.parse_rate(None, rate)
    ip = request.META.get("REMOTE_ADDR", "")
    return hit_counter(f"tracking-site:ip:{ip}", window_seconds=duration) > num_requests


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
