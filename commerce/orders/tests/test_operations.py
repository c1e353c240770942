"""Back-office flows: fulfilments, refunds, returns, invoices and the audit trail they leave."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from commerce.accounts.models import User
from commerce.catalog.models import ProductVariant
from commerce.core.errors import ApplicationError, ConflictError
from commerce.notifications.models import NotificationLog
from commerce.orders import payments
from commerce.orders.invoices import invoice_issue
from commerce.orders.models import DocumentCounter, Fulfilment, Invoice, Order, Refund, ReturnRequest
from commerce.orders.refunds import order_refund
from commerce.orders.returns import return_approve, return_receive, return_refund, return_reject, return_request_create
from commerce.orders.services import (
    IllegalTransition,
    fulfilment_mark_delivered,
    order_cancel,
    order_confirm,
    order_deliver,
    order_fulfil,
    order_mark_paid,
    order_ship,
    order_status_change,
)
from commerce.orders.tests.factories import order_with_lines

pytestmark = pytest.mark.django_db
S = Order.Status


def _priced_order(*, quantities=(2, 3), unit=Decimal("10.00"), shipping=Decimal("5.00"), **fields):
    """An order whose totals match its lines (10.00 a unit, no tax), confirmed and paid."""
    order = order_with_lines(quantities=quantities, **fields)
    order.lines.update(unit_price=unit)
    for line in order.lines.all():
        line.line_total = unit * line.quantity
        line.save(update_fields=["line_total"])
    subtotal = unit * sum(quantities)
    Order.objects.filter(pk=order.pk).update(subtotal=subtotal, shipping=shipping, total=subtotal + shipping)
    order_confirm(order_id=order.pk)
    order_mark_paid(order_id=order.pk)
    order.refresh_from_db()
    return order


def _lines(order):
    return list(order.lines.order_by("id"))


def _on_hand(line):
    return ProductVariant.objects.get(pk=line.variant_id).stock_on_hand


# --- fulfilments --------------------------------------------------------------------------------
def test_fulfil_two_parcels_moves_partially_shipped_then_shipped_each_with_its_email(
    django_capture_on_commit_callbacks,
):
    order = _priced_order(quantities=(2, 3))
    first, second = _lines(order)
    with django_capture_on_commit_callbacks(execute=True):
        parcel1 = order_fulfil(order_id=order.pk, quantities={first.pk: 2, second.pk: 1}, courier="DHL",
                               tracking_number="T1")
    order.refresh_from_db()
    assert order.status == S.PARTIALLY_SHIPPED and parcel1.number == f"{order.number}-F1"
    with django_capture_on_commit_callbacks(execute=True):
        parcel2 = order_fulfil(order_id=order.pk, quantities={second.pk: 2}, courier="UPS", tracking_number="T2")
    order.refresh_from_db()
    assert order.status == S.SHIPPED and order.shipped_at and (order.courier, order.tracking_number) == ("UPS", "T2")
    subjects = [m.subject for m in mail.outbox if "Parcel" in m.subject]
    assert subjects == [f"Parcel {parcel1.number} of your order {order.number} is on its way",
                        f"Parcel {parcel2.number} of your order {order.number} is on its way"]
    assert "T1" in mail.outbox[-2].body and "2 more items will follow" in mail.outbox[-2].body


def test_fulfil_cannot_ship_more_than_ordered_or_left(django_capture_on_commit_callbacks):
    order = _priced_order(quantities=(2,))
    (line,) = _lines(order)
    with pytest.raises(ApplicationError) as exc:
        order_fulfil(order_id=order.pk, quantities={line.pk: 3}, courier="DHL", tracking_number="T")
    assert exc.value.code == "invalid_fulfilment" and "Only 2 left" in exc.value.details[str(line.pk)]
    order_fulfil(order_id=order.pk, quantities={line.pk: 1}, courier="DHL", tracking_number="T")
    with pytest.raises(ApplicationError):
        order_fulfil(order_id=order.pk, quantities={line.pk: 2}, courier="DHL", tracking_number="T")
    assert Fulfilment.objects.filter(order=order).count() == 1


def test_fulfil_of_a_pending_or_cancelled_order_is_refused():
    order = order_with_lines(quantities=(1,))
    (line,) = _lines(order)
    with pytest.raises(IllegalTransition):
        order_fulfil(order_id=order.pk, quantities={line.pk: 1}, courier="DHL", tracking_number="T")
    order_cancel(order_id=order.pk)
    with pytest.raises(IllegalTransition):
        order_fulfil(order_id=order.pk, quantities=None, courier="DHL", tracking_number="T")


def test_ship_whole_order_is_one_parcel_and_classic_shipped_email(django_capture_on_commit_callbacks):
    order = _priced_order(quantities=(1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        order_ship(order_id=order.pk, courier="UPS", tracking_number="1Z")  # straight from confirmed
    order.refresh_from_db()
    assert order.status == S.SHIPPED and order.fulfilments.get().lines.count() == 2
    assert [m.subject for m in mail.outbox][-1] == f"Your order {order.number} is on its way"


def test_partially_shipped_is_reached_only_by_shipping_lines():
    order = _priced_order(quantities=(1,))
    with pytest.raises(ApplicationError) as exc:
        order_status_change(order_id=order.pk, to_status=S.PARTIALLY_SHIPPED)
    assert exc.value.code == "fulfil_instead"


def test_parcels_delivered_one_by_one_deliver_the_order_with_the_last():
    order = _priced_order(quantities=(1, 1))
    first, second = _lines(order)
    p1 = order_fulfil(order_id=order.pk, quantities={first.pk: 1}, courier="A", tracking_number="1")
    p2 = order_fulfil(order_id=order.pk, quantities={second.pk: 1}, courier="B", tracking_number="2")
    fulfilment_mark_delivered(fulfilment_id=p1.pk)
    order.refresh_from_db()
    assert order.status == S.SHIPPED
    fulfilment_mark_delivered(fulfilment_id=p2.pk)
    order.refresh_from_db()
    assert order.status == S.DELIVERED and order.delivered_at


# --- refunds --------------------------------------------------------------------------------------
def test_partial_refund_of_one_line_with_restock_moves_stock_and_payment_status(django_capture_on_commit_callbacks):
    order = _priced_order(quantities=(2, 3))
    first, second = _lines(order)
    before = _on_hand(first)
    with django_capture_on_commit_callbacks(execute=True):
        refund = order_refund(order_id=order.pk, lines={first.pk: 1}, reason="Damaged", restock=True)
    order.refresh_from_db()
    assert refund.amount == Decimal("10.00") and refund.manual  # cash on delivery: paid back by hand
    assert refund.credit_note_number == "CN-000001"
    assert _on_hand(first) == before + 1 and _on_hand(second) == _on_hand(second)
    assert order.payment_status == Order.PaymentStatus.PARTIALLY_REFUNDED
    assert order.amount_refunded == Decimal("10.00")
    assert mail.outbox[-1].subject == f"Refund of $10.00 for your order {order.number}"


def test_refund_cannot_exceed_what_was_paid():
    order = _priced_order(quantities=(2,))  # 20.00 + 5.00 shipping = 25.00
    (line,) = _lines(order)
    order_refund(order_id=order.pk, lines={line.pk: 2}, shipping=Decimal("5.00"), reason="Lost parcel")
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.REFUNDED and order.amount_refunded == order.total
    for lines, shipping in (({line.pk: 1}, 0), ({}, Decimal("0.01"))):
        with pytest.raises(ConflictError) as exc:
            order_refund(order_id=order.pk, lines=lines, shipping=shipping, reason="again")
        assert exc.value.code == "refund_exceeds_paid"
    assert Refund.objects.filter(order=order).count() == 1


def test_refund_more_units_than_ordered_or_shipping_than_charged_is_refused():
    order = _priced_order(quantities=(2,))
    (line,) = _lines(order)
    with pytest.raises(ApplicationError) as exc:
        order_refund(order_id=order.pk, lines={line.pk: 3}, shipping=Decimal("6.00"), reason="x")
    assert set(exc.value.details) == {str(line.pk), "shipping"}
    assert not Refund.objects.exists()


def test_refund_of_an_unpaid_order_is_refused():
    order = order_with_lines(quantities=(1,))
    (line,) = _lines(order)
    with pytest.raises(ConflictError) as exc:
        order_refund(order_id=order.pk, lines={line.pk: 1}, reason="x")
    assert exc.value.code == "order_not_paid"


def test_refund_needs_a_reason():
    order = _priced_order(quantities=(1,))
    with pytest.raises(ApplicationError) as exc:
        order_refund(order_id=order.pk, lines={_lines(order)[0].pk: 1}, reason="  ")
    assert exc.value.code == "refund_reason_required"


def test_refund_last_units_of_a_line_give_exactly_what_is_left():
    order = _priced_order(quantities=(3,), unit=Decimal("3.33"), shipping=Decimal("0.00"))
    (line,) = _lines(order)
    amounts = [order_refund(order_id=order.pk, lines={line.pk: 1}, reason="r").amount for _ in range(3)]
    assert sum(amounts) == Decimal("9.99")
    order.refresh_from_db()
    assert order.payment_status == Order.PaymentStatus.REFUNDED


class FakeCardProvider(payments.PaymentProvider):
    """A card gateway as the interface expects one: remembers what it was asked, can decline."""

    code = "testcard"
    label = "Test card"

    def __init__(self):
        self.calls = []
        self.decline = False

    def start(self, *, order):
        return payments.PaymentStart(status=Order.PaymentStatus.PAID)

    def refund(self, *, order, amount, idempotency_key):
        if self.decline:
            raise payments.PaymentDeclined("The card issuer refused the refund.")
        self.calls.append((order.number, amount, idempotency_key))
        return payments.RefundResult(reference=f"re_{len(self.calls)}")


@pytest.fixture
def card_provider():
    provider = FakeCardProvider()
    payments.payment_provider_register(provider)
    yield provider
    payments._PROVIDERS.pop(provider.code, None)


def test_refund_goes_through_a_card_provider_with_the_credit_note_as_idempotency_key(card_provider):
    order = _priced_order(quantities=(2,), payment_method="testcard")
    (line,) = _lines(order)
    refund = order_refund(order_id=order.pk, lines={line.pk: 1}, reason="Too big")
    assert card_provider.calls == [(order.number, Decimal("10.00"), refund.credit_note_number)]
    assert (refund.provider, refund.provider_reference, refund.manual) == ("testcard", "re_1", False)


def test_refund_declined_by_the_gateway_records_nothing(card_provider):
    order = _priced_order(quantities=(2,), payment_method="testcard")
    card_provider.decline = True
    with pytest.raises(payments.PaymentDeclined):
        order_refund(order_id=order.pk, lines={_lines(order)[0].pk: 1}, reason="Too big")
    order.refresh_from_db()
    assert order.amount_refunded == 0 and order.payment_status == Order.PaymentStatus.PAID
    assert not Refund.objects.exists()
    # the credit-note number went back with the rollback: the series stays gapless
    assert not DocumentCounter.objects.filter(series="CN", last_number__gt=0).exists()


# --- returns --------------------------------------------------------------------------------------
@pytest.fixture
def customer(db):
    return User.objects.create_user(email="rita@example.com", password="pw-123456-x")


def _delivered(customer, quantities=(2, 1)):
    order = _priced_order(quantities=quantities, user=customer)
    order_ship(order_id=order.pk, courier="DHL", tracking_number="T")
    order_deliver(order_id=order.pk)
    order.refresh_from_db()
    return order


def test_return_request_approve_receive_refund_restocks_and_refunds(customer, django_capture_on_commit_callbacks):
    order = _delivered(customer)
    first, second = _lines(order)
    before = _on_hand(first)
    with django_capture_on_commit_callbacks(execute=True):
        rr = return_request_create(order_id=order.pk, lines={first.pk: 1}, reason="Wrong size", by=customer)
        return_approve(return_id=rr.pk, note="Send it to our warehouse")
        return_receive(return_id=rr.pk)
        refund = return_refund(return_id=rr.pk)
    rr.refresh_from_db()
    order.refresh_from_db()
    assert rr.status == "refunded" and rr.number == f"{order.number}-R1"
    assert _on_hand(first) == before + 1
    assert refund.amount == Decimal("10.00") and refund.return_request_id == rr.pk and not refund.restock
    assert order.payment_status == Order.PaymentStatus.PARTIALLY_REFUNDED
    subjects = [m.subject for m in mail.outbox]
    for expected in (f"We received your return request {rr.number}", f"Your return {rr.number} is approved",
                     f"We received your returned items ({rr.number})", f"Refund of $10.00 for your order {order.number}"):
        assert expected in subjects


def test_return_cannot_include_undelivered_quantities(customer):
    order = _priced_order(quantities=(2, 1), user=customer)
    first, second = _lines(order)
    parcel = order_fulfil(order_id=order.pk, quantities={first.pk: 1}, courier="A", tracking_number="1")
    with pytest.raises(ConflictError) as exc:  # nothing delivered yet
        return_request_create(order_id=order.pk, lines={first.pk: 1}, reason="x", by=customer)
    assert exc.value.code == "not_delivered"
    fulfilment_mark_delivered(fulfilment_id=parcel.pk)
    with pytest.raises(ApplicationError) as exc:  # only 1 of the 2 was delivered; line 2 not at all
        return_request_create(order_id=order.pk, lines={first.pk: 2, second.pk: 1}, reason="x", by=customer)
    assert exc.value.code == "invalid_return" and set(exc.value.details) == {str(first.pk), str(second.pk)}
    assert return_request_create(order_id=order.pk, lines={first.pk: 1}, reason="x", by=customer).lines.get().quantity == 1


def test_return_cannot_include_already_returned_quantities_but_a_rejected_one_frees_them(customer):
    order = _delivered(customer, quantities=(2,))
    (line,) = _lines(order)
    first = return_request_create(order_id=order.pk, lines={line.pk: 2}, reason="x", by=customer)
    with pytest.raises(ApplicationError) as exc:
        return_request_create(order_id=order.pk, lines={line.pk: 1}, reason="again", by=customer)
    assert exc.value.code == "invalid_return"
    return_reject(return_id=first.pk, note="Worn")
    assert return_request_create(order_id=order.pk, lines={line.pk: 1}, reason="again", by=customer).number.endswith("-R2")


def test_return_window_closes(customer, settings):
    settings.SHOP_RETURN_WINDOW_DAYS = 14
    order = _delivered(customer, quantities=(1,))
    Order.objects.filter(pk=order.pk).update(delivered_at=timezone.now() - timedelta(days=15))
    with pytest.raises(ConflictError) as exc:
        return_request_create(order_id=order.pk, lines={_lines(order)[0].pk: 1}, reason="late", by=customer)
    assert exc.value.code == "return_window_closed"


def test_return_steps_out_of_order_are_refused(customer):
    order = _delivered(customer, quantities=(1,))
    rr = return_request_create(order_id=order.pk, lines={_lines(order)[0].pk: 1}, reason="x", by=customer)
    with pytest.raises(ConflictError):
        return_receive(return_id=rr.pk)  # not approved yet
    with pytest.raises(ConflictError):
        return_refund(return_id=rr.pk)


def test_return_receive_restocks_only_what_staff_say_came_back_usable(customer):
    order = _delivered(customer, quantities=(3,))
    (line,) = _lines(order)
    before = _on_hand(line)
    rr = return_request_create(order_id=order.pk, lines={line.pk: 3}, reason="x", by=customer)
    return_approve(return_id=rr.pk)
    return_receive(return_id=rr.pk, restock={line.pk: 2})  # one came back broken
    assert _on_hand(line) == before + 2 and rr.lines.get().restocked_quantity == 2


# --- invoices -------------------------------------------------------------------------------------
def test_invoice_is_issued_at_the_chosen_status_with_sequential_numbers(settings):
    settings.SHOP_INVOICE_ISSUE_STATUS = "shipped"
    first, second = order_with_lines(quantities=(1,)), order_with_lines(quantities=(1,))
    for order in (first, second):
        order_confirm(order_id=order.pk)
    assert not Invoice.objects.exists()
    order_ship(order_id=second.pk, courier="A", tracking_number="1")
    order_ship(order_id=first.pk, courier="A", tracking_number="2")
    assert list(Invoice.objects.order_by("sequence").values_list("order_id", "number")) == [
        (second.pk, "INV-000001"), (first.pk, "INV-000002")]
    assert invoice_issue(order_id=first.pk).number == "INV-000002"  # issuing again returns the same one


def test_invoice_by_hand_refused_for_a_pending_order(settings):
    settings.SHOP_INVOICE_ISSUE_STATUS = ""
    order = order_with_lines(quantities=(1,))
    with pytest.raises(ConflictError):
        invoice_issue(order_id=order.pk)
    order_confirm(order_id=order.pk)
    assert not Invoice.objects.exists()
    assert invoice_issue(order_id=order.pk).number == "INV-000001"


def test_invoice_packing_slip_and_credit_note_pdfs_render(settings):
    from commerce.orders import documents
    from commerce.orders.selectors import order_get_with_operations

    order = _priced_order(quantities=(2, 1))
    refund = order_refund(order_id=order.pk, lines={_lines(order)[0].pk: 1}, reason="Scratched – sorry")
    parcel = order_fulfil(order_id=order.pk, quantities=None, courier="DHL", tracking_number="JD1")
    order = order_get_with_operations(pk=order.pk)
    for pdf in (documents.invoice_pdf(order=order, invoice=order.invoice),
                documents.packing_slip_pdf(order=order, fulfilment=order.fulfilments.get(pk=parcel.pk)),
                documents.credit_note_pdf(order=order, refund=order.refunds.get(pk=refund.pk))):
        assert pdf.startswith(b"%PDF-") and len(pdf) > 1000


# --- audit trail --------------------------------------------------------------------------------------
def test_every_order_step_is_in_the_audit_trail(customer):
    staff = User.objects.create_user(email="desk@example.com", password="x", is_staff=True)
    order = order_with_lines(quantities=(2, 1), user=customer)
    first, second = _lines(order)
    order_confirm(order_id=order.pk, by=staff)
    order_mark_paid(order_id=order.pk, by=staff)
    order_fulfil(order_id=order.pk, quantities={first.pk: 2}, courier="A", tracking_number="1", by=staff)
    order_fulfil(order_id=order.pk, quantities={second.pk: 1}, courier="B", tracking_number="2", by=staff)
    order_deliver(order_id=order.pk, by=staff)
    rr = return_request_create(order_id=order.pk, lines={first.pk: 1}, reason="x", by=customer)
    return_approve(return_id=rr.pk, by=staff)
    return_receive(return_id=rr.pk, by=staff)
    return_refund(return_id=rr.pk, by=staff)
    actions = list(ModelLogEntry.objects.filter(object_id=str(order.pk), content_type__model="order")
                   .order_by("timestamp", "id").values_list("action", flat=True))
    assert actions == [
        "cartwheel.order.status", "cartwheel.order.invoice", "cartwheel.order.payment",
        "cartwheel.order.fulfil", "cartwheel.order.status",
        "cartwheel.order.fulfil", "cartwheel.order.status",
        "cartwheel.order.status",
        "cartwheel.order.return_request", "cartwheel.order.return_approve", "cartwheel.order.return_receive",
        "cartwheel.order.refund", "cartwheel.order.payment",
    ]
    assert NotificationLog.objects.filter(dedupe_key__startswith=f"order:{order.pk}:").count() >= 7


def test_confirmation_email_carries_the_invoice_pdf(django_capture_on_commit_callbacks):
    order = order_with_lines(quantities=(1,))
    with django_capture_on_commit_callbacks(execute=True):
        order_confirm(order_id=order.pk)
    invoice = Invoice.objects.get(order=order)
    confirmation = mail.outbox[-1]
    assert order.number in confirmation.subject
    ((filename, content, mimetype),) = confirmation.attachments
    assert filename == f"{invoice.number}.pdf" and mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_confirmation_email_without_the_invoice_when_switched_off(settings, django_capture_on_commit_callbacks):
    settings.SHOP_INVOICE_ATTACH_TO_CONFIRMATION = False
    order = order_with_lines(quantities=(1,))
    with django_capture_on_commit_callbacks(execute=True):
        order_confirm(order_id=order.pk)
    assert Invoice.objects.filter(order=order).exists()
    assert mail.outbox[-1].attachments == []


# --- quantities as forms and JSON send them ------------------------------------------------------
@pytest.mark.parametrize("units", ["١", "²", "1.5", "", "x", True, 2**40])
def test_ship_refund_and_return_refuse_quantities_that_are_not_plain_whole_numbers(customer, units):
    """"١" is not silently 1 and "²" is not a crash: each operation answers invalid_* naming the line."""
    order = _delivered(customer, quantities=(2,))
    (line,) = _lines(order)
    with pytest.raises(ApplicationError) as exc:
        order_refund(order_id=order.pk, lines={line.pk: units}, reason="x")
    assert exc.value.code == "invalid_refund" and exc.value.details == {str(line.pk): "Quantity must be a whole number."}
    with pytest.raises(ApplicationError) as exc:
        return_request_create(order_id=order.pk, lines={line.pk: units}, reason="x", by=customer)
    assert exc.value.code == "invalid_return" and str(line.pk) in exc.value.details
    assert not Refund.objects.exists() and not ReturnRequest.objects.filter(order=order).exists()

    fresh = _priced_order(quantities=(2,))
    (fresh_line,) = _lines(fresh)
    with pytest.raises(ApplicationError) as exc:
        order_fulfil(order_id=fresh.pk, quantities={fresh_line.pk: units}, courier="A", tracking_number="1")
    assert exc.value.code == "invalid_fulfilment" and str(fresh_line.pk) in exc.value.details
    assert not Fulfilment.objects.filter(order=fresh).exists()


def test_a_line_id_that_is_not_a_number_is_refused_not_a_crash(customer):
    order = _delivered(customer, quantities=(2,))
    with pytest.raises(ApplicationError) as exc:
        order_refund(order_id=order.pk, lines={"١٢": 1, "99999999999999999999999": 1}, reason="x")
    assert set(exc.value.details) == {"١٢", "99999999999999999999999"}
