"""Django's error views (handler400/403/404/500 and CSRF_FAILURE_VIEW), split by area.

Under /api/ they answer the API's documented error document, `{"error": {"code", "message",
"details"}}` as application/json, for the errors that never reach DRF's exception handler: a path no
route matches, Django's CSRF refusal of a non-DRF view, a SuspiciousOperation raised while reading
the request, and any unhandled exception (whose id is in `details.error_id`). Everywhere else they
render the site's styled pages.
"""

from __future__ import annotations

import logging
import uuid

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views import defaults
from django.views.csrf import csrf_failure as django_csrf_failure

from .errors import error_body

logger = logging.getLogger("commerce.errors")

API_PREFIX = "/api/"


def is_api_request(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def json_error(*, status: int, code: str, message: str, details=None) -> JsonResponse:
    return JsonResponse(error_body(code=code, message=message, details=details), status=status)


def bad_request_response(request, *, message: str = "") -> HttpResponse:
    """The site's 400 page. Rendered with the request context like the 404 page; if that fails (the
    request itself may be what is wrong), a bare page."""
    try:
        return render(request, "400.html", {"reason": message}, status=400)
    except Exception:
        logger.exception("The 400 page could not be rendered with the request context")
        return HttpResponse(loader.get_template("400.html").render({"reason": message}), status=400)


def bad_request(request, exception=None):
    if is_api_request(request):
        return json_error(status=400, code="bad_request", message="The request could not be understood.")
    return bad_request_response(request)


def permission_denied(request, exception=None):
    if is_api_request(request):
        return json_error(
            status=403, code="permission_denied", message="You do not have permission to perform this action."
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if is_api_request(request):
        return json_error(status=404, code="not_found", message="No API endpoint matches this path.")
    return defaults.page_not_found(request, exception)


def server_error(request, *args, **kwargs):
    """handler500. The error id was set (and logged, and tagged in Sentry) by ErrorIdMiddleware; an
    exception raised outside a view (in a middleware) gets one here. The site's page renders with a
    bare context, because the request context processors (settings, user, messages) may be what
    failed."""
    already_logged = getattr(request, "error_id", None) is not None
    error_id = assign_error_id(request)
    if not already_logged:
        logger.error("Unhandled error on %s %s [error_id=%s]", request.method, request.path, error_id, exc_info=True)
    details = {"error_id": error_id}
    try:
        import sentry_sdk

        event_id = sentry_sdk.last_event_id()
        if event_id:
            details["sentry_event_id"] = event_id
    except ImportError:  # pragma: no cover
        pass
    if is_api_request(request):
        return json_error(
            status=500,
            code="server_error",
            message="Something went wrong on our side. Quote the error id if you contact us.",
            details=details,
        )
    template = loader.get_template("500.html")
    return HttpResponse(template.render({"error_id": error_id}), status=500)


def assign_error_id(request) -> str:
    error_id = getattr(request, "error_id", None)
    if error_id:
        return error_id
    error_id = uuid.uuid4().hex
    request.error_id = error_id
    try:
        import sentry_sdk

        sentry_sdk.set_tag("error_id", error_id)
    except ImportError:  # pragma: no cover - sentry-sdk is a requirement
        pass
    return error_id


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW. DRF views check CSRF themselves (SessionAuthentication) and answer through
    the API's exception handler; this covers whatever else under /api/ Django's middleware refuses."""
    if is_api_request(request):
        return json_error(
            status=403,
            code="csrf_failed",
            message="CSRF verification failed: send the X-CSRFToken header with a session, or use a JWT.",
            details={"reason": reason},
        )
    return django_csrf_failure(request, reason=reason)
