"""The published contract: every operation documents every status it can answer.

`ShopAutoSchema` derives the standard error responses of an operation from what the view is made of,
so no view lists them by hand and a new view cannot forget one:

- 400 when the operation takes any input (query, path or header parameters, or a body);
- 401 when an authenticator can refuse a credential (a bad bearer token is refused even on public
  operations) or a permission needs a logged-in caller;
- 403 on unsafe methods that accept a session cookie (CSRF), or behind permissions other than
  AllowAny/IsAuthenticated;
- 404 when the path names a resource, or the list is paginated (`page_out_of_range`);
- 413 and 415 when the operation takes a body (too large; not JSON);
- 429 with `Retry-After` when the view is throttled.

Every 4xx response carries the one `Error` component (`{"error": {"code", "message", "details"}}`),
whatever a view declared, and response headers (`X-Cart-Token`, `Idempotent-Replayed`, `Retry-After`)
are documented where the views send them.
"""

import json
import re

from drf_spectacular.openapi import AutoSchema
from rest_framework import permissions, serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework_simplejwt.authentication import JWTAuthentication

CART_TOKEN_HEADER = "X-Cart-Token"
IDEMPOTENCY_HEADER = "Idempotency-Key"


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `invalid`, `not_found`, `throttled`.")
    message = serializers.CharField(help_text="A sentence for people.")
    details = serializers.JSONField(
        required=False,
        allow_null=True,
        help_text="Code-specific: messages by field for `invalid`, `retry_after` seconds for `throttled`, …",
    )


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer under /api/."""

    error = ErrorBodySerializer()


STANDARD_DESCRIPTIONS = {
    "400": "Invalid input (`invalid`, `invalid_filter`, …): `details` names each bad field or parameter.",
    "401": "Not authenticated: missing, invalid, expired or revoked credentials.",
    "403": "Forbidden: a session-authenticated unsafe request without a valid CSRF token, or no permission.",
    "404": "Not found.",
    "413": "Request body too large.",
    "415": "Unsupported media type: send `application/json`.",
    "429": "Throttled: retry after `Retry-After` seconds (also in `details.retry_after`).",
}
PAGE_OUT_OF_RANGE = "`page_out_of_range`: the page is past the end of the list."

RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before retrying.",
    "required": True,
    "schema": {"type": "integer", "minimum": 0},
}
CART_TOKEN_RESPONSE_HEADER = {
    "description": "Token of the anonymous cart the answer is about: send it back in `X-Cart-Token`. "
    "Absent for a customer's own cart and when there is no cart.",
    "required": False,
    "schema": {"type": "string"},
}
IDEMPOTENT_REPLAYED_HEADER = {
    "description": "`true` when this is the stored answer to an earlier request with the same "
    "`Idempotency-Key` (no new order was placed).",
    "required": False,
    "schema": {"type": "string", "enum": ["true"]},
}


def _allow_empty_text(schema) -> None:
    """An empty optional text query parameter (`?placement=`, what a form's blank <select> sends) is
    the same as an absent one, as DRF's serializers and the catalogue parser read it: documented so."""
    if not isinstance(schema, dict) or schema.get("type") != "string":
        return
    schema.pop("minLength", None)
    if "enum" in schema and "" not in schema["enum"]:
        schema["enum"] = [*schema["enum"], ""]
    if "pattern" in schema and not re.search(schema["pattern"], ""):
        schema["pattern"] = f"^(?:{schema['pattern'].removeprefix('^').removesuffix('$')})?$"


class ShopAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                _allow_empty_text(parameter.get("schema"))
        responses = operation["responses"]
        for code, description in self._standard_errors(operation).items():
            responses.setdefault(code, {"description": description})

        error_ref = self.resolve_serializer(ErrorSerializer, "response").ref
        header_params = {p["name"] for p in operation.get("parameters", []) if p["in"] == "header"}
        for code, response in responses.items():
            if code.startswith("4"):
                # one error shape everywhere, whatever a view declared
                response["content"] = {"application/json": {"schema": error_ref}}
            headers = response.setdefault("headers", {})
            if code == "429":
                headers["Retry-After"] = RETRY_AFTER_HEADER
            if CART_TOKEN_HEADER in header_params and code.startswith("2"):
                headers[CART_TOKEN_HEADER] = CART_TOKEN_RESPONSE_HEADER
            if IDEMPOTENCY_HEADER in header_params and code not in ("413", "415", "429"):
                headers["Idempotent-Replayed"] = IDEMPOTENT_REPLAYED_HEADER
            if not headers:
                del response["headers"]
        operation["responses"] = dict(sorted(responses.items()))
        if operation.get("security") == [{}]:
            # no credentials accepted at all: say nothing, rather than "optional auth of no scheme",
            # which generators read as "needs an authenticated client"
            del operation["security"]
        return operation

    def _standard_errors(self, operation) -> dict[str, str]:
        view, method = self.view, self.method
        authenticators = view.get_authenticators()
        permission_classes = [p.__class__ for p in view.get_permissions()]
        needs_login = any(issubclass(p, permissions.IsAuthenticated) for p in permission_classes)
        unsafe = method not in permissions.SAFE_METHODS
        parameters = operation.get("parameters", [])
        has_body = "requestBody" in operation

        errors: dict[str, str] = {}
        if parameters or has_body:
            errors["400"] = STANDARD_DESCRIPTIONS["400"]
        if needs_login or any(isinstance(a, JWTAuthentication) for a in authenticators):
            errors["401"] = STANDARD_DESCRIPTIONS["401"]
        other_permissions = [
            p for p in permission_classes if p not in (permissions.AllowAny, permissions.IsAuthenticated)
        ]
        if other_permissions or (unsafe and any(isinstance(a, SessionAuthentication) for a in authenticators)):
            errors["403"] = STANDARD_DESCRIPTIONS["403"]
        if any(p["in"] == "path" for p in parameters):
            errors["404"] = STANDARD_DESCRIPTIONS["404"]
        if self._is_paginated():
            errors["404"] = PAGE_OUT_OF_RANGE
        if has_body:
            errors["413"] = STANDARD_DESCRIPTIONS["413"]
            errors["415"] = STANDARD_DESCRIPTIONS["415"]
        if view.get_throttles():
            errors["429"] = STANDARD_DESCRIPTIONS["429"]
        return errors

    def _is_paginated(self) -> bool:
        if self.method != "GET" or getattr(self.view, "pagination_class", None) is None:
            return False
        return self._is_list_view()


def exclude_wagtail_endpoints(endpoints):
    """drf-spectacular preprocessing hook: the schema documents the shop's API only.

    Wagtail's public API v2 (/api/v1/cms/) and its admin API (/admin/api/) are Wagtail's contract,
    not ours, and they are left out.
    """
    return [
        ep for ep in endpoints if ep[0].startswith("/api/v1/") and not ep[0].startswith("/api/v1/cms/")
    ]


# Text the API refuses before reading it (commerce/core/validation.py: control characters), so the
# contract says so. One pattern for every free-text string the client sends in a query or a body
# (tab, newline and carriage return are text there); path segments and parameter names refuse those
# three too. Strings that carry their own pattern, format or enum keep it. Lone surrogates (a JSON
# "\\ud800" escape) are refused as well, but are not in the pattern: they are not Unicode characters,
# so a pattern naming them does not compile in JSON Schema validators built on Unicode regex engines
# (Rust's regex, which schemathesis and many generators use); a client's string never holds one.
_FORBIDDEN = "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f"
_FORBIDDEN_SINGLE_LINE = "\\u0000-\\u001f\\u007f-\\u009f"
TEXT_PATTERN = rf"^[^{_FORBIDDEN}]*$"
SINGLE_LINE_TEXT_PATTERN = rf"^[^{_FORBIDDEN_SINGLE_LINE}]*$"
# A required text is not blank once trimmed (DRF strips whitespace before its blank check): at least
# one character that is neither refused nor what Python's str.strip() removes.
NON_BLANK_TEXT_PATTERN = rf"^[^{_FORBIDDEN}]*[^{_FORBIDDEN}\s\u001c-\u001f\u0085][^{_FORBIDDEN}]*$"
NON_BLANK_SINGLE_LINE_PATTERN = (
    rf"^[^{_FORBIDDEN_SINGLE_LINE}]*[^{_FORBIDDEN_SINGLE_LINE}\s\u0085][^{_FORBIDDEN_SINGLE_LINE}]*$"
)


def _constrain_text(schema, *, single_line: bool = False) -> None:
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not ({"pattern", "format", "enum"} & schema.keys()):
        if single_line:
            blank_ok, non_blank = SINGLE_LINE_TEXT_PATTERN, NON_BLANK_SINGLE_LINE_PATTERN
        else:
            blank_ok, non_blank = TEXT_PATTERN, NON_BLANK_TEXT_PATTERN
        schema["pattern"] = non_blank if schema.get("minLength", 0) >= 1 else blank_ok
    for key in ("properties",):
        for child in schema.get(key, {}).values():
            _constrain_text(child, single_line=single_line)
    for key in ("items", "additionalProperties"):
        _constrain_text(schema.get(key), single_line=single_line)
    for key in ("allOf", "anyOf", "oneOf"):
        for child in schema.get(key, []):
            _constrain_text(child, single_line=single_line)


def constrain_request_text(result, generator, request, public):
    """drf-spectacular postprocessing hook: the request side documents the text it accepts."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                _constrain_text(parameter.get("schema"), single_line=parameter.get("in") in ("path", "header"))
    schemas = result.get("components", {}).get("schemas", {})
    for name, schema in schemas.items():
        if name.endswith("Request"):  # COMPONENT_SPLIT_REQUEST: request-only components
            _constrain_text(schema)
    _drop_unreferenced(schemas, result)
    return result


def _drop_unreferenced(schemas: dict, result: dict) -> None:
    """Components a view declared but the schema no longer uses (4xx bodies replaced by `Error`)."""
    while True:
        text = json.dumps(result, default=str)
        unused = [name for name in schemas if f'"#/components/schemas/{name}"' not in text]
        if not unused:
            return
        for name in unused:
            del schemas[name]
