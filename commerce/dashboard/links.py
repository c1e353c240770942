"""Admin URLs of the lists behind the dashboard panels. Each returns None when the list's app or
view is not installed, so a panel renders without its link rather than failing."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse


def _reverse(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def order_desk_url(**filters) -> str | None:
    base = _reverse("orders_order_modeladmin_index")
    if base is None:
        return None
    return f"{base}?{urlencode(filters)}" if filters else base


def orders_today_url(*, today: date) -> str | None:
    from .selectors import day_start  # aware bounds: "today" is the shop's calendar day

    return order_desk_url(
        created_at__gte=day_start(today).isoformat(),
        created_at__lt=day_start(today + timedelta(days=1)).isoformat(),
    )


def orders_pending_url() -> str | None:
    return order_desk_url(status__exact="pending")


def order_inspect_url(order_pk: int) -> str | None:
    try:
        return reverse("orders_order_modeladmin_inspect", args=[order_pk])
    except NoReverseMatch:
        return None


def reviews_pending_url() -> str | None:
    try:
        from commerce.reviews.models import Review
    except ImportError:
        return None
    viewset = getattr(Review, "snippet_viewset", None)
    if viewset is None:
        return None
    base = _reverse(viewset.get_url_name("list"))
    return f"{base}?status=pending" if base else None


def report_url(name: str) -> str | None:
    return _reverse(f"shop_reports:{name}")
