"""One error shape for the whole API.

Every error answers `{"error": {"code": "...", "message": "...", "details": ...}}`. Domain errors
raised by services subclass `commerce.core.errors.ApplicationError` and carry their own status and
code, so views never translate them by hand.
"""

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from commerce.core.errors import ApplicationError, error_body


def _error_response(*, code: str, message: str, details=None, http_status: int, headers=None):
    return Response(error_body(code=code, message=message, details=details), status=http_status, headers=headers)


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return _error_response(
            code=exc.code, message=exc.message, details=exc.details, http_status=exc.http_status
        )
    if isinstance(exc, RequestDataTooBig):  # a form or multipart body over DATA_UPLOAD_MAX_MEMORY_SIZE
        return _error_response(code="request_too_large", message=str(exc), http_status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, TooManyFieldsSent | SuspiciousOperation):
        return _error_response(code="bad_request", message=str(exc), http_status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: let it surface as a 500 and reach Sentry

    if isinstance(exc, exceptions.ValidationError):
        return _error_response(
            code="invalid",
            message="The request has invalid fields.",
            details=response.data,
            http_status=response.status_code,
            headers=response.headers,
        )
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else response.data
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    extra = {k: v for k, v in response.data.items() if k != "detail"} if isinstance(response.data, dict) else None
    if isinstance(exc, exceptions.Throttled):
        extra = {"retry_after": exc.wait}
    return _error_response(
        code=str(code),
        message=str(detail),
        details=extra or None,
        http_status=response.status_code or status.HTTP_400_BAD_REQUEST,
        headers=response.headers,
    )
