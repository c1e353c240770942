from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

from commerce.core.validation import parse_int_or_none


class ShopPageNumberPagination(PageNumberPagination):
    """Bounded page-number pagination: `page_size` defaults to 20 and is capped at 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = parse_int_or_none(raw, min_value=1)  # ASCII digits only: "١٢" is not 12
        if size is None:
            return self.page_size
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise NotFound(detail="That page is past the end of the list.", code="page_out_of_range") from exc
