"""The shopper's journey in a real browser, found by role and label only, at 1280 and 375 px:
home -> category (facets, chips) -> product (Size M / Color Blue) -> cart (coupon) -> guest checkout
-> confirmation -> tracking -> account (wishlist, review, orders); axe-core and layout facts on the way,
and the same purchase without JavaScript."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from commerce.orders.models import Order
from tests.browser.conftest import axe_serious_violations
from tests.browser.data import seed_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "+12025550143"
DESKTOP = {"width": 1280, "height": 900}
PHONE_VIEWPORT = {"width": 375, "height": 740}


def _assert_accessible(page, what):
    violations = axe_serious_violations(page)
    assert violations == [], f"{what}: {violations}"
    _assert_fits(page, what)


def _assert_fits(page, what):
    """Responsive: nothing makes the page scroll sideways, on desktop or on a phone."""
    before = page.viewport_size
    for size in (DESKTOP, PHONE_VIEWPORT):
        page.set_viewport_size(size)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{what} scrolls sideways by {overflow}px at {size['width']}px"
    page.set_viewport_size(before)


def _cards_in_first_row(page) -> int:
    """How many product cards share the first row of the results grid."""
    tops = page.get_by_role("main").get_by_role("listitem").filter(has=page.get_by_role("article")).evaluate_all(
        "items => items.map(item => Math.round(item.getBoundingClientRect().top))"
    )
    return sum(1 for top in tops if abs(top - tops[0]) <= 2)


def test_shopper_buys_a_blue_medium_tee_as_guest_tracks_it_and_uses_an_account(page, shot):
    seed_shop()

    # --- home: hero, coupon banner, category tiles, card grid -----------------------------------
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Everyday clothes")
    expect(page.get_by_role("main")).to_contain_text("WELCOME10")
    expect(page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Cart, 0 items"))).to_be_visible()
    shot(page, "home")
    _assert_accessible(page, "home")

    # --- category from the header's category menu ------------------------------------------------
    header_nav = page.get_by_role("navigation", name="Main")
    header_nav.get_by_text("Apparel", exact=True).click()  # a disclosure: the category's sub-menu
    header_nav.get_by_role("link", name="All Apparel").click()
    expect(page).to_have_url(re.compile(r"/shop/category/apparel/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Apparel")
    assert _cards_in_first_row(page) >= 3
    filters = page.get_by_role("form", name="Filters")
    blue = filters.get_by_role("checkbox", name=re.compile(r"^Blue \(4 products\s*\)"))
    expect(blue).to_be_visible()
    expect(filters.get_by_role("checkbox", name=re.compile(r"^Red \(4 products\s*\)"))).to_be_visible()
    expect(filters.get_by_role("group", name="Storage")).to_have_count(0)  # other categories' attributes
    shot(page, "category")
    _assert_accessible(page, "catalogue")

    blue.check()  # applies at once with JavaScript
    expect(page).to_have_url(re.compile(r"color=blue"))
    expect(page.get_by_role("status")).to_have_text("4 products")
    chip = page.get_by_role("link", name=re.compile(r"^Color: Blue"))
    expect(chip).to_be_visible()
    shot(page, "category-blue")
    chip.click()
    expect(page.get_by_role("status")).to_have_text("7 products")

    # --- product: one radio group per variant attribute --------------------------------------------
    page.get_by_role("link", name="Everyday Tee").first.click()
    expect(page).to_have_url(re.compile(r"/shop/product/everyday-tee/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Everyday Tee")
    buy = page.get_by_role("form", name="Everyday Tee")
    groups = buy.get_by_role("group")
    expect(groups).to_have_count(2)
    expect(buy.get_by_role("group", name=re.compile(r"^Size"))).to_be_visible()
    expect(buy.get_by_role("group", name=re.compile(r"^Color"))).to_be_visible()
    expect(buy.get_by_role("radio", name=re.compile(r"^Red"))).to_be_disabled()  # S / Red is sold out
    _assert_accessible(page, "product")

    buy.get_by_role("radio", name="M").check()
    buy.get_by_role("radio", name=re.compile(r"^Blue")).check()
    expect(buy).to_contain_text("EVT-M-BLU")  # SKU and stock follow the choice
    expect(buy).to_contain_text("In stock")
    expect(page.locator("[data-variant-price]")).to_have_text("$20.00")
    shot(page, "product-m-blue")
    buy.get_by_role("button", name="Add to cart").click()
    expect(page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Cart, 1 item"))).to_be_visible()

    # --- cart: thumbnail, coupon, checkout as the primary action -------------------------------------
    page.get_by_role("banner").get_by_role("link", name=re.compile(r"^Cart,")).click()
    main = page.get_by_role("main")
    expect(main).to_contain_text("EVT-M-BLU")
    expect(main.get_by_role("spinbutton", name="Quantity of Everyday Tee")).to_have_value("1")
    expect(main.get_by_role("button", name="Remove Everyday Tee")).to_be_visible()
    expect(main).to_contain_text("more for free shipping")
    main.get_by_label("Coupon code").fill("welcome10")
    main.get_by_role("button", name="Apply coupon").click()
    expect(page.get_by_role("main")).to_contain_text("Welcome: 10% off")
    shot(page, "cart")
    _assert_accessible(page, "cart")

    page.get_by_role("link", name="Check out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checkout")
    _assert_accessible(page, "checkout")
    page.get_by_role("button", name=re.compile("^Place order")).click()  # empty: the error summary
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please check")
    summary.get_by_role("link", name=re.compile(r"^Email")).click()
    expect(page.get_by_label("Email")).to_be_focused()
    shot(page, "checkout-errors")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Phone").fill(PHONE)
    page.get_by_label("Full name").fill("Ada Lovelace")
    page.get_by_label("Address line 1").fill("12 Analytical Row")
    page.get_by_label("City").fill("Springfield")
    page.get_by_label("Postal code").fill("12345")
    page.get_by_label("Country").select_option("US")
    expect(page.get_by_role("radio", name=re.compile(r"^Standard delivery — \$4\.99"))).to_be_visible()
    shot(page, "checkout")
    page.get_by_role("button", name=re.compile("^Place order")).click()

    expect(page).to_have_url(re.compile(r"/checkout/confirmation/[^/]+/(#.*)?$"))
    order = Order.objects.get()
    expect(page.get_by_role("main")).to_contain_text(order.number)
    assert order.status == Order.Status.PENDING and order.coupon_code == "WELCOME10"
    assert [line.sku for line in order.lines.all()] == ["EVT-M-BLU"]
    shot(page, "confirmation")

    page.goto("/track/")
    page.get_by_label("Order number").fill(order.number)
    page.get_by_label("Phone number given at checkout").fill(PHONE)
    page.get_by_role("button", name="Track").click()
    expect(page.get_by_role("main")).to_contain_text("Pending")
    shot(page, "tracking")

    # --- account: log in, wishlist beside add-to-cart, the order, cancel --------------------------
    user = get_user_model().objects.create_user(email="ada@example.com", password="analytical-engine-1843")
    Order.objects.filter(pk=order.pk).update(user=user)
    page.goto("/account/login/")
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill("analytical-engine-1843")
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.goto("/shop/product/everyday-tee/")
    page.get_by_role("button", name="Add to wishlist").click()
    expect(page.get_by_role("link", name="On your wishlist")).to_be_visible()
    page.get_by_role("banner").get_by_role("link", name="Account").click()
    account_nav = page.get_by_role("navigation", name="Account")
    expect(account_nav.get_by_role("link", name="Overview")).to_have_attribute("aria-current", "page")
    shot(page, "account")
    _assert_accessible(page, "account")
    account_nav.get_by_role("link", name="Orders").click()
    page.get_by_role("link", name=order.number).click()
    page.get_by_role("button", name="Cancel this order").click()
    expect(page.get_by_role("status")).to_contain_text(f"Order {order.number} is cancelled.")
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    shot(page, "order-cancelled")


def test_phone_layout_header_menu_two_card_columns_and_filter_drawer(chromium, browser_site, shot):
    seed_shop()
    context = chromium.new_context(viewport=PHONE_VIEWPORT, base_url=browser_site.url)
    page = context.new_page()
    try:
        page.goto("/")
        header = page.get_by_role("banner")
        assert header.bounding_box()["height"] <= 120
        expect(header).to_contain_text("Free shipping")  # the announcement sits inside the banner landmark
        shot(page, "phone-home")
        menu = header.locator("summary").filter(has_text="Menu")  # a <details> disclosure
        drawer = page.get_by_role("navigation", name="Menu")
        expect(drawer).to_be_hidden()
        menu.click()
        expect(drawer.get_by_role("link", name="Hoodies")).to_be_visible()
        shot(page, "phone-menu-open")
        drawer.get_by_role("link", name="Apparel").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Apparel")
        assert _cards_in_first_row(page) == 2
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        filters = page.get_by_role("form", name="Filters")
        expect(filters).to_be_hidden()  # closed drawer on phones
        shot(page, "phone-category")
        page.get_by_text("Filter and sort").click()
        expect(filters.get_by_role("checkbox", name=re.compile(r"^Blue \(4 products\s*\)"))).to_be_visible()
        shot(page, "phone-filters-open")
        filters.get_by_role("checkbox", name=re.compile(r"^Blue")).check()
        filters.get_by_role("button", name="Show results").click()
        expect(page.get_by_role("status")).to_have_text("4 products")

        page.goto("/shop/product/everyday-tee/")
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        shot(page, "phone-product")
    finally:
        context.close()


def test_the_purchase_works_without_javascript(chromium, browser_site, shot):
    seed_shop()
    context = chromium.new_context(viewport=DESKTOP, base_url=browser_site.url, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/shop/category/apparel/")
        filters = page.get_by_role("form", name="Filters")
        filters.get_by_role("checkbox", name=re.compile(r"^Blue")).check()
        filters.get_by_role("button", name="Show results").click()
        expect(page.get_by_role("status")).to_have_text("4 products")
        page.get_by_role("link", name="Everyday Tee").first.click()
        buy = page.get_by_role("form", name="Everyday Tee")
        buy.get_by_role("radio", name="L", exact=True).check()
        buy.get_by_role("radio", name=re.compile(r"^Blue")).check()
        buy.get_by_role("button", name="Add to cart").click()
        page.goto("/cart/")
        expect(page.get_by_role("main")).to_contain_text("EVT-L-BLU")
        page.get_by_role("link", name="Check out").click()
        page.get_by_label("Country").select_option("FR")
        page.get_by_role("button", name="Update delivery options").click()
        # the form post re-offers only what ships to France, priced with the currency
        expect(page.get_by_role("radio", name=re.compile(r"^International delivery — \$19\.99"))).to_be_visible()
        expect(page.get_by_role("radio", name=re.compile(r"^Standard delivery"))).to_have_count(0)
        shot(page, "nojs-checkout-france")
    finally:
        context.close()
