import re

import pytest

from commerce.orders.services import order_confirm, order_note_add, order_ship, order_status_change
from commerce.orders.tests.factories import order_with_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(db):
    order = order_with_lines(number="CW-600001", phone="+12025550143")
    order_confirm(order_id=order.pk)
    order_status_change(order_id=order.pk, to_status="processing")
    order_ship(order_id=order.pk, courier="DHL", tracking_number="JD014600")
    order_note_add(order_id=order.pk, note="internal only")
    return order


def test_track_page_shows_form_with_labels_prefilled_from_link(client):
    page = client.get("/track/?order_number=CW-600001").content.decode()
    assert '<label for="id_order_number">' in page and '<label for="id_phone">' in page
    assert 'value="CW-600001"' in page and "csrfmiddlewaretoken" in page


def test_track_page_shows_status_timeline_and_tracking_number(client, shipped):
    response = client.post("/track/", {"order_number": "cw-600001", "phone": "202-555-0143"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Order CW-600001: Shipped" in page and "JD014600" in page and "DHL" in page
    for status in ("Pending", "Confirmed", "Processing", "Shipped"):
        assert f"— {status}</li>" in page
    assert "1 Main Street" not in page and "internal only" not in page


def test_track_page_wrong_phone_reads_like_unknown_number(client, shipped):
    wrong = client.post("/track/", {"order_number": "CW-600001", "phone": "+12025550000"})
    unknown = client.post("/track/", {"order_number": "CW-999999", "phone": "+12025550000"})
    assert wrong.status_code == unknown.status_code == 404
    assert "No order matches this order number and phone number." in wrong.content.decode()

    def normalised(response, number):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()).replace(number, "X")

    assert normalised(wrong, "CW-600001") == normalised(unknown, "CW-999999")


def test_track_page_is_throttled_like_the_api(client, shipped, settings):
    rate = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["tracking"].split("/")[0])
    codes = [client.post("/track/", {"order_number": "CW-600001", "phone": "+12025550143"}).status_code
             for _ in range(rate + 1)]
    assert codes[-1] == 429 and set(codes[:-1]) == {200}
