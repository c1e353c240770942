from django.core.paginator import InvalidPage
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

from commerce.core.errors import ApplicationError
from commerce.core.validation import INT32_MAX, MAX_PAGE, parse_int_or_none

# No list holds more rows than this; a page whose first row lies beyond it is past the end without
# asking the database (an OFFSET past 2**63 would fail in the SQL).
MAX_ROWS = 2**31


class InvalidPagination(ApplicationError):
    code = "invalid"
    http_status = 400


def _positive_int(raw: str) -> int | None:
    """`raw` as a whole number from 1 written in ASCII digits, else None (`"²"` and `"١٢"` included)."""
    return parse_int_or_none(raw.strip(), min_value=1)


def page_number_parse(raw: str) -> int:
    """A `page` query parameter: 400 unless a whole number from 1."""
    number = _positive_int(raw)
    if number is None:
        raise InvalidPagination("The request has invalid fields.", details={"page": ["Must be a whole number from 1."]})
    return number


def page_past_end(*, page: int, page_size: int) -> bool:
    """True when the page starts beyond any list, so it is past the end without a query."""
    return (page - 1) * page_size >= MAX_ROWS


def page_out_of_range() -> NotFound:
    return NotFound(detail="That page is past the end of the list.", code="page_out_of_range")


class ShopPageNumberPagination(PageNumberPagination):
    """Bounded page-number pagination: `page_size` defaults to 20 and is capped at 100.

    The parameters are validated as the schema documents them: `page` and `page_size` are whole
    numbers from 1, anything else is a 400; a page past the end is a 404 `page_out_of_range`.
    """

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = _positive_int(raw)
        if size is None:
            raise InvalidPagination(
                "The request has invalid fields.", details={"page_size": ["Must be a whole number from 1."]}
            )
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param)
        number = 1 if raw is None else page_number_parse(raw)
        if page_past_end(page=number, page_size=page_size):
            raise page_out_of_range()
        paginator = self.django_paginator_class(queryset, page_size)
        try:
            self.page = paginator.page(number)
        except InvalidPage as exc:
            raise page_out_of_range() from exc
        return list(self.page)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
                parameter["description"] = "From 1. A page past the end answers 404 `page_out_of_range`."
            elif parameter["name"] == self.page_size_query_param:
                # any size up to the 32-bit bound is accepted and capped; past it the request is refused
                # before any view runs (commerce.core.validation.INTEGER_QUERY_PARAMS)
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": INT32_MAX}
                parameter["description"] = f"Results per page (default {self.page_size}, capped at {self.max_page_size})."
        return parameters
