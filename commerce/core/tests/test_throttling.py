"""One notion of the client and one counter per scope, whatever the entry point (API or site)."""

import pytest
from django.test import RequestFactory

from commerce.core.client_address import client_address
from commerce.core.throttling import RateLimitState, ratelimit_header_values
from commerce.orders.tests.factories import order_with_lines

TRACK_API = "/api/v1/orders/track/"


def _addr(settings, trusted, remote, xff=None):
    settings.TRUSTED_PROXIES = trusted
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return client_address(RequestFactory().get("/", **meta))


def test_client_address_without_trusted_proxies_ignores_forwarded_for(settings):
    assert _addr(settings, "", "198.51.100.9", "203.0.113.5") == "198.51.100.9"


def test_client_address_cidr_walks_past_balancer_and_nginx(settings):
    trusted = "10.0.0.0/8,127.0.0.1/32"
    # client -> balancer 10.1.1.1 (appends client) -> nginx 127.0.0.1 (appends balancer)
    assert _addr(settings, trusted, "127.0.0.1", "203.0.113.5, 10.1.1.1") == "203.0.113.5"
    # nginx with real_ip already resolved the client and appended it
    assert _addr(settings, trusted, "127.0.0.1", "203.0.113.5, 203.0.113.5") == "203.0.113.5"


def test_spoofed_forwarded_for_from_untrusted_address_changes_nothing(settings):
    trusted = "10.0.0.0/8,127.0.0.1/32"
    assert _addr(settings, trusted, "198.51.100.9", "10.1.1.1, 1.2.3.4") == "198.51.100.9"
    # a client behind the balancer prepending a fake address is still keyed by its own
    assert _addr(settings, trusted, "127.0.0.1", "1.2.3.4, 203.0.113.5, 10.1.1.1") == "203.0.113.5"
    # garbage left of the client's real hop does not matter either
    assert _addr(settings, trusted, "127.0.0.1", "not-an-ip, 203.0.113.5") == "203.0.113.5"


def test_client_address_count_takes_the_hop_left_of_the_proxies(settings):
    assert _addr(settings, "2", "127.0.0.1", "1.2.3.4, 203.0.113.5, 10.1.1.1") == "203.0.113.5"
    assert _addr(settings, "1", "127.0.0.1", "203.0.113.5") == "203.0.113.5"
    # fewer hops than the count: the request skipped the proxies, key it by who connected
    assert _addr(settings, "2", "198.51.100.9", "203.0.113.5") == "198.51.100.9"


def test_ratelimit_fields_follow_the_ietf_draft_syntax():
    state = RateLimitState(scope="checkout", limit=30, window=60, count=31, reset=12)
    assert ratelimit_header_values([state]) == ('"checkout";q=30;w=60', '"checkout";r=0;t=12')


@pytest.fixture
def shipped(db):
    return order_with_lines(number="CW-610001", phone="+12025550143")


def _track_api(client, **meta):
    return client.post(TRACK_API, {"order_number": "CW-610001", "phone": "+12025550143"},
                       content_type="application/json", **meta)


def _track_site(client, **meta):
    return client.post("/track/", {"order_number": "CW-610001", "phone": "+12025550143"}, **meta)


@pytest.mark.django_db
def test_tracking_page_and_api_share_one_budget(client, shipped, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tracking": "4/min"}}
    codes = [_track_api(client).status_code, _track_site(client).status_code,
             _track_api(client).status_code, _track_site(client).status_code]
    assert codes == [200, 200, 200, 200]
    assert _track_api(client).status_code == 429
    assert _track_site(client).status_code == 429


@pytest.mark.django_db
def test_throttled_responses_carry_ratelimit_fields(client, shipped, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tracking": "2/min"}}
    first = _track_api(client)
    assert first["RateLimit-Policy"] == '"tracking";q=2;w=60'
    assert first["RateLimit"].startswith('"tracking";r=1;t=')
    _track_site(client)
    refused = _track_site(client)
    assert refused.status_code == 429
    assert refused["RateLimit"].startswith('"tracking";r=0;t=')
    assert 1 <= int(refused["Retry-After"]) <= 60
    # an unthrottled page says nothing about rate limits
    assert "RateLimit" not in client.get("/track/")


@pytest.mark.django_db
def test_clients_behind_one_trusted_proxy_each_get_their_own_budget(client, shipped, settings):
    settings.TRUSTED_PROXIES = "10.0.0.0/8"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tracking": "2/min"}}
    for n in range(5):
        meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": f"203.0.113.{n}"}
        assert [_track_api(client, **meta).status_code for _ in range(3)] == [200, 200, 429]


@pytest.mark.django_db
def test_spoofed_forwarded_for_does_not_buy_a_fresh_budget(client, shipped, settings):
    settings.TRUSTED_PROXIES = "10.0.0.0/8"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "tracking": "2/min"}}
    codes = [_track_api(client, REMOTE_ADDR="198.51.100.9", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
             for n in range(3)]
    assert codes == [200, 200, 429]
