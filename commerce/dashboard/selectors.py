"""Reads behind the admin dashboard and the shop reports.

Each function is one query (or two) whatever the number of orders: aggregates and GROUP BY in the
database, never a loop over orders. "Revenue" is the total of orders placed in the period that were
not cancelled or returned; days are calendar days in the shop's TIME_ZONE.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from commerce.catalog.models import ProductVariant
from commerce.orders.models import Order, OrderLine

ZERO = Decimal("0.00")
NOT_REVENUE = [Order.Status.CANCELLED, Order.Status.RETURNED]
_MONEY = DecimalField(max_digits=14, decimal_places=2)


def day_start(day: date) -> datetime:
    """Midnight at the start of `day` in the shop's time zone, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


@dataclass(frozen=True)
class SalesSummary:
    orders_today: int
    revenue_today: Decimal
    revenue_7_days: Decimal
    revenue_30_days: Decimal
    pending_orders: int


def sales_summary(*, today: date | None = None) -> SalesSummary:
    """Today's orders, revenue for today / 7 / 30 days (today included) and orders awaiting
    confirmation, in one query."""
    today = today or timezone.localdate()
    start_today = day_start(today)
    start_7 = day_start(today - timedelta(days=6))
    start_30 = day_start(today - timedelta(days=29))
    counted = ~Q(status__in=NOT_REVENUE)

    def revenue_since(start):
        return Coalesce(Sum("total", filter=counted & Q(created_at__gte=start)), Value(ZERO), output_field=_MONEY)

    row = Order.objects.filter(Q(created_at__gte=start_30) | Q(status=Order.Status.PENDING)).aggregate(
        orders_today=Count("id", filter=Q(created_at__gte=start_today)),
        revenue_today=revenue_since(start_today),
        revenue_7_days=revenue_since(start_7),
        revenue_30_days=revenue_since(start_30),
        pending_orders=Count("id", filter=Q(status=Order.Status.PENDING)),
    )
    return SalesSummary(**row)


def orders_pending_oldest(*, limit: int = 5) -> list[Order]:
    """Orders waiting for confirmation, oldest first: the ones the shop should look at next."""
    return list(
        Order.objects.filter(status=Order.Status.PENDING)
        .only("id", "number", "ship_full_name", "total", "created_at", "currency")
        .order_by("created_at", "id")[:limit]
    )


def variants_low_stock() -> QuerySet[ProductVariant]:
    """Active variants of live products at or below their low-stock threshold, fewest first."""
    return ProductVariant.objects.low_stock().select_related("product")


def reviews_pending(*, limit: int = 5) -> tuple[int, list]:
    """(count, newest few) of reviews awaiting moderation; (0, []) if the reviews app is absent."""
    try:
        from commerce.reviews.models import Review
    except ImportError:  # the reviews app is optional for the dashboard
        return 0, []
    pending = Review.objects.filter(status=Review.Status.PENDING)
    count = pending.count()
    latest = list(pending.select_related("product").order_by("-created_at")[:limit]) if count else []
    return count, latest


@dataclass(frozen=True)
class DaySales:
    day: date
    orders: int
    revenue: Decimal


def sales_by_day(*, days: int = 30, today: date | None = None) -> list[DaySales]:
    """One row per day for the last `days` days (today last), zero-filled, in one query."""
    today = today or timezone.localdate()
    first = today - timedelta(days=days - 1)
    rows = (
        Order.objects.filter(created_at__gte=day_start(first))
        .exclude(status__in=NOT_REVENUE)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(orders=Count("id"), revenue=Sum("total"))
        .order_by("day")
    )
    by_day = {row["day"]: row for row in rows}
    result = []
    for offset in range(days):
        day = first + timedelta(days=offset)
        row = by_day.get(day)
        result.append(DaySales(day=day, orders=row["orders"] if row else 0, revenue=row["revenue"] if row else ZERO))
    return result


def top_products(*, days: int = 30, limit: int = 20, today: date | None = None) -> list[dict]:
    """Best sellers by units over the last `days` days: product name, units, revenue (one query)."""
    today = today or timezone.localdate()
    return list(
        OrderLine.objects.filter(order__created_at__gte=day_start(today - timedelta(days=days - 1)))
        .exclude(order__status__in=NOT_REVENUE)
        .values("product_id", "product_name")
        .annotate(units=Sum("quantity"), revenue=Sum("line_total"), orders=Count("order_id", distinct=True))
        .order_by("-units", "-revenue", "product_name")[:limit]
    )
