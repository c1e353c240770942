"""The rendered shop's catalogue pages. Thin: parse the request, call the selectors, render.

A later helper moves these routes under a Wagtail ShopPage; the views keep no state of their own so
that move is a matter of routing.
"""

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render

from commerce.catalog.selectors import (
    category_index_get,
    category_tree_list,
    product_detail_get,
    product_list_count,
    product_list_rows,
)

from .forms import ShopFilterForm
from .page_data import facets_list

PAGE_SIZE = 24


def _page_number(raw: str | None, last_page: int) -> int:
    """A page number from the query string, kept within 1..last_page (a stale link still shows products)."""
    try:
        number = int(raw or 1)
    except ValueError:
        number = 1
    return min(max(number, 1), last_page)


def _listing(request, *, category=None):
    index = category_index_get()
    category_ids = index.descendant_ids(category.id) if category else None
    # always bound: an empty query string is simply "no filters"
    form = ShopFilterForm(request.GET, facets=facets_list())
    filters = form.to_filters(category_ids=category_ids)

    total = product_list_count(filters=filters)
    last_page = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = _page_number(request.GET.get("page"), last_page)
    rows = product_list_rows(filters=filters, ordering=form.sort_key(), offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)

    query = request.GET.copy()
    query.pop("page", None)

    def page_url(number: int) -> str:
        return "?" + urlencode([*query.lists(), ("page", [str(number)])], doseq=True)

    return render(
        request,
        "catalog/product_list.html",
        {
            "form": form,
            "category": category,
            "category_path": index.path(category.id) if category else [],
            "category_tree": category_tree_list(),
            "products": rows,
            "total": total,
            "page": page,
            "last_page": last_page,
            "previous_url": page_url(page - 1) if page > 1 else None,
            "next_url": page_url(page + 1) if page < last_page else None,
        },
    )


def product_list(request):
    return _listing(request)


def category_detail(request, slug: str):
    index = category_index_get()
    category_id = index.active_id_for_slug(slug)
    if category_id is None:
        raise Http404("No such category")
    return _listing(request, category=index.by_id[category_id])


def product_detail(request, slug: str):
    detail = product_detail_get(slug=slug)
    if detail is None:  # unknown, draft or unpublished: the same 404
        raise Http404("No such product")
    return render(request, "catalog/product_detail.html", {"product": detail.product, "detail": detail, "is_preview": False})
