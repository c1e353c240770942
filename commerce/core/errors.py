"""Domain errors. Services raise these; the API maps them to JSON and the site to form errors."""

from typing import Any


class ApplicationError(Exception):
    http_status = 400
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, details: Any = None, http_status: int | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status


class NotFoundError(ApplicationError):
    http_status = 404
    code = "not_found"


class ConflictError(ApplicationError):
    http_status = 409
    code = "conflict"


def error_body(*, code: str, message: str, details: Any = None) -> dict:
    """The API's error document, `{"error": {"code", "message", "details"}}` (details only when there
    are any). Built here so that the DRF exception handler and the plain Django error views under
    /api/ (404, 403 CSRF, 400, 413, 500) answer exactly the same shape."""
    body: dict = {"error": {"code": code, "message": message}}
    if details is not None:
        body["error"]["details"] = details
    return body
