"""The Content-Security-Policy in a real browser: the storefront under its strict policy and the Wagtail
admin under its own raise no violation, and the admin's editors still work (JavaScript runs, menus
open, choosers open their modal, saving works)."""

import re

import pytest
from playwright.sync_api import expect

from commerce.catalog.models import Product
from tests.browser.data import admin_user, seed_shop
from tests.browser.test_manager import admin_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def watched(page):
    """The page, recording CSP violations from the DOM event and from the console."""
    console = []
    page.on(
        "console",
        lambda message: console.append(message.text)
        if re.search(r"Content.Security.Policy|Refused to", message.text)
        else None,
    )
    page.add_init_script(WATCH_VIOLATIONS)

    def violations():
        return page.evaluate("window.__cspViolations || []") + console

    page.csp_violations = violations
    return page


def test_storefront_runs_under_the_strict_policy_without_violations(watched, shot):
    seed_shop()
    for path in ["/", "/shop/", "/shop/product/everyday-tee/", "/search/?q=tee", "/cart/"]:
        response = watched.goto(path)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"].split("script-src")[1].split(";")[0]
        watched.wait_for_load_state("networkidle")
        assert watched.csp_violations() == [], path
    shot(watched, "product")
    watched.goto("/docs/")
    # Swagger UI under the API policy: its scripts are files, it fetches the schema (connect-src 'self')
    expect(watched.locator(".swagger-ui .info .title")).to_contain_text("Cartwheel API", timeout=30_000)
    watched.wait_for_load_state("networkidle")
    assert watched.csp_violations() == []


def test_admin_page_editor_and_snippet_form_work_under_the_policy(watched, shot):
    from wagtail.models import Page

    seed_shop()
    admin_user()
    admin_login(watched)
    assert watched.csp_violations() == []

    # the page editor: JavaScript-driven parts respond
    home = Page.objects.filter(depth=2).first().specific
    response = watched.goto(f"/admin/pages/{home.pk}/edit/")
    assert "content-security-policy" in response.headers
    watched.wait_for_load_state("networkidle")
    title = watched.locator("#id_title")
    title.fill("Home, edited under CSP")
    watched.get_by_role("button", name="More actions").first.click()
    expect(watched.get_by_role("button", name=re.compile("Publish", re.I)).first).to_be_visible()
    shot(watched, "page-editor")
    watched.get_by_role("button", name=re.compile("Save draft", re.I)).first.click()
    expect(watched.get_by_role("status").first).to_contain_text("has been updated", timeout=15_000)
    # the live preview: a side panel that loads the page in a same-origin iframe (frame-src 'self')
    watched.get_by_role("button", name="Toggle preview").click()
    preview = watched.frame_locator("iframe#w-preview-iframe, .w-preview__iframe").first
    expect(preview.locator(".site-header")).to_be_visible(timeout=20_000)
    assert watched.csp_violations() == []

    # a snippet edit form: the chooser modal (fetched and run by the admin's scripts) opens
    product = Product.objects.get(slug="everyday-tee")
    watched.goto(f"/admin/catalogue/products/edit/{product.pk}/")
    watched.wait_for_load_state("networkidle")
    chooser = watched.locator(".chooser:has([data-chooser-title])", has_text="T-shirts").first
    chooser.get_by_role("button", name="Actions").click()  # the chooser's dropdown menu (JavaScript)
    chooser.locator(".chosen [data-chooser-action-choose]").click()
    dialog = watched.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="T-shirts").click()
    expect(dialog).to_be_hidden()
    watched.locator("#id_name").fill("Everyday Tee (CSP)")
    shot(watched, "snippet-form")
    watched.get_by_role("button", name=re.compile("Save", re.I)).first.click()
    expect(watched.get_by_role("status").first).to_contain_text(re.compile("updated|saved"), timeout=15_000)
    # a draft: the new name is in the latest revision
    assert Product.objects.get(pk=product.pk).get_latest_revision_as_object().name == "Everyday Tee (CSP)"
    assert watched.csp_violations() == []
