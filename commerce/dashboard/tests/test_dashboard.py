from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.dashboard import selectors
from commerce.dashboard.charts import sales_chart_svg
from commerce.orders.models import Order
from commerce.orders.tests.factories import OrderFactory, order_with_lines


def _order_days_ago(days: int, total: str, status=Order.Status.CONFIRMED):
    order = OrderFactory(total=Decimal(total), status=status)
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(days=days))
    return order


@pytest.fixture
def admin_client_logged(client, django_user_model):
    user = django_user_model.objects.create_superuser(email="boss@example.com", password="pw-123456789")
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_sales_summary_counts_today_and_windows_without_cancelled():
    OrderFactory(total=Decimal("10.00"), status=Order.Status.PENDING)
    OrderFactory(total=Decimal("99.00"), status=Order.Status.CANCELLED)
    _order_days_ago(3, "20.00")
    _order_days_ago(20, "40.00")
    _order_days_ago(45, "1000.00")
    summary = selectors.sales_summary()
    assert summary.orders_today == 2  # cancelled orders were still placed today
    assert summary.revenue_today == Decimal("10.00")
    assert summary.revenue_7_days == Decimal("30.00")
    assert summary.revenue_30_days == Decimal("70.00")
    assert summary.pending_orders == 1


@pytest.mark.django_db
def test_sales_by_day_zero_fills_and_sums():
    _order_days_ago(0, "10.00")
    _order_days_ago(0, "5.50")
    _order_days_ago(2, "7.00")
    days = selectors.sales_by_day(days=30)
    assert len(days) == 30
    assert days[-1].day == timezone.localdate()
    assert (days[-1].orders, days[-1].revenue) == (2, Decimal("15.50"))
    assert (days[-2].orders, days[-2].revenue) == (0, Decimal("0.00"))
    assert days[-3].revenue == Decimal("7.00")


@pytest.mark.django_db
def test_variants_low_stock_at_or_below_their_own_threshold_or_the_shops(settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    low = ProductVariantFactory(stock_on_hand=3, sku="LOW-1")
    at_default = ProductVariantFactory(stock_on_hand=5, sku="AT-5")
    ProductVariantFactory(stock_on_hand=50, sku="PLENTY")
    ProductVariantFactory(stock_on_hand=1, sku="OFF", is_active=False)
    ProductVariantFactory(stock_on_hand=3, sku="OWN-LOWER", low_stock_threshold=2)  # its own alert level
    own_higher = ProductVariantFactory(stock_on_hand=20, sku="OWN-HIGHER", low_stock_threshold=25)
    rows = [(v.sku, v.threshold) for v in selectors.variants_low_stock()]
    assert rows == [(low.sku, 5), (at_default.sku, 5), (own_higher.sku, 25)]


@pytest.mark.django_db
def test_top_products_by_units():
    order_with_lines(quantities=(3, 1))
    top = selectors.top_products(days=30)
    assert [row["units"] for row in top] == [3, 1]


@pytest.mark.django_db
def test_sales_chart_svg_has_a_bar_per_day_with_accessible_labels():
    _order_days_ago(1, "12.00")
    svg = str(sales_chart_svg(selectors.sales_by_day(days=30)))
    assert svg.startswith("<svg")
    assert svg.count("<rect") == 30
    assert 'role="img"' in svg and "<desc" in svg
    assert "$12.00, 1 order</title>" in svg


@pytest.mark.django_db
def test_dashboard_panels_render_with_data(admin_client_logged, settings):
    settings.SHOP_LOW_STOCK_THRESHOLD = 5
    pending = order_with_lines(quantities=(2,), stock_on_hand=4)
    ProductVariantFactory(stock_on_hand=2, sku="NEARLY-GONE")
    response = admin_client_logged.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-stat="orders-today">1<' in html
    assert 'data-stat="revenue-today">$35.00<' in html
    assert 'data-stat="pending">1<' in html
    assert pending.number in html
    assert "NEARLY-GONE" in html
    assert '<svg class="sales-chart"' in html
    assert "Reviews to moderate" in html
    assert "/admin/shop-reports/low-stock/" in html


@pytest.mark.django_db
def test_dashboard_queries_constant_as_orders_grow(admin_client_logged):
    url = reverse("wagtailadmin_home")
    order_with_lines(quantities=(1,))
    admin_client_logged.get(url)
    with CaptureQueriesContext(connection) as few:
        admin_client_logged.get(url)
    for _ in range(15):
        order_with_lines(quantities=(1, 2))
    ProductVariantFactory.create_batch(10, stock_on_hand=1)
    with CaptureQueriesContext(connection) as many:
        admin_client_logged.get(url)
    assert len(many) == len(few)


@pytest.mark.django_db
def test_dashboard_hidden_from_editors_without_order_permission(client, django_user_model):
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(email="ed@example.com", password="pw-123456789")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Orders to confirm" not in html
    assert client.get(reverse("shop_reports:sales_by_day")).status_code in (302, 403)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["low_stock", "sales_by_day", "top_products"])
def test_reports_render_and_export_xlsx_and_csv(admin_client_logged, name):
    order_with_lines(quantities=(2,), stock_on_hand=3)
    url = reverse(f"shop_reports:{name}")
    assert admin_client_logged.get(url).status_code == 200
    xlsx = admin_client_logged.get(url, {"export": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    csv = admin_client_logged.get(url, {"export": "csv"})
    assert csv.status_code == 200
    assert b"".join(csv.streaming_content).decode().splitlines()[0]


@pytest.mark.django_db
def test_dashboard_links_lead_to_filtered_order_lists(admin_client_logged):
    from commerce.dashboard import links

    today_order = OrderFactory(status=Order.Status.PENDING)
    old = _order_days_ago(3, "20.00")
    confirmed = OrderFactory(status=Order.Status.CONFIRMED)
    today_html = admin_client_logged.get(links.orders_today_url(today=timezone.localdate())).content.decode()
    assert today_order.number in today_html and confirmed.number in today_html
    assert old.number not in today_html
    pending_html = admin_client_logged.get(links.orders_pending_url()).content.decode()
    assert today_order.number in pending_html
    assert confirmed.number not in pending_html
