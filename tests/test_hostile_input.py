"""Every route and every API operation, fed hostile input: zero 500s, the documented error body.

The routes are not listed by hand. The site's and the API's URL patterns come from the resolver
(everything but the admins and the Wagtail page tree, which has its own cases below), and the API's
operations and request-body fields from the published OpenAPI schema, so a new route or field is
walked as soon as it exists. Each is fed:

- query parameters and path segments holding NUL, C0/C1 controls, DEL, invalid UTF-8, an encoded
  surrogate, "²", "١٢", 2**63 and 2**64 (percent-encoded bytes, as a client would send them);
- JSON bodies where each documented field in turn is one of those strings or a number beyond 64 bits,
  and whole bodies nested 10,000 deep or 10 MB long.

Every answer must be below 500; under /api/ a 4xx must be `{"error": {"code", "message", ...}}` as
application/json, on the site a 4xx is an HTML page. The requests run as a signed-in customer (a JWT
for the API, a session for the site) so that they pass the login gates and reach the views.
"""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework_simplejwt.tokens import RefreshToken

from commerce.accounts.tests.factories import AddressFactory, UserFactory
from tests.browser.data import seed_shop

pytestmark = pytest.mark.django_db

# percent-encoded, as they travel in a URL
HOSTILE_RAW = [
    "a%00b",
    "%01",
    "%1B%5B31m",
    "%0A",
    "%7F",
    "%C2%85",  # NEL, a C1 control
    "%FF",  # not UTF-8
    "%ED%A0%80",  # an encoded lone surrogate
    "%C2%B2",  # "²": isdigit() but not int()
    "%D9%A1%D9%A2",  # "١٢": int() reads 12
    str(2**63),
    str(2**64),
    "-1",
]
# decoded, as they arrive in a JSON string
HOSTILE_STRINGS = ["\x00", "a\x00b", "\x01", "\x1b[31m", "\x7f", "\x85", "\ud800", "²", "١٢", str(2**63), str(2**64)]
HOSTILE_NUMBERS = [2**63, 2**64, -(2**64), 10**400, 1.5, True]
TEXT_PARAMS = ["q", "country", "category", "product_type", "ordering", "sort", "order_number", "phone", "placement",
               "size", "color", "price_min", "in_stock", "fields", "type", "search", "next"]
INTEGER_PARAMS = ["page", "page_size", "offset", "limit", "id", "p", "child_of"]
SKIPPED_PREFIXES = ("admin/", "django-admin/", "docs/", "api/schema/")

# valid values for the body fields a hostile field travels with, so validation gets past them
VALID_FIELDS = {
    "sku": "EVT-M-BLU", "quantity": 1, "product": "everyday-tee", "country": "US", "shipping_method": "standard",
    "payment_method": "cod", "email": "walker@example.com", "phone": "+12025550143", "code": "NOPE",
    "coupon_code": "", "rating": 5, "title": "Fine", "body": "Fine tee", "full_name": "Walker", "line1": "1 Main St",
    "city": "Boston", "password": "Walk-the-Line-42", "new_password": "Walk-the-Line-43",
    "old_password": "Correct-Horse-Battery-9", "first_name": "W", "last_name": "K",
}


@pytest.fixture
def shop(db, settings):
    """The seeded shop, a customer with an address, a cart line and a wishlist item (so that routes
    with ids reach their validation), and throttles that never refuse (every request reaches a view)."""
    from commerce.cart.models import Cart, CartLine
    from commerce.reviews.models import WishlistItem

    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "1000000/min"),
    }
    data = seed_shop()
    customer = UserFactory(email="walker@example.com")
    address = AddressFactory(user=customer, country="US")
    line = CartLine.objects.create(cart=Cart.objects.create(user=customer), variant=data["tee"].variants.first(),
                                   quantity=1)
    wish = WishlistItem.objects.create(user=customer, product=data["tee"])
    SAMPLE_VALUES.update(id=str(address.pk), address_id=str(address.pk), line_id=str(line.pk), pk=str(wish.pk))
    access = str(RefreshToken.for_user(customer).access_token)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {access}", raise_request_exception=False)
    site = Client(raise_request_exception=False)
    site.force_login(customer)
    return {"api": api, "site": site, "address": address, **data}


