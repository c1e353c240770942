"""Refunds and invoice numbers under real concurrency: PostgreSQL, one connection per thread."""

from decimal import Decimal

import pytest

from commerce.core.errors import ConflictError
from commerce.orders.invoices import invoice_issue
from commerce.orders.models import Invoice, Order, Refund
from commerce.orders.refunds import order_refund
from commerce.orders.services import order_confirm, order_mark_paid
from commerce.orders.tests.factories import order_with_lines

from .test_concurrency_checkout import run_parallel

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _paid_order(quantity=4):
    order = order_with_lines(quantities=(quantity,))
    order.lines.update(unit_price=Decimal("10.00"), line_total=Decimal("10.00") * quantity)
    Order.objects.filter(pk=order.pk).update(subtotal=Decimal("10.00") * quantity, shipping=Decimal("0.00"),
                                             total=Decimal("10.00") * quantity)
    order_confirm(order_id=order.pk)
    order_mark_paid(order_id=order.pk)
    return order


def test_two_staff_refunding_the_same_order_at_once_cannot_refund_more_than_the_total():
    order = _paid_order(quantity=4)  # 40.00 paid
    line = order.lines.get()

    def refund_three():
        return order_refund(order_id=order.pk, lines={line.pk: 3}, reason="race")

    results = run_parallel([refund_three, refund_three, refund_three])
    done = [r for r in results if isinstance(r, Refund)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(done) == 1 and len(refused) == 2, results
    assert all(getattr(r, "code", "") == "invalid_refund" or isinstance(r, ConflictError) for r in refused)
    order.refresh_from_db()
    assert order.amount_refunded == Decimal("30.00") <= order.total
    assert Refund.objects.filter(order=order).count() == 1


def test_concurrent_partial_refunds_add_up_to_at_most_the_total():
    order = _paid_order(quantity=4)
    line = order.lines.get()
    jobs = [lambda: order_refund(order_id=order.pk, lines={line.pk: 1}, reason="one each")] * 6
    results = run_parallel(jobs)
    assert sum(isinstance(r, Refund) for r in results) == 4
    order.refresh_from_db()
    assert order.amount_refunded == order.total == Decimal("40.00")
    assert order.payment_status == Order.PaymentStatus.REFUNDED
    numbers = sorted(Refund.objects.values_list("credit_note_number", flat=True))
    assert numbers == [f"CN-{n:06d}" for n in range(1, 5)]  # credit notes stay gapless too


def test_invoice_numbers_stay_gapless_under_concurrent_issuing(settings):
    settings.SHOP_INVOICE_ISSUE_STATUS = ""
    orders = [order_with_lines(quantities=(1,)) for _ in range(8)]
    for order in orders:
        order_confirm(order_id=order.pk)
    # every order issued twice at once: the same order never gets two numbers, none is skipped
    jobs = [lambda pk=order.pk: invoice_issue(order_id=pk) for order in orders for _ in range(2)]
    results = run_parallel(jobs)
    assert not [r for r in results if isinstance(r, Exception)], results
    sequences = sorted(Invoice.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 9))
    assert Invoice.objects.values("order").distinct().count() == 8
