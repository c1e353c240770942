"""What customers see of fulfilments, returns and invoices, over the API and the site, and that
nobody else sees it (IDOR: another customer's order answers exactly like an unknown one)."""

import pytest
from rest_framework.test import APIClient

from commerce.accounts.models import User
from commerce.orders.models import Order, ReturnRequest
from commerce.orders.services import order_confirm, order_deliver, order_ship
from commerce.orders.tests.factories import order_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(db):
    return User.objects.create_user(email="owner@example.com", password="pw-123456-x")


@pytest.fixture
def stranger(db):
    return User.objects.create_user(email="stranger@example.com", password="pw-123456-x")


@pytest.fixture
def delivered(owner):
    order = order_with_lines(quantities=(2, 1), user=owner, number="CW-300001")
    order_confirm(order_id=order.pk)  # issues the invoice (SHOP_INVOICE_ISSUE_STATUS=confirmed)
    order_ship(order_id=order.pk, courier="DHL", tracking_number="JD1")
    order_deliver(order_id=order.pk)
    return order


def api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _returns_url(order):
    return f"/api/v1/orders/{order.number}/returns/"


def test_api_customer_requests_a_return_of_delivered_lines(owner, delivered):
    line = delivered.lines.order_by("id").first()
    detail = api(owner).get(f"/api/v1/orders/{delivered.number}/").json()
    assert detail["lines"][0]["id"] == line.pk  # the id a return names
    response = api(owner).post(_returns_url(delivered), {"reason": "Too small", "lines": [
        {"line_id": line.pk, "quantity": 1}]}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "CW-300001-R1" and body["status"] == "requested"
    assert body["lines"] == [{"line_id": line.pk, "sku": line.sku, "product_name": line.product_name, "quantity": 1}]
    listed = api(owner).get(_returns_url(delivered)).json()
    assert [r["number"] for r in listed] == ["CW-300001-R1"]


def test_api_return_of_more_than_delivered_is_400_with_details(owner, delivered):
    line = delivered.lines.order_by("id").first()
    response = api(owner).post(_returns_url(delivered), {"reason": "x", "lines": [
        {"line_id": line.pk, "quantity": 3}]}, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_return" and str(line.pk) in error["details"]


def test_api_return_of_an_undelivered_order_is_409(owner):
    order = order_with_lines(quantities=(1,), user=owner)
    order_confirm(order_id=order.pk)
    response = api(owner).post(_returns_url(order), {"reason": "x", "lines": [
        {"line_id": order.lines.get().pk, "quantity": 1}]}, format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_delivered"


def test_api_return_body_must_be_json_and_valid(owner, delivered):
    line = delivered.lines.order_by("id").first()
    form = api(owner).post(_returns_url(delivered), {"reason": "x", "lines": "1"}, format="multipart")
    assert form.status_code == 415
    for body in ({"reason": "", "lines": []}, {"reason": "x", "lines": [{"line_id": "a", "quantity": 1}]},
                 {"reason": "x", "lines": [{"line_id": line.pk, "quantity": 1}, {"line_id": line.pk, "quantity": 1}]}):
        response = api(owner).post(_returns_url(delivered), body, format="json")
        assert response.status_code == 400 and "error" in response.json()
    assert not ReturnRequest.objects.exists()


def test_api_returns_and_invoice_of_another_customers_order_are_404_like_unknown(owner, stranger, delivered):
    line = delivered.lines.order_by("id").first()
    body = {"reason": "mine now", "lines": [{"line_id": line.pk, "quantity": 1}]}
    for client in (api(stranger),):
        for method, url in (("post", _returns_url(delivered)), ("get", _returns_url(delivered)),
                            ("get", f"/api/v1/orders/{delivered.number}/invoice/")):
            theirs = getattr(client, method)(url, body, format="json") if method == "post" else client.get(url)
            unknown_url = url.replace(delivered.number, "CW-999999")
            unknown = getattr(client, method)(unknown_url, body, format="json") if method == "post" else client.get(
                unknown_url)
            assert theirs.status_code == unknown.status_code == 404
            assert theirs.json() == unknown.json()
    assert not ReturnRequest.objects.exists()
    for method, url in (("post", _returns_url(delivered)), ("get", f"/api/v1/orders/{delivered.number}/invoice/")):
        assert getattr(api(), method)(url).status_code == 401


def test_api_invoice_download_is_the_owners_pdf(owner, delivered):
    response = api(owner).get(f"/api/v1/orders/{delivered.number}/invoice/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and 'filename="INV-000001.pdf"' in response["Content-Disposition"]
    asked_for_pdf = api(owner).get(f"/api/v1/orders/{delivered.number}/invoice/", HTTP_ACCEPT="application/pdf")
    assert asked_for_pdf.status_code == 200


def test_api_invoice_not_issued_yet_is_404_with_code(owner, settings):
    settings.SHOP_INVOICE_ISSUE_STATUS = "delivered"
    order = order_with_lines(quantities=(1,), user=owner)
    response = api(owner).get(f"/api/v1/orders/{order.number}/invoice/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "invoice_not_issued"


def test_openapi_schema_documents_returns_and_invoice(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    returns = schema["paths"]["/api/v1/orders/{number}/returns/"]
    assert set(returns["post"]["responses"]) >= {"201", "400", "401", "404", "409", "415"}
    assert list(returns["post"]["requestBody"]["content"]) == ["application/json"]
    invoice = schema["paths"]["/api/v1/orders/{number}/invoice/"]["get"]
    assert "application/pdf" in invoice["responses"]["200"]["content"] and "404" in invoice["responses"]


# --- the site --------------------------------------------------------------------------------------
def test_site_order_page_offers_invoice_and_return_and_the_return_form_works(client, owner, delivered):
    client.force_login(owner)
    page = client.get(f"/account/orders/{delivered.number}/").content.decode()
    assert "Download invoice INV-000001" in page and "Return items" in page and "JD1" in page
    pdf = client.get(f"/account/orders/{delivered.number}/invoice/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    line = delivered.lines.order_by("id").first()
    too_many = client.post(f"/account/orders/{delivered.number}/return/", {f"qty_{line.pk}": "5", "reason": "x"})
    assert too_many.status_code == 400 and "Only 2 delivered" in too_many.content.decode()
    ok = client.post(f"/account/orders/{delivered.number}/return/", {f"qty_{line.pk}": "1", "reason": "Too big"},
                     follow=True)
    assert "Return CW-300001-R1 requested" in ok.content.decode()
    assert ReturnRequest.objects.get().lines.get().quantity == 1


def test_site_invoice_and_return_of_another_customers_order_are_404(client, stranger, delivered):
    client.force_login(stranger)
    line = delivered.lines.order_by("id").first()
    assert client.get(f"/account/orders/{delivered.number}/invoice/").status_code == 404
    assert client.get(f"/account/orders/{delivered.number}/return/").status_code == 404
    assert client.post(f"/account/orders/{delivered.number}/return/",
                       {f"qty_{line.pk}": "1", "reason": "x"}).status_code == 404
    assert not ReturnRequest.objects.exists()
    client.logout()
    assert client.get(f"/account/orders/{delivered.number}/invoice/").status_code == 302  # to login
    assert Order.objects.get(pk=delivered.pk).status == "delivered"


def test_api_order_detail_shows_parcels_refunds_returns_and_invoice_in_constant_queries(owner, delivered):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from commerce.orders.refunds import order_refund
    from commerce.orders.services import order_mark_paid

    first, second = delivered.lines.order_by("id")
    order_mark_paid(order_id=delivered.pk)
    api(owner).post(_returns_url(delivered), {"reason": "Too small", "lines": [{"line_id": first.pk, "quantity": 1}]},
                    format="json")
    order_refund(order_id=delivered.pk, lines={second.pk: 1}, reason="Scratched")
    with CaptureQueriesContext(connection) as one_of_each:
        body = api(owner).get(f"/api/v1/orders/{delivered.number}/").json()
    api(owner).post(_returns_url(delivered), {"reason": "Also", "lines": [{"line_id": first.pk, "quantity": 1}]},
                    format="json")
    order_refund(order_id=delivered.pk, lines={first.pk: 1}, reason="Late")
    with CaptureQueriesContext(connection) as two_of_each:
        api(owner).get(f"/api/v1/orders/{delivered.number}/")
    assert len(two_of_each) == len(one_of_each)  # more refunds and returns cost no extra query

    (parcel,) = body["parcels"]
    assert parcel["number"] == f"{delivered.number}-F1" and parcel["status"] == "delivered"
    assert parcel["courier"] == "DHL" and parcel["tracking_number"] == "JD1"
    assert {(line["line_id"], line["quantity"]) for line in parcel["lines"]} == {(first.pk, 2), (second.pk, 1)}
    (refund,) = body["refunds"]
    assert refund["lines"] == [{"line_id": second.pk, "quantity": 1}] and refund["reason"] == "Scratched"
    assert refund["credit_note_number"] and refund["amount"] == str(second.unit_price)
    assert [r["number"] for r in body["returns"]] == [f"{delivered.number}-R1"]
    assert body["invoice"]["number"] == delivered.invoice.number


def test_api_order_detail_before_anything_ships_has_empty_operations(owner):
    order = order_with_lines(quantities=(1,), user=owner)
    body = api(owner).get(f"/api/v1/orders/{order.number}/").json()
    assert body["parcels"] == body["refunds"] == body["returns"] == [] and body["invoice"] is None
