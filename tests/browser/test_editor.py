"""The editor in a real browser: create a Clothing product, generate its variants, set price and
stock in the grid, publish, and find it on the site."""

import re

import pytest
from playwright.sync_api import expect

from commerce.catalog.models import AttributeValue, Product
from demo import catalog as catalog_seed
from tests.browser.data import admin_user
from tests.browser.test_manager import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_editor_creates_clothing_product_generates_variants_and_publishes(page, shot):
    from demo.pages import seed_pages

    admin_user()
    attributes = catalog_seed.seed_attributes()
    catalog_seed.seed_product_types(attributes)
    catalog_seed.seed_categories()
    AttributeValue.objects.get_or_create(attribute=attributes["color"], slug="blue",
                                         defaults={"name": "Blue", "code": "BLU", "sort_order": 9})
    seed_pages()
    admin_login(page)

    # 1. a new product starts with its type
    page.goto("/admin/catalogue/products/add/")
    page.get_by_role("link", name="Clothing", exact=True).click()
    page.locator("#id_name").fill("Harbour Tee")
    page.locator("#id_slug").fill("harbour-tee")
    page.locator("#id_sku_code").fill("HARB")
    page.locator("#id_base_price").fill("25.00")
    page.get_by_role("button", name="Choose category").click()
    page.get_by_role("dialog").get_by_role("link", name="T-shirts").click()
    expect(page.get_by_role("dialog")).to_be_hidden()
    shot(page, "new-product")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text(re.compile("created", re.I)).first).to_be_visible()
    product = Product.objects.get(slug="harbour-tee")
    assert product.live is False

    # 2. generate Size M/L x Color Blue/Red
    page.goto(f"/admin/catalogue/products/{product.pk}/variants/")
    for attribute, keep in [("size", {"M", "L"}), ("color", {"Blue", "Red"})]:
        for value in AttributeValue.objects.filter(attribute=attributes[attribute]):
            page.get_by_role("checkbox", name=value.name, exact=True).set_checked(value.name in keep)
    page.get_by_role("button", name="Generate variants").click()
    expect(page.get_by_role("heading", name="Variants (4)")).to_be_visible()
    assert sorted(product.variants.values_list("sku", flat=True)) == ["HARB-L-BLU", "HARB-L-RED", "HARB-M-BLU",
                                                                       "HARB-M-RED"]

    # 3. price and stock in the grid
    page.get_by_label("Price of Size: M, Color: Blue").fill("27.50")
    for combination in ["Size: M, Color: Blue", "Size: M, Color: Red", "Size: L, Color: Blue", "Size: L, Color: Red"]:
        page.get_by_label(f"Stock on hand of {combination}").fill("12")
    shot(page, "variant-grid")
    page.get_by_role("button", name="Save variants").click()
    expect(page.get_by_label("Price of Size: M, Color: Blue")).to_have_value("27.50")
    assert set(product.variants.values_list("stock_on_hand", flat=True)) == {12}

    # 4. publish from the edit view (Publish sits in the action menu's dropdown)
    page.goto(f"/admin/catalogue/products/edit/{product.pk}/")
    page.locator("footer [data-w-dropdown-target='toggle'], footer .dropdown-toggle").first.click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text(re.compile("published", re.I)).first).to_be_visible()
    product.refresh_from_db()
    assert product.live is True

    # 5. it is on the site, with its variants' prices and stock
    page.goto("/shop/category/t-shirts/")
    page.get_by_role("link", name=re.compile("Harbour Tee")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Tee")
    buy = page.get_by_role("form", name="Harbour Tee")
    buy.get_by_role("radio", name="M", exact=True).check()
    buy.get_by_role("radio", name="Blue", exact=True).check()
    expect(buy).to_contain_text("HARB-M-BLU")  # the picker names the variant the choices make
    expect(page.get_by_role("main")).to_contain_text("$27.50")
    expect(buy).to_contain_text("In stock")  # 12 on hand: the site shows a count only when few are left
    shot(page, "on-the-site")
