"""A shop manager imports a small catalogue CSV in the admin and edits the order-confirmation email."""

import re

import pytest
from playwright.sync_api import expect

from commerce.catalog.models import ProductVariant
from commerce.catalog.tests.factories import CategoryFactory, clothing_type
from commerce.emails.models import EmailTemplate
from commerce.imports.fileformat import write_rows
from commerce.orders.tests.factories import order_with_lines
from tests.browser.data import admin_user
from tests.browser.test_manager import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _patient(page):
    # the admin's first load (fonts, scripts) can outlast 15 s on a loaded two-core machine
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(60_000)


def test_manager_imports_a_small_csv_and_sees_progress_and_report(page, shot, tmp_path):
    admin_user()
    clothing_type()
    CategoryFactory(slug="shirts", name="Shirts")
    rows = [
        {"product_slug": "linen-tee", "product_name": "Linen tee", "product_type": "clothing", "category": "shirts",
         "base_price": "25.00", "sku": f"LIN-{size.upper()}", "option:size": size, "option:color": "red",
         "price": "", "stock": "5"}
        for size in ("s", "m", "l")
    ]
    csv_path = tmp_path / "linen.csv"
    csv_path.write_bytes(write_rows(["product_slug", "product_name", "product_type", "category", "base_price",
                                     "sku", "option:size", "option:color", "price", "stock"], rows, fmt="csv"))

    admin_login(page)
    page.get_by_role("link", name="Import / export").click()
    expect(page.get_by_role("heading", name="Catalogue import / export")).to_be_visible()
    page.locator("input[type=file][name=file]").set_input_files(str(csv_path))
    page.get_by_label(re.compile("Dry run")).uncheck()
    shot(page, "upload")
    page.get_by_role("button", name="Upload and run").click()

    expect(page.get_by_role("heading", name="Import of linen.csv")).to_be_visible()
    progress = page.locator("[data-import-progress]")
    expect(progress).to_be_visible()
    expect(page.locator("[data-import-status]")).to_have_text("Imported")
    assert progress.get_attribute("value") == progress.get_attribute("max") != "0"
    expect(page.locator("[data-import-result]")).to_contain_text("Variants created")
    expect(page.locator("[data-import-result]")).to_contain_text("3")
    shot(page, "result")
    report = page.request.get(page.locator("[data-import-report]").get_attribute("href"))
    assert report.ok and "variants_created,3" in report.text()
    assert ProductVariant.objects.filter(sku__startswith="LIN-").count() == 3


def test_manager_edits_the_order_confirmation_email_and_previews_it(page, shot):
    admin_user()
    order = order_with_lines(quantities=(1,), ship_full_name="Grace Hopper")

    admin_login(page)
    page.goto("/admin/emails/templates/add/")
    page.locator("#id_event").select_option("order_confirmed")
    page.locator("#id_subject").fill("Good news, {{ customer_name }}: {{ order_number }} is confirmed")
    editor = page.locator(".Draftail-Editor [contenteditable=true]").first
    editor.click()
    editor.type("We are packing order {{ order_number }} for you.")
    # Draftail writes its hidden input a moment after the last keystroke; the preview posts that input
    expect(page.locator("input[name=body_html]")).to_have_value(re.compile("for you"))
    page.locator("#id_body_text").fill("We are packing order {{ order_number }}.")
    shot(page, "edit")

    page.locator("button[data-side-panel-toggle=preview]").click()
    preview = page.frame_locator("#w-preview-iframe")
    expect(preview.locator("[data-subject]")).to_have_text(f"Good news, Grace Hopper: {order.number} is confirmed")
    expect(preview.locator("[data-text]")).to_contain_text(f"We are packing order {order.number}.")
    expect(preview.locator("[data-html]")).to_contain_text(f"We are packing order {order.number} for you.")
    shot(page, "preview")

    # "Publish" sits in the footer's action menu; pressing it is what the menu item does
    page.locator("button[name=action-publish]").first.evaluate("button => button.click()")
    expect(page.get_by_text(re.compile("published", re.I)).first).to_be_visible()
    assert EmailTemplate.objects.get(event="order_confirmed").live
