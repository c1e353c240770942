"""Wagtail admin home panels. Each panel asks one selector (constant queries) and links to the list
behind its figures."""

from django.conf import settings
from django.utils import timezone
from wagtail.admin.ui.components import Component

from . import links, selectors
from .charts import sales_chart_svg

LOW_STOCK_SHOWN = 8


class SalesPanel(Component):
    name = "shop_sales"
    order = 50
    template_name = "dashboard/panels/sales.html"

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        return {
            "summary": selectors.sales_summary(today=today),
            "orders_today_url": links.orders_today_url(today=today),
            "pending_url": links.orders_pending_url(),
            "sales_report_url": links.report_url("sales_by_day"),
        }


class PendingOrdersPanel(Component):
    name = "shop_pending_orders"
    order = 60
    template_name = "dashboard/panels/pending_orders.html"

    def get_context_data(self, parent_context=None):
        orders = selectors.orders_pending_oldest(limit=5)
        return {
            "orders": [(order, links.order_inspect_url(order.pk)) for order in orders],
            "pending_url": links.orders_pending_url(),
        }


class SalesChartPanel(Component):
    name = "shop_sales_chart"
    order = 70
    template_name = "dashboard/panels/sales_chart.html"

    def get_context_data(self, parent_context=None):
        days = selectors.sales_by_day(days=30)
        return {"chart": sales_chart_svg(days), "sales_report_url": links.report_url("sales_by_day")}


class LowStockPanel(Component):
    name = "shop_low_stock"
    order = 80
    template_name = "dashboard/panels/low_stock.html"

    def get_context_data(self, parent_context=None):
        low = list(selectors.variants_low_stock()[: LOW_STOCK_SHOWN + 1])
        return {
            "variants": low[:LOW_STOCK_SHOWN],
            "more": len(low) > LOW_STOCK_SHOWN,
            "threshold": settings.SHOP_LOW_STOCK_THRESHOLD,
            "report_url": links.report_url("low_stock"),
        }


class PendingReviewsPanel(Component):
    name = "shop_pending_reviews"
    order = 90
    template_name = "dashboard/panels/pending_reviews.html"

    def get_context_data(self, parent_context=None):
        count, latest = selectors.reviews_pending(limit=5)
        return {"count": count, "reviews": latest, "reviews_url": links.reviews_pending_url()}


def dashboard_panels() -> list[Component]:
    return [SalesPanel(), PendingOrdersPanel(), SalesChartPanel(), LowStockPanel(), PendingReviewsPanel()]
