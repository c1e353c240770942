"""Cart services called directly."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commerce.cart.models import Cart, CartLine
from commerce.cart.services import cart_merge
from commerce.catalog.tests.factories import ProductVariantFactory

pytestmark = pytest.mark.django_db


def _merge_guest_cart(customer, *, guest_lines: int) -> tuple[int, Cart]:
    """Merge a guest cart of `guest_lines` lines (the first also in the customer's cart); count queries."""
    target = Cart.objects.create(user=customer)
    source = Cart.objects.create()
    variants = [ProductVariantFactory(stock_on_hand=5) for _ in range(guest_lines)]
    CartLine.objects.create(cart=target, variant=variants[0], quantity=1)
    for variant in variants:
        CartLine.objects.create(cart=source, variant=variant, quantity=2)
    with CaptureQueriesContext(connection) as captured:
        cart_merge(source=source, target=target)
    return len(captured), target


def test_cart_merge_sums_shared_lines_adds_new_ones_and_marks_guest_cart_merged(customer):
    _, target = _merge_guest_cart(customer, guest_lines=3)

    quantities = sorted(target.lines.values_list("quantity", flat=True))
    assert quantities == [2, 2, 3]  # the shared line 1 + 2, two new lines of 2
    assert Cart.objects.get(user=customer, status=Cart.Status.MERGED).lines.count() == 3


def test_cart_merge_queries_same_for_one_guest_line_and_for_eight(customer, other_customer):
    one, _ = _merge_guest_cart(customer, guest_lines=1)
    eight, _ = _merge_guest_cart(other_customer, guest_lines=8)
    # one guest line only raises the shared line; eight also insert the new ones: one more statement
    assert eight <= one + 1
