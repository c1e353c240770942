from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class ShopPageNumberPagination(PageNumberPagination):
    """Bounded page-number pagination: `page_size` defaults to 20 and is capped at 100."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            return self.page_size
        if size < 1:
            return self.page_size
        return min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound as exc:
            raise NotFound(detail="That page is past the end of the list.", code="page_out_of_range") from exc
