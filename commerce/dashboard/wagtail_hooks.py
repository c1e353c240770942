from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import urls as report_urls
from .panels import LowStockPanel, PendingOrdersPanel, PendingReviewsPanel, SalesChartPanel, SalesPanel


def _can_see_orders(user) -> bool:
    return user.has_perm("orders.view_order") or user.has_perm("orders.change_order")


def _can_see_money(user) -> bool:
    """Revenue and sales figures: roles with orders.view_revenue (shop managers), not support."""
    return user.has_perm("orders.view_revenue")


def _can_see_stock(user) -> bool:
    return user.has_perm("catalog.view_productvariant") or user.has_perm("catalog.change_productvariant")


@hooks.register("construct_homepage_panels")
def add_shop_panels(request, panels):
    user = request.user
    if _can_see_money(user):
        panels.append(SalesPanel())
    if _can_see_orders(user):
        panels.append(PendingOrdersPanel())
    if _can_see_money(user):
        panels.append(SalesChartPanel())
    if _can_see_stock(user):
        panels.append(LowStockPanel())
    if user.has_perm("reviews.change_review"):
        panels.append(PendingReviewsPanel())


@hooks.register("register_admin_urls")
def register_report_urls():
    return [path("shop-reports/", include(report_urls, namespace="shop_reports"))]


class _PermissionMenuItem(MenuItem):
    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self._check = check

    def is_shown(self, request):
        return self._check(request.user)


@hooks.register("register_reports_menu_item")
def register_low_stock_report():
    return _PermissionMenuItem(
        "Low stock", reverse("shop_reports:low_stock"), icon_name="warning", order=100, check=_can_see_stock
    )


@hooks.register("register_reports_menu_item")
def register_sales_by_day_report():
    return _PermissionMenuItem(
        "Sales by day", reverse("shop_reports:sales_by_day"), icon_name="date", order=101, check=_can_see_money
    )


@hooks.register("register_reports_menu_item")
def register_top_products_report():
    return _PermissionMenuItem(
        "Top products", reverse("shop_reports:top_products"), icon_name="pick", order=102, check=_can_see_money
    )


@hooks.register("register_reports_menu_item")
def register_notification_log_report():
    return _PermissionMenuItem(
        "Email log", reverse("shop_reports:notifications"), icon_name="mail", order=103, check=_can_see_orders
    )
