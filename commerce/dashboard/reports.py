"""Shop reports in the Wagtail admin (Reports menu), each exportable to XLSX and CSV by Wagtail's
ReportView."""

import django_filters
from django.conf import settings
from django.utils.functional import cached_property
from django.utils.text import Truncator
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView
from wagtail.permission_policies import ModelPermissionPolicy

from commerce.catalog.models import ProductVariant
from commerce.core.money import format_money
from commerce.notifications.models import NotificationLog
from commerce.orders.models import Order

from . import selectors


class MoneyColumn(Column):
    def get_value(self, instance):
        value = super().get_value(instance)
        return format_money(value) if value is not None else ""


class OrderReportView(ReportView):
    """Reports of sales and revenue: for roles that see money (orders.view_revenue), not support."""

    any_permission_required = ["view_revenue"]

    def user_has_any_permission(self, permissions):
        # a custom codename, not "<action>_order": ask Django directly
        return self.request.user.has_perm("orders.view_revenue")

    @cached_property
    def permission_policy(self):
        return ModelPermissionPolicy(Order)


class LowStockReportView(ReportView):
    page_title = "Low stock"
    header_icon = "warning"
    index_url_name = "shop_reports:low_stock"
    index_results_url_name = "shop_reports:low_stock_results"
    export_filename = "low-stock"
    any_permission_required = ["view", "change"]
    columns = [
        Column("sku", label="SKU"),
        Column("product", label="Product", accessor="product.name"),
        Column("available", label="Available"),
        Column("threshold", label="Alert at"),
        Column("stock_on_hand", label="On hand"),
        Column("stock_allocated", label="Allocated"),
    ]
    list_export = ["sku", "product.name", "available", "threshold", "stock_on_hand", "stock_allocated"]
    export_headings = {
        "sku": "SKU",
        "product.name": "Product",
        "available": "Available",
        "threshold": "Alert at",
        "stock_on_hand": "On hand",
        "stock_allocated": "Allocated",
    }

    @cached_property
    def permission_policy(self):
        return ModelPermissionPolicy(ProductVariant)

    def get_queryset(self):
        return selectors.variants_low_stock()

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["threshold"] = settings.SHOP_LOW_STOCK_THRESHOLD
        return context


class SalesByDayReportView(OrderReportView):
    page_title = "Sales by day"
    header_icon = "date"
    index_url_name = "shop_reports:sales_by_day"
    index_results_url_name = "shop_reports:sales_by_day_results"
    export_filename = "sales-by-day"
    paginate_by = 100
    columns = [
        Column("day", label="Day"),
        Column("orders", label="Orders"),
        MoneyColumn("revenue", label="Revenue"),
    ]
    list_export = ["day", "orders", "revenue"]
    export_headings = {"day": "Day", "orders": "Orders", "revenue": "Revenue"}

    def get_queryset(self):
        # newest first on screen and in the spreadsheet
        return list(reversed(selectors.sales_by_day(days=90)))


class TopProductsReportView(OrderReportView):
    page_title = "Top products (30 days)"
    header_icon = "pick"
    index_url_name = "shop_reports:top_products"
    index_results_url_name = "shop_reports:top_products_results"
    export_filename = "top-products"
    columns = [
        Column("product_name", label="Product"),
        Column("units", label="Units sold"),
        Column("orders", label="Orders"),
        MoneyColumn("revenue", label="Revenue"),
    ]
    list_export = ["product_name", "units", "orders", "revenue"]
    export_headings = {"product_name": "Product", "units": "Units sold", "orders": "Orders", "revenue": "Revenue"}

    def get_queryset(self):
        return selectors.top_products(days=30, limit=100)


class TruncatedColumn(Column):
    def get_value(self, instance):
        return Truncator(super().get_value(instance) or "").chars(120)


class NotificationLogFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(choices=NotificationLog.Status.choices)
    event = django_filters.CharFilter(lookup_expr="exact")
    recipient = django_filters.CharFilter(lookup_expr="iexact")

    class Meta:
        model = NotificationLog
        fields = ["status", "event", "recipient"]


class NotificationLogReportView(OrderReportView):
    """Every email the shop recorded, read-only: its status, how many sends were started, the last error
    and the Message-ID that every attempt carries. For whoever may view orders: support answers "did my
    email go out?" from here."""

    page_title = "Email log"
    header_icon = "mail"
    index_url_name = "shop_reports:notifications"
    index_results_url_name = "shop_reports:notifications_results"
    export_filename = "email-log"
    filterset_class = NotificationLogFilterSet
    paginate_by = 50
    columns = [
        DateColumn("created_at", label="Recorded"),
        Column("event", label="Event"),
        Column("recipient", label="Recipient"),
        Column("status", label="Status", accessor="get_status_display"),
        Column("attempts", label="Attempts"),
        DateColumn("claimed_at", label="Last attempt"),
        DateColumn("sent_at", label="Sent"),
        TruncatedColumn("last_error", label="Last error"),
        Column("message_id", label="Message-ID"),
    ]
    list_export = [
        "created_at", "event", "recipient", "status", "attempts", "claimed_at", "sent_at", "last_error", "message_id"
    ]
    export_headings = {
        "created_at": "Recorded",
        "event": "Event",
        "recipient": "Recipient",
        "status": "Status",
        "attempts": "Attempts",
        "claimed_at": "Last attempt",
        "sent_at": "Sent",
        "last_error": "Last error",
        "message_id": "Message-ID",
    }

    def get_queryset(self):
        return NotificationLog.objects.defer("context").order_by("-created_at", "-id")
