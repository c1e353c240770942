import pytest
from django.db import transaction

from commerce.catalog.services import variants_update
from commerce.catalog.stock import stock_allocate, stock_release, stock_restock
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.core.errors import ConflictError, NotFoundError
from commerce.marketing.models import BackInStockSubscription
from commerce.marketing.services import back_in_stock_subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold_out(db):
    return ProductVariantFactory(stock_on_hand=0, product__live=True)


def test_guest_subscribes_and_gets_exactly_one_email_on_restock(sold_out, mailoutbox, commit):
    sub = back_in_stock_subscribe(sku=sold_out.sku, email=" Gus@Example.com ")
    assert back_in_stock_subscribe(sku=sold_out.sku, email="gus@example.com") == sub  # idempotent
    with commit():
        variants_update(product=sold_out.product, changes={sold_out.pk: {"stock_on_hand": 5}})
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["gus@example.com"] and sold_out.product.name in message.subject
    assert f"/back-in-stock/unsubscribe/{sub.token}/" in message.body
    # more stock later does not email again
    with commit():
        variants_update(product=sold_out.product, changes={sold_out.pk: {"stock_on_hand": 9}})
    with commit(), transaction.atomic():
        stock_allocate(quantities={sold_out.pk: 9})
    with commit(), transaction.atomic():
        stock_release(quantities={sold_out.pk: 9})  # available again after a cancellation
    assert len(mailoutbox) == 1
    assert BackInStockSubscription.objects.get().status == "notified"


def test_customer_subscribes_with_the_account_email(sold_out, django_user_model):
    user = django_user_model.objects.create_user(email="cara@example.com", password="pw-123456-x")
    assert back_in_stock_subscribe(sku=sold_out.sku, user=user).email == "cara@example.com"


def test_in_stock_and_unknown_variants_are_refused(db):
    in_stock = ProductVariantFactory(stock_on_hand=3, product__live=True)
    with pytest.raises(ConflictError):
        back_in_stock_subscribe(sku=in_stock.sku, email="a@example.com")
    with pytest.raises(NotFoundError):
        back_in_stock_subscribe(sku="NOPE", email="a@example.com")


def test_unsubscribed_shoppers_get_nothing(sold_out, client, mailoutbox, commit):
    sub = back_in_stock_subscribe(sku=sold_out.sku, email="gus@example.com")
    url = f"/back-in-stock/unsubscribe/{sub.token}/"
    assert client.get(url).status_code == 200
    assert BackInStockSubscription.objects.get().status == "active"  # a GET (mail scanner) changes nothing
    assert b"Unsubscribed" in client.post(url).content
    with commit(), transaction.atomic():
        stock_restock(quantities={sold_out.pk: 2})
    assert mailoutbox == []


def test_api_subscribe_documents_errors_and_is_throttled(sold_out, settings):
    from rest_framework.test import APIClient

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "back_in_stock": "3/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    api = APIClient()
    response = api.post("/api/v1/back-in-stock/", {"sku": sold_out.sku, "email": "g@example.com"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "active"
    response = api.post("/api/v1/back-in-stock/", {"sku": sold_out.sku}, format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_email"
    response = api.post("/api/v1/back-in-stock/", {"sku": "NOPE", "email": "g@example.com"}, format="json")
    assert response.status_code == 404 and response.json()["error"]["code"] == "variant_not_found"
    response = api.post("/api/v1/back-in-stock/", {"sku": sold_out.sku, "email": "g@example.com"}, format="json")
    assert response.status_code == 429
    form = api.post("/api/v1/back-in-stock/", {"sku": sold_out.sku}, format="multipart")
    assert form.status_code in (415, 429)


def test_api_unsubscribe(sold_out):
    from rest_framework.test import APIClient

    sub = back_in_stock_subscribe(sku=sold_out.sku, email="g@example.com")
    response = APIClient().post("/api/v1/back-in-stock/unsubscribe/", {"token": str(sub.token)}, format="json")
    assert response.status_code == 204
    sub.refresh_from_db()
    assert sub.status == "unsubscribed"
    response = APIClient().post("/api/v1/back-in-stock/unsubscribe/", {"token": "0" * 32}, format="json")
    assert response.status_code == 404


def test_product_page_offers_the_form_for_sold_out_options_and_it_subscribes(client, sold_out):
    sold_out.product.save_revision().publish()
    page = client.get(sold_out.product.get_absolute_url())
    assert page.status_code == 200 and b"Email me when it is back" in page.content
    response = client.post("/back-in-stock/", {"sku": sold_out.sku, "email": "site@example.com",
                                               "next": sold_out.product.get_absolute_url()}, follow=True)
    assert b"We will email site@example.com once" in response.content
    assert BackInStockSubscription.objects.filter(email="site@example.com").exists()


def test_site_form_is_throttled(client, sold_out):
    for i in range(10):
        client.post("/back-in-stock/", {"sku": sold_out.sku, "email": f"s{i}@example.com"})
    response = client.post("/back-in-stock/", {"sku": sold_out.sku, "email": "late@example.com"}, follow=True)
    assert b"Too many requests" in response.content
    assert not BackInStockSubscription.objects.filter(email="late@example.com").exists()
