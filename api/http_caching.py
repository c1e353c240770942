"""HTTP caching of API answers: validators for the public catalogue, `private` for everything else.

Catalogue answers (product list and detail, category tree) are the same for every caller (their views
skip authentication), so they are `public` with a strong ETag, a hash of the exact body bytes: a client
or CDN revalidating with If-None-Match gets a bodiless 304 when nothing changed. `max-age` is 0 by
default (CATALOG_HTTP_MAX_AGE) because stock must show within a second: clients revalidate every time,
which costs a cache hit on the server and no body on the wire.

Every other API answer may depend on who asks (login, session cookie, or the anonymous cart's
X-Cart-Token), so `ApiPrivateCacheMiddleware` marks it `private, no-store` and `Vary`s on all three,
unless the view set its own Cache-Control.
"""

import hashlib

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags

PRIVATE_VARY = ("Authorization", "Cookie", "X-Cart-Token")


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    # If-None-Match compares weakly (RFC 9110 13.1.2): a W/ prefix a proxy added still matches
    tags = parse_etags(if_none_match)
    return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)


def public_json_response(request, body: bytes) -> HttpResponse:
    """A public JSON answer with its ETag and Cache-Control, or a 304 when the client holds it already."""
    etag = strong_etag(body)
    max_age = getattr(settings, "CATALOG_HTTP_MAX_AGE", 0)
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match and _matches(if_none_match, etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}, must-revalidate"
    return response


class ApiPrivateCacheMiddleware:
    """API answers without their own Cache-Control are private to the caller (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
            patch_vary_headers(response, PRIVATE_VARY)
        return response
