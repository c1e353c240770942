import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.utils import timezone

from commerce.accounts.models import User
from commerce.catalog.models import ProductVariant
from commerce.orders.models import Order
from commerce.orders.services import order_confirm, order_mark_processing
from commerce.orders.tests.factories import order_with_lines

pytestmark = pytest.mark.django_db
BASE = "/admin/orders/order"


def desk_user(email, *codenames):
    user = User.objects.create_user(email=email, password="pw-123456-x", is_staff=True)
    perms = [Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")]
    perms += [Permission.objects.get(codename=c, content_type__app_label="orders") for c in codenames]
    user.user_permissions.add(*perms)
    return user


@pytest.fixture
def manager(client):
    client.force_login(desk_user("manager@example.com", "view_order", "change_order_status", "add_order_note"))
    return client


@pytest.fixture
def viewer(client):
    client.force_login(desk_user("viewer@example.com", "view_order"))
    return client


def _stock(order):
    variant = ProductVariant.objects.get(pk=order.lines.get().variant_id)
    return variant.stock_on_hand, variant.stock_allocated


def test_desk_list_filters_by_status_and_searches_number_phone_email(manager):
    pending = order_with_lines(number="CW-500001", email="zed@example.com", phone="+12025550111")
    confirmed = order_with_lines(number="CW-500002", email="amy@example.com", phone="+12025550122")
    order_confirm(order_id=confirmed.pk)

    listing = manager.get(f"{BASE}/").content.decode()
    assert "CW-500001" in listing and "CW-500002" in listing
    assert "Confirm selected" in listing and 'form="order-bulk"' in listing

    by_status = manager.get(f"{BASE}/?status__exact=confirmed").content.decode()
    assert "CW-500002" in by_status and "CW-500001" not in by_status
    by_payment = manager.get(f"{BASE}/?payment_status__exact=paid").content.decode()
    assert "CW-500001" not in by_payment and "CW-500002" not in by_payment
    for query, expected in [("CW-500001", pending), ("amy@", confirmed), ("5550111", pending)]:
        found = manager.get(f"{BASE}/", {"q": query}).content.decode()
        other = "CW-500002" if expected is pending else "CW-500001"
        assert expected.number in found and other not in found


def test_desk_list_filters_by_date(manager):
    recent = order_with_lines(number="CW-500003")
    old = order_with_lines(number="CW-500004")
    Order.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    page = manager.get(f"{BASE}/").content.decode()
    # Django's date filter links: today, past 7 days, this month, this year
    past_week = html.unescape(re.search(r'href="(\?[^"]*created_at__gte[^"]*)"[^>]*>\s*Past 7 days', page).group(1))
    filtered = manager.get(f"{BASE}/{past_week}").content.decode()
    assert recent.number in filtered and old.number not in filtered


def test_desk_inspect_shows_lines_totals_address_timeline_and_actions(manager):
    order = order_with_lines(number="CW-500010", quantities=(2,))
    order_confirm(order_id=order.pk, note="phoned the customer")
    page = manager.get(f"{BASE}/inspect/{order.pk}/").content.decode()
    for text in ("CW-500010", order.lines.get().sku, "$30.00", "$35.00", "1 Main Street", "Springfield",
                 "phoned the customer", "Mark processing", "Cancel order", "Mark paid", "Add a note"):
        assert text in page
    # shipping is offered straight after confirmation: "Mark processing" is optional
    assert f"{BASE}/ship/{order.pk}/" in page and 'name="ship-courier"' in page


def test_desk_viewer_sees_the_order_but_no_buttons(viewer):
    order = order_with_lines(number="CW-500011")
    page = viewer.get(f"{BASE}/inspect/{order.pk}/").content.decode()
    assert "CW-500011" in page and "Cancel order" not in page and "Add a note" not in page


def test_desk_confirm_button_confirms_and_deducts_stock(manager, django_capture_on_commit_callbacks):
    order = order_with_lines(quantities=(2,), stock_on_hand=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager.post(f"{BASE}/confirm/{order.pk}/", {"confirm-note": "ok by phone"}, follow=True)
    assert f"Order {order.number} confirmed." in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED and _stock(order) == (8, 0)
    log = order.status_log.get()
    assert log.changed_by.email == "manager@example.com" and log.note == "ok by phone"
    assert len(mail.outbox) == 1


def test_desk_illegal_move_shows_error_message_and_changes_nothing(manager):
    order = order_with_lines()
    response = manager.post(f"{BASE}/deliver/{order.pk}/", follow=True)
    assert "cannot go from pending to delivered" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING


def test_desk_ship_form_requires_courier_and_tracking_number(manager):
    order = order_with_lines()
    order_confirm(order_id=order.pk)
    order_mark_processing(order_id=order.pk)
    form = manager.get(f"{BASE}/ship/{order.pk}/")
    assert form.status_code == 200 and 'name="ship-tracking_number"' in form.content.decode()
    missing = manager.post(f"{BASE}/ship/{order.pk}/", {"ship-courier": "UPS", "ship-tracking_number": ""})
    assert missing.status_code == 400 and "This field is required" in missing.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PROCESSING

    manager.post(f"{BASE}/ship/{order.pk}/", {"ship-courier": "UPS", "ship-tracking_number": "1Z999"})
    order.refresh_from_db()
    assert (order.status, order.courier, order.tracking_number) == ("shipped", "UPS", "1Z999")


def test_desk_cancel_deliver_mark_paid_and_note(manager):
    order = order_with_lines(quantities=(3,), stock_on_hand=10)
    manager.post(f"{BASE}/mark_paid/{order.pk}/")
    manager.post(f"{BASE}/add_note/{order.pk}/", {"add_note-note": "gift wrap please"})
    asked = manager.post(f"{BASE}/cancel/{order.pk}/")
    assert asked.status_code == 200 and "Yes, cancel order" in asked.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING  # nothing happens before the confirmation
    manager.post(f"{BASE}/cancel/{order.pk}/", {"confirmed": "yes"})
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and order.payment_status == "paid"
    assert _stock(order) == (10, 0)
    assert [e.note for e in order.status_log.all()][:2] == ["Marked as paid.", "gift wrap please"]


def test_desk_bulk_confirm_confirms_selected_and_reports_refusals(manager):
    first, second, untouched = order_with_lines(), order_with_lines(), order_with_lines()
    cancelled = order_with_lines()
    manager.post(f"{BASE}/cancel/{cancelled.pk}/", {"confirmed": "yes"})
    asked = manager.post(f"{BASE}/bulk/", {"action": "confirm", "order_ids": [first.pk, second.pk, cancelled.pk]})
    assert asked.status_code == 200 and "Yes, confirm 3 orders" in asked.content.decode()
    assert Order.objects.get(pk=first.pk).status == "pending"  # asked first, nothing done yet
    response = manager.post(
        f"{BASE}/bulk/", {"action": "confirm", "confirmed": "yes", "order_ids": [first.pk, second.pk, cancelled.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "Confirmed 2 order(s)" in page and f"{cancelled.number}: An order cannot go from cancelled" in page
    statuses = dict(Order.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == "confirmed"
    assert statuses[untouched.pk] == "pending" and statuses[cancelled.pk] == "cancelled"


@pytest.mark.parametrize(
    "path,data",
    [
        ("confirm/{pk}/", {}),
        ("process/{pk}/", {}),
        ("ship/{pk}/", {"ship-courier": "UPS", "ship-tracking_number": "1"}),
        ("deliver/{pk}/", {}),
        ("cancel/{pk}/", {"confirmed": "yes"}),
        ("return/{pk}/", {"confirmed": "yes"}),
        ("mark_paid/{pk}/", {}),
        ("add_note/{pk}/", {"add_note-note": "hi"}),
        ("bulk_confirm/", {"order_ids": ["{pk}"]}),
        ("bulk/", {"order_ids": ["{pk}"], "action": "cancel", "confirmed": "yes"}),
    ],
)
def test_desk_actions_without_permission_are_403(viewer, path, data):
    order = order_with_lines()
    data = {k: [v.format(pk=order.pk) for v in vs] if isinstance(vs, list) else vs for k, vs in data.items()}
    response = viewer.post(f"{BASE}/{path.format(pk=order.pk)}", data)
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and order.payment_status == "unpaid"
    assert not order.status_log.exists()


def test_desk_note_permission_alone_cannot_move_orders(client):
    client.force_login(desk_user("support@example.com", "view_order", "add_order_note"))
    order = order_with_lines()
    assert client.post(f"{BASE}/confirm/{order.pk}/").status_code == 403
    assert client.post(f"{BASE}/add_note/{order.pk}/", {"add_note-note": "called"}).status_code == 302
    assert order.status_log.get().note == "called"


def test_desk_without_any_order_permission_cannot_list_or_inspect(client):
    client.force_login(desk_user("editor@example.com"))
    order = order_with_lines()
    assert client.get(f"{BASE}/").status_code in (302, 403)
    assert client.get(f"{BASE}/inspect/{order.pk}/").status_code in (302, 403)


def test_desk_orders_cannot_be_edited_or_deleted(manager):
    order = order_with_lines()
    assert manager.get(f"{BASE}/edit/{order.pk}/").status_code in (302, 403)
    assert manager.post(f"{BASE}/delete/{order.pk}/").status_code in (302, 403)
    assert Order.objects.filter(pk=order.pk).exists()


def test_desk_is_closed_to_customers_and_anonymous(client):
    order = order_with_lines()
    assert client.post(f"{BASE}/confirm/{order.pk}/").status_code == 302  # to the admin login
    customer = User.objects.create_user(email="shopper@example.com", password="pw-123456-x")
    client.force_login(customer)
    assert client.post(f"{BASE}/confirm/{order.pk}/").status_code in (302, 403)
    assert client.get(f"{BASE}/inspect/{order.pk}/").status_code in (302, 403)
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and not order.status_log.exists()


def test_desk_timeline_shows_placed_once_when_checkout_logged_it(manager):
    from commerce.orders.models import OrderStatusLog

    order = order_with_lines(number="CW-500020")
    OrderStatusLog.objects.create(order=order, from_status="", to_status="pending")
    page = manager.get(f"{BASE}/inspect/{order.pk}/").content.decode()
    assert page.count("<span>Placed</span>") == 1


# --- the reworked desk: fulfil, refund, documents, constant queries -----------------------------------
@pytest.fixture
def shop_manager(client):
    client.force_login(desk_user("boss@example.com", "view_order", "change_order_status", "add_order_note",
                                 "refund_order", "manage_returns"))
    return client


def _confirmed_paid(quantities=(2, 1)):
    from decimal import Decimal

    from commerce.orders.services import order_mark_paid

    order = order_with_lines(quantities=quantities)
    subtotal = Decimal("15.00") * sum(quantities)  # the factory's lines cost 15.00 a unit
    Order.objects.filter(pk=order.pk).update(subtotal=subtotal, total=subtotal + Decimal("5.00"))
    order_confirm(order_id=order.pk)
    order_mark_paid(order_id=order.pk)
    return order


def test_desk_list_shows_customer_items_total_with_currency_payment_label_and_fulfilment(manager):
    from commerce.orders.services import order_fulfil

    order = _confirmed_paid(quantities=(2, 3))
    first = order.lines.order_by("id").first()
    order_fulfil(order_id=order.pk, quantities={first.pk: 2}, courier="DHL", tracking_number="1")
    page = manager.get(f"{BASE}/").content.decode()
    for text in (order.number, "Ada Buyer", order.email, "$80.00", "USD", "Cash on delivery", "Paid",
                 "2 of 5 shipped", "Partially shipped"):
        assert text in page, text
    assert "(cod)" not in page


def test_desk_fulfil_two_lines_separately_then_refund_one_through_the_order_page(shop_manager):
    order = _confirmed_paid(quantities=(2, 1))
    first, second = order.lines.order_by("id")
    page = shop_manager.get(f"{BASE}/inspect/{order.pk}/").content.decode()
    assert f'name="ship-qty-{first.pk}"' in page and f'name="refund-qty-{first.pk}"' in page
    shop_manager.post(f"{BASE}/ship/{order.pk}/", {f"ship-qty-{first.pk}": "2", f"ship-qty-{second.pk}": "0",
                                                  "ship-courier": "DHL", "ship-tracking_number": "JD1"})
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED
    shop_manager.post(f"{BASE}/ship/{order.pk}/", {f"ship-qty-{second.pk}": "1", "ship-courier": "UPS",
                                                  "ship-tracking_number": "1Z"})
    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED and order.fulfilments.count() == 2

    refund_post = {f"refund-qty-{first.pk}": "1", "refund-shipping": "0", "refund-reason": "Scratched",
                   "refund-restock": "on"}
    asked = shop_manager.post(f"{BASE}/refund/{order.pk}/", refund_post)
    assert asked.status_code == 200 and "Yes, refund" in asked.content.decode()
    assert not order.refunds.exists()  # asked first
    done = shop_manager.post(f"{BASE}/refund/{order.pk}/", {**refund_post, "confirmed": "yes"}, follow=True)
    assert "refund recorded" in done.content.decode()
    order.refresh_from_db()
    assert order.payment_status == "partially_refunded" and order.amount_refunded == 15
    assert _stock_of(first) == (9, 0)  # 10 - 2 confirmed + 1 restocked

    invoice = shop_manager.get(f"{BASE}/invoice_pdf/{order.pk}/")
    assert invoice.status_code == 200 and invoice.content.startswith(b"%PDF-")
    refund = order.refunds.get()
    assert shop_manager.get(f"{BASE}/credit_note_pdf/{order.pk}/?refund={refund.pk}").content.startswith(b"%PDF-")
    assert shop_manager.get(f"{BASE}/packing_slip_pdf/{order.pk}/").content.startswith(b"%PDF-")


def _stock_of(line):
    variant = ProductVariant.objects.get(pk=line.variant_id)
    return variant.stock_on_hand, variant.stock_allocated


def test_desk_refund_needs_the_refund_permission(manager):
    order = _confirmed_paid(quantities=(1,))
    line = order.lines.get()
    page = manager.get(f"{BASE}/inspect/{order.pk}/").content.decode()
    assert "refund-qty" not in page
    response = manager.post(f"{BASE}/refund/{order.pk}/", {f"refund-qty-{line.pk}": "1", "refund-reason": "x",
                                                           "confirmed": "yes"})
    assert response.status_code == 403 and not order.refunds.exists()


def _count_queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm caches (content types, permissions)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_desk_order_page_queries_constant_as_lines_parcels_and_log_grow(shop_manager):
    from commerce.orders.refunds import order_refund
    from commerce.orders.services import order_fulfil, order_note_add

    small = _confirmed_paid(quantities=(1, 1))
    a, b = small.lines.order_by("id")
    order_fulfil(order_id=small.pk, quantities={a.pk: 1}, courier="A", tracking_number="1")
    order_refund(order_id=small.pk, lines={b.pk: 1}, reason="r")
    few = _count_queries(shop_manager, f"{BASE}/inspect/{small.pk}/")

    big = _confirmed_paid(quantities=(1, 2, 3, 4, 5, 6))
    lines = list(big.lines.order_by("id"))
    for line in lines[:5]:
        order_fulfil(order_id=big.pk, quantities={line.pk: 1}, courier="A", tracking_number=str(line.pk))
    for line in lines[1:4]:
        order_refund(order_id=big.pk, lines={line.pk: 1}, reason="r")
    for n in range(8):
        order_note_add(order_id=big.pk, note=f"note {n}")
    many = _count_queries(shop_manager, f"{BASE}/inspect/{big.pk}/")
    assert many == few


def test_desk_list_queries_constant_as_orders_grow(shop_manager):
    _confirmed_paid(quantities=(1,))
    few = _count_queries(shop_manager, f"{BASE}/")
    for _ in range(6):
        _confirmed_paid(quantities=(1, 2, 3))
    many = _count_queries(shop_manager, f"{BASE}/")
    assert many == few


@pytest.mark.parametrize("units", ["²", "١", "-1", "1e3"])
def test_desk_ship_form_with_a_quantity_that_is_not_a_whole_number_shows_an_error_and_ships_nothing(shop_manager, units):
    order = _confirmed_paid(quantities=(2,))
    (line,) = order.lines.all()
    response = shop_manager.post(f"{BASE}/ship/{order.pk}/", {f"ship-qty-{line.pk}": units, "ship-courier": "DHL",
                                                             "ship-tracking_number": "JD1"}, follow=True)
    assert response.status_code == 200
    assert "Quantity" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED and not order.fulfilments.exists()
