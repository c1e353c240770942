"""The shopper's journey in a real browser: home -> category -> product -> Size M / Color Blue ->
cart -> guest checkout -> confirmation -> tracking by number and phone; axe-core on the way."""

import re

import pytest
from playwright.sync_api import expect

from commerce.orders.models import Order
from tests.browser.conftest import axe_serious_violations
from tests.browser.data import seed_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "+12025550143"


def _assert_accessible(page, what):
    violations = axe_serious_violations(page)
    assert violations == [], f"{what}: {violations}"
    _assert_fits(page, what)


def _assert_fits(page, what):
    """Responsive: nothing makes the page scroll sideways, on desktop or on a phone."""
    desktop = page.viewport_size
    for width, height in [(desktop["width"], desktop["height"]), (375, 740)]:
        page.set_viewport_size({"width": width, "height": height})
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{what} scrolls sideways by {overflow}px at {width}px"
    page.set_viewport_size(desktop)


def test_shopper_buys_a_blue_medium_tee_as_guest_and_tracks_it(page, shot):
    seed_shop()

    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Everyday clothes")
    shot(page, "home")
    _assert_accessible(page, "home")
    page.set_viewport_size({"width": 375, "height": 740})
    shot(page, "home-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Apparel").first.click()
    expect(page).to_have_url(re.compile(r"/shop/category/apparel/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Apparel")
    shot(page, "category")

    page.get_by_role("link", name=re.compile("Everyday Tee")).first.click()
    expect(page).to_have_url(re.compile(r"/shop/product/everyday-tee/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Everyday Tee")
    _assert_accessible(page, "product")

    page.get_by_label(re.compile(r"^\s*M / Blue")).check()
    # progressive enhancement: the price line follows the chosen variant
    expect(page.locator("[data-variant-price]")).to_have_text("$20.00 \u2014 10 in stock")
    shot(page, "product-m-blue")
    page.get_by_role("button", name="Add to cart").click()
    page.goto("/cart/")
    expect(page.get_by_role("main")).to_contain_text("Everyday Tee")
    expect(page.get_by_role("main")).to_contain_text("EVT-M-BLU")
    shot(page, "cart")
    _assert_accessible(page, "cart")

    page.get_by_role("link", name="Proceed to checkout").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    _assert_accessible(page, "checkout")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Phone").fill(PHONE)
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 Analytical Row")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Postal code").fill("12345")
    page.get_by_label("Country").fill("US")
    shot(page, "checkout")
    page.get_by_role("button", name="Place order").click()

    expect(page).to_have_url(re.compile(r"/checkout/confirmation/[^/]+/$"))
    order = Order.objects.get()
    expect(page.get_by_role("main")).to_contain_text(order.number)
    assert order.status == Order.Status.PENDING
    assert [line.sku for line in order.lines.all()] == ["EVT-M-BLU"]
    shot(page, "confirmation")

    page.goto("/track/")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("Phone number given at checkout").fill(PHONE)
    page.get_by_role("button", name="Track").click()
    expect(page.get_by_role("main")).to_contain_text("Pending")
    shot(page, "tracking")
