"""Request plumbing shared by the API and the site: refuse unusable input before any view runs, give
every server error an id, and send the Permissions-Policy and Content-Security-Policy headers."""

from __future__ import annotations

import logging

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError

from .error_views import assign_error_id, bad_request_response, is_api_request, json_error
from .validation import INTEGER_QUERY_PARAMS, find_forbidden_char, forbidden_char_message, integer_query_problem

logger = logging.getLogger("commerce.errors")

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# request headers whose values the shop reads and may store (the cart token, the idempotency key)
GUARDED_HEADERS = {"HTTP_X_CART_TOKEN": "X-Cart-Token", "HTTP_IDEMPOTENCY_KEY": "Idempotency-Key"}


class InputGuardMiddleware:
    """Refuses, with a 400, a path or query string (and a URL-encoded form body) holding a control
    character or a lone surrogate, and, under /api/, a declared body larger than
    DATA_UPLOAD_MAX_MEMORY_SIZE with a 413 before anything reads it.

    Every view then only ever sees text PostgreSQL can store and compare: a NUL in `q`, an order
    number or a Wagtail admin search never reaches a query. Checked: the decoded path, every query
    parameter name and value, the shop's own headers (X-Cart-Token, Idempotency-Key), and URL-encoded
    POST fields (tab, newline and carriage return are
    allowed in values, where multi-line text is normal). Multipart bodies are left to the forms and
    serializers (which refuse NUL) so that reading them here cannot change how uploads stream.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        problem = self._problem(request)
        if problem is not None:
            return problem
        return self.get_response(request)

    def _problem(self, request: HttpRequest):
        path = request.path_info
        index = find_forbidden_char(path, multiline=False)
        if index is not None:
            return self._refuse(request, "path", forbidden_char_message(path, index))

        for meta_key, header in GUARDED_HEADERS.items():
            value = request.META.get(meta_key, "")
            index = find_forbidden_char(value, multiline=False)
            if index is not None:
                return self._refuse(request, header, forbidden_char_message(value, index))

        if is_api_request(request) and not request.content_type.startswith("multipart/"):
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if limit is not None and length > limit:
                return json_error(
                    status=413,
                    code="request_too_large",
                    message=f"The request body is larger than {limit} bytes.",
                    details={"max_bytes": limit},
                )

        problem = self._check_params(request, request.GET, "query")
        if problem is None:
            problem = self._check_integer_params(request)
        if problem is None and request.method == "POST" and request.content_type == FORM_CONTENT_TYPE:
            # a URL-encoded body is read into memory whole anyway (request.body stays readable)
            problem = self._check_params(request, request.POST, "form")
        return problem

    def _check_params(self, request, params, where: str):
        for key, values in params.lists():
            index = find_forbidden_char(key, multiline=False)
            if index is not None:
                return self._refuse(request, f"{where} parameter name", forbidden_char_message(key, index))
            for value in values:
                index = find_forbidden_char(value)
                if index is not None:
                    return self._refuse(request, key, forbidden_char_message(value, index))
        return None

    def _check_integer_params(self, request):
        for key, max_value in INTEGER_QUERY_PARAMS.items():
            for value in request.GET.getlist(key):
                message = integer_query_problem(value, max_value)
                if message is not None:
                    return self._refuse(request, key, message, code="invalid", what="is not a valid number")
        return None

    @staticmethod
    def _refuse(
        request, field: str, message: str, *, code="invalid_characters", what="contains a character that is not allowed"
    ):
        if is_api_request(request):
            return json_error(status=400, code=code, message=f"The {field} {what}.", details={field: [message]})
        return bad_request_response(request, message=message)


# what Django's own exception handling turns into a 4xx (django.core.handlers.exception)
CLIENT_ERRORS = (Http404, PermissionDenied, BadRequest, SuspiciousOperation, MultiPartParserError)


class ErrorIdMiddleware:
    """Gives an unhandled exception an id before Django turns it into a 500: the id is logged with
    the traceback, set as the `error_id` Sentry tag (the scope is still the request's, so the event
    Sentry captures next carries it) and shown by the 500 views (JSON `details.error_id` under /api/,
    the text of the site's 500 page), so a customer's report finds the log line and the event."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, CLIENT_ERRORS):
            return None  # Django answers these 400/403/404 itself: not an error of ours, no id, no log
        error_id = assign_error_id(request)
        logger.error(
            "Unhandled %s on %s %s [error_id=%s]",
            type(exception).__name__,
            request.method,
            request.path,
            error_id,
            exc_info=exception,
        )
        return None  # Django's own 500 handling continues (got_request_exception, handler500)


class PermissionsPolicyMiddleware:
    """`Permissions-Policy` on every response: the shop uses no camera, microphone, geolocation,
    payment request, USB or similar browser feature, so each is switched off for the page and for
    anything it embeds. The value is `settings.PERMISSIONS_POLICY` (a dict of feature -> allow list)."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "PERMISSIONS_POLICY", {})
        self.header = ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = self.header
        return response


class ShopCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with one policy per area: the storefront and the API answer with
    `CONTENT_SECURITY_POLICY` (no inline scripts), the Wagtail and Django admins with
    `CONTENT_SECURITY_POLICY_ADMIN` (see config/settings/base.py for why it differs)."""

    admin_prefixes = ("/admin/", "/django-admin/")
    # Swagger UI (drf-spectacular's split view: its scripts are files) still ships a <style> block
    inline_style_prefixes = ("/docs/",)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None:
            return parts
        if request.path_info.startswith(self.admin_prefixes):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        elif request.path_info.startswith(self.inline_style_prefixes):
            parts.update = {**(parts.update or {}), "style-src": [UNSAFE_INLINE]}
        return parts
