"""The shop manager in a real browser: the admin dashboard shows a new order; it is confirmed from
the order desk, which deducts its stock."""

import re

import pytest
from playwright.sync_api import expect

from commerce.catalog.models import ProductVariant
from commerce.orders.models import Order
from commerce.orders.tests.factories import order_with_lines
from tests.browser.data import ADMIN_EMAIL, ADMIN_PASSWORD, admin_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_login(page):
    page.goto("/admin/login/")
    page.locator("input[name=username]").fill(ADMIN_EMAIL)
    page.locator("input[name=password]").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name=re.compile("Sign in", re.I)).click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_manager_sees_order_on_dashboard_and_confirms_it(page, shot):
    admin_user()
    order = order_with_lines(quantities=(2,), stock_on_hand=6, ship_full_name="Grace Hopper")
    variant = ProductVariant.objects.get(order_lines__order=order)

    admin_login(page)
    panel = page.locator("#shop-pending-orders-section, [id^=shop-pending-orders]").first
    expect(page.get_by_text("Orders to confirm")).to_be_visible()
    expect(page.locator("[data-stat=pending]")).to_have_text("1")
    expect(page.locator("[data-stat=orders-today]")).to_have_text("1")
    expect(page.locator(".sales-chart")).to_be_visible()
    expect(panel).to_contain_text(order.number)
    shot(page, "dashboard")

    page.get_by_role("link", name=order.number).click()
    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    shot(page, "order-inspect")
    page.locator(".desk-summary").get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_text(f"Order {order.number} confirmed.")).to_be_visible()
    shot(page, "order-confirmed")

    order.refresh_from_db()
    variant.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED
    assert (variant.stock_on_hand, variant.stock_allocated) == (4, 0)

    page.goto("/admin/")
    expect(page.locator("[data-stat=pending]")).to_have_text("0")
