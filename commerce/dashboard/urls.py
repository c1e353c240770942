from django.urls import path

from .reports import LowStockReportView, NotificationLogReportView, SalesByDayReportView, TopProductsReportView

app_name = "shop_reports"

urlpatterns = []
for slug, name, view in [
    ("low-stock", "low_stock", LowStockReportView),
    ("sales-by-day", "sales_by_day", SalesByDayReportView),
    ("top-products", "top_products", TopProductsReportView),
    ("email-log", "notifications", NotificationLogReportView),
]:
    urlpatterns += [
        path(f"{slug}/", view.as_view(), name=name),
        path(f"{slug}/results/", view.as_view(results_only=True), name=f"{name}_results"),
    ]
