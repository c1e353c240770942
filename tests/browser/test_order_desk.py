"""The order desk in a real browser, as a shop manager works a day's order: filter the list, open
the order, ship its two lines in two parcels, refund one unit (after the confirmation dialog) and
download the invoice."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from commerce.orders.models import Order
from commerce.orders.services import order_confirm, order_mark_paid
from commerce.orders.tests.factories import order_with_lines
from tests.browser.data import admin_user
from tests.browser.test_manager import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _order_to_work():
    order = order_with_lines(quantities=(2, 1), stock_on_hand=8, ship_full_name="Grace Hopper",
                             email="grace@example.com")
    subtotal = Decimal("45.00")  # the factory's lines cost 15.00 a unit
    Order.objects.filter(pk=order.pk).update(subtotal=subtotal, total=subtotal + Decimal("5.00"))
    order_confirm(order_id=order.pk)
    order_mark_paid(order_id=order.pk)
    return order


def test_desk_filter_open_fulfil_two_lines_refund_one_and_download_invoice(page, shot, tmp_path):
    admin_user()
    order = _order_to_work()
    waiting = order_with_lines(quantities=(1,), ship_full_name="Alan Turing")  # pending: filtered out
    first, second = order.lines.order_by("id")

    admin_login(page)
    page.goto("/admin/orders/order/")
    expect(page.get_by_text("Grace Hopper")).to_be_visible()
    expect(page.get_by_text("Alan Turing")).to_be_visible()
    page.locator(".changelist-filter").get_by_role("link", name="Confirmed", exact=True).click()
    expect(page).to_have_url(re.compile(r"status__exact=confirmed"))
    expect(page.get_by_text("Alan Turing")).to_have_count(0)
    expect(page.get_by_text("Cash on delivery").first).to_be_visible()
    shot(page, "list-filtered")
    assert waiting.number not in page.content()

    page.get_by_role("link", name=re.compile("Open")).first.click()
    expect(page.get_by_role("heading", name=f"Order {order.number}")).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_have_text("Confirmed")
    shot(page, "order-page")

    ship = page.locator("#desk-ship-form")
    ship.locator(f'input[name="ship-qty-{second.pk}"]').fill("0")
    ship.locator('input[name="ship-courier"]').fill("DHL")
    ship.locator('input[name="ship-tracking_number"]').fill("JD0001")
    ship.get_by_role("button", name="Ship these items").click()
    expect(page.get_by_text(f"Order {order.number}: parcel shipped.")).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_have_text("Partially shipped")
    shot(page, "first-parcel")

    ship = page.locator("#desk-ship-form")
    expect(ship.locator(f'input[name="ship-qty-{first.pk}"]')).to_have_count(0)  # nothing left of line 1
    ship.locator('input[name="ship-courier"]').fill("UPS")
    ship.locator('input[name="ship-tracking_number"]').fill("1Z0002")
    ship.get_by_role("button", name="Ship these items").click()
    expect(page.get_by_test_id("order-status")).to_have_text("Shipped")
    expect(page.locator("#desk-ship-form")).to_have_count(0)
    shot(page, "second-parcel")

    refund = page.locator("#desk-refund-form")
    refund.locator(f'input[name="refund-qty-{first.pk}"]').fill("1")
    refund.locator('input[name="refund-reason"]').fill("Scratched on arrival")
    refund.get_by_label("Put the units back in stock").check()
    refund.get_by_role("button", name="Refund").click()
    dialog = page.locator("#desk-confirm")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Refund this money")
    shot(page, "refund-dialog")
    dialog.get_by_role("button", name="Yes, do it").click()
    expect(page.get_by_text(f"Order {order.number}: refund recorded.")).to_be_visible()
    expect(page.get_by_test_id("payment-status")).to_have_text("Partially refunded")
    shot(page, "refunded")
    page.locator("#desk-timeline").scroll_into_view_if_needed()
    expect(page.locator(".desk-timeline")).to_contain_text("Refund CN-000001")
    expect(page.locator(".desk-timeline")).to_contain_text("Status changed: Partially shipped → Shipped")
    shot(page, "timeline")

    with page.expect_download() as download_info:
        page.get_by_test_id("invoice-download").click()
    target = tmp_path / "invoice.pdf"
    download_info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert download_info.value.suggested_filename.startswith("INV-")

    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and order.fulfilments.count() == 2
    assert order.payment_status == Order.PaymentStatus.PARTIALLY_REFUNDED and order.amount_refunded == Decimal("15.00")