def _routes() -> list[tuple[str, list[str]]]:
    """(route with `{name}` placeholders, parameter names) for every path-converter route."""
    found = []

    def walk(resolver, prefix):
        for entry in resolver.url_patterns:
            route = str(entry.pattern)
            if route.startswith("^"):  # regex routes: Wagtail's page tree and API, tested below
                continue
            full = prefix + route
            if full.startswith(SKIPPED_PREFIXES):
                continue
            if isinstance(entry, URLResolver):
                walk(entry, full)
            elif isinstance(entry, URLPattern):
                names = re.findall(r"<(?:\w+:)?(\w+)>", full)
                found.append((re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", full), names))

    walk(get_resolver(), "")
    return sorted({(r, tuple(n)) for r, n in found})


ROUTES = _routes()
SAMPLE_VALUES = {"slug": "everyday-tee", "number": "CW-NOPE", "pk": "1", "line_id": "1", "address_id": "1",
                 "uidb64": "MQ", "token": "set-password"}


def _fill(route: str, names, **override) -> str:
    values = {name: override.get(name, SAMPLE_VALUES.get(name, "1")) for name in names}
    return "/" + route.format(**values)


def _problem(response, label: str) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{label}: {status}"
    if status < 400:
        return None
    content_type = response.get("Content-Type", "")
    if label.split(" ", 2)[1].startswith("/api/"):
        if not content_type.startswith("application/json"):
            return f"{label}: {status} with {content_type}"
        error = json.loads(response.content).get("error")
        if not (isinstance(error, dict) and isinstance(error.get("code"), str) and isinstance(error.get("message"), str)):
            return f"{label}: {status} body {response.content[:200]!r}"
    elif not content_type.startswith("text/html"):
        return f"{label}: {status} with {content_type}"
    return None


def _send(shop, method: str, path: str, **kwargs):
    client = shop["api"] if path.startswith("/api/") else shop["site"]
    response = getattr(client, method.lower())(path, **kwargs)
    return _problem(response, f"{method} {path}")


def test_every_route_answers_hostile_query_and_path_values_with_4xx_not_500(shop):
    problems = []
    for route, names in ROUTES:
        problems += _walk_route(shop, route, names)
    assert problems == []


def _walk_route(shop, route, names):
    problems = []
    base = _fill(route, names)
    for raw in HOSTILE_RAW:
        text_query = "&".join(f"{name}={raw}" for name in TEXT_PARAMS)
        problems.append(_send(shop, "GET", f"{base}?{text_query}"))
        problems.append(_send(shop, "GET", f"{base}?{raw}=1"))  # a hostile parameter name
        problems.append(_send(shop, "GET", f"{base}?" + "&".join(f"{name}={raw}" for name in INTEGER_PARAMS)))
        if base.startswith("/api/"):
            problems.append(_send(shop, "DELETE", f"{base}?q={raw}"))
        for name in names:
            path = _fill(route, names, **{name: raw})
            problems.append(_send(shop, "GET", path))
            problems.append(_send(shop, "POST", path, data={"q": "x"}))
    return [p for p in problems if p]


def _operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in {"post", "put", "patch"}:
                continue
            content = operation.get("requestBody", {}).get("content", {})
            body_schema = (content.get("application/json") or {}).get("schema")
            fields = {}
            if body_schema and "$ref" in body_schema:
                component = components[body_schema["$ref"].rsplit("/", 1)[1]]
                for name, prop in component.get("properties", {}).items():
                    nested = prop.get("allOf", [prop])[0].get("$ref")
                    fields[name] = (
                        list(components[nested.rsplit("/", 1)[1]].get("properties", {})) if nested else None
                    )
            operations.append((method.upper(), path, fields))
    return operations


OPERATIONS = _operations()


def _api_path(path: str) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: SAMPLE_VALUES.get(m.group(1), "1"), path)


def _valid_body(fields: dict) -> dict:
    body = {}
    for name, nested in fields.items():
        if nested is not None:
            body[name] = {sub: VALID_FIELDS.get(sub, "x") for sub in nested}
        elif name in VALID_FIELDS:
            body[name] = VALID_FIELDS[name]
    return body


def test_every_api_operation_answers_hostile_json_fields_with_4xx_not_500(shop):
    problems = []
    for method, path, fields in OPERATIONS:
        problems += _walk_operation(shop, method, path, fields)
    assert problems == []


def _walk_operation(shop, method, path, fields):
    url = _api_path(path)
    problems = []
    for name, nested in fields.items():
        for value in [*HOSTILE_STRINGS, *HOSTILE_NUMBERS]:
            body = _valid_body(fields)
            if nested is not None:
                for sub in nested:
                    body[name] = {**body[name], sub: value}
                    problems.append(_send(shop, method, url, data=json.dumps(body), content_type="application/json"))
            body[name] = value
            problems.append(_send(shop, method, url, data=json.dumps(body), content_type="application/json"))
    # the shop's own headers, with a valid body
    for value in HOSTILE_STRINGS:
        for header in ("HTTP_X_CART_TOKEN", "HTTP_IDEMPOTENCY_KEY"):
            problems.append(_send(shop, method, url, data=json.dumps(_valid_body(fields)),
                                  content_type="application/json", **{header: value}))
    # a hostile key, and bodies that are not what was promised
    for payload in ['{"\\u0000": 1}', '{"a": "\\ud800"}', '"\\u0000"', "[]", "nul", "{", '{"a": NaN}',
                    '{"a": 1e999}', "\x00", "\ufeff{}"]:
        problems.append(_send(shop, method, url, data=payload, content_type="application/json"))
    return [p for p in problems if p]


def test_every_api_operation_refuses_deep_and_huge_json_before_parsing(shop):
    """10 MB is refused from its Content-Length before anything reads it (413); a deep body is refused
    by the parser (400 json_too_deep), or never read when the operation's object does not exist (404:
    a cancel of, or a return for, an unknown order)."""
    huge = json.dumps({"note": "x" * (10 * 1024 * 1024)})
    answers = {}
    for method, path, _ in OPERATIONS:
        url = _api_path(path)
        for depth in (1_000, 10_000, 100_000):
            response = shop["api"].generic(method, url, "[" * depth + "]" * depth, content_type="application/json")
            assert _problem(response, f"{method} {url}") is None
            answers[(method, path, depth)] = (response.status_code, response.json()["error"]["code"])
        response = shop["api"].generic(method, url, huge, content_type="application/json")
        assert (response.status_code, response.json()["error"]["code"]) == (413, "request_too_large"), path
    unread = {key: answer for key, answer in answers.items() if answer != (400, "json_too_deep")}
    assert set(unread.values()) <= {(404, "not_found")}, unread
    assert {path for _, path, _ in unread} <= {"/api/v1/orders/{number}/cancel/", "/api/v1/orders/{number}/returns/"}


def test_walkers_cover_the_routes_and_operations_that_crashed():
    routes = {r for r, _ in ROUTES}
    assert {"api/v1/orders/{number}/", "checkout/confirmation/{number}/", "search/", "api/v1/products/",
            "api/v1/cart/items/{line_id}/", "wishlist/{pk}/remove/"} <= routes
    assert ("POST", "/api/v1/wishlist/") in {(m, p) for m, p, _ in OPERATIONS}
    assert len(OPERATIONS) >= 15
