"""The rendered shop's catalogue pages. Thin: parse the request, call the selectors, render.

The listing asks the catalogue's facet service (the API's too) for the attributes present in the
results, with each value's count under the other active filters; the form only parses the query.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render

from commerce.catalog.facets import ProductFacets, product_facets
from commerce.catalog.selectors import (
    category_index_get,
    category_tree_list,
    product_list_rows,
)
from storefront.pagination import page_links_for

from .cards import cards_from_rows
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


@dataclass(frozen=True)
class Chip:
    """An active filter, shown above the results with a link that removes it alone."""

    label: str
    remove_url: str


def _url_without(query, name: str, value: str | None = None) -> str:
    """The current query string without one parameter (or one of its values), back on page 1."""
    pairs = [(k, v) for k, values in query.lists() for v in values if k != "page"]
    pairs = [(k, v) for k, v in pairs if not (k == name and (value is None or v == value))]
    return "?" + urlencode(pairs) if pairs else "?"


def _chips(*, form: ShopFilterForm, facets: ProductFacets, query) -> list[Chip]:
    chips = []
    if search := form.clean_value("q"):
        chips.append(Chip(f"Search: {search}", _url_without(query, "q")))
    for attribute in facets.attributes:
        for value in attribute.values:
            if value.selected:
                chips.append(Chip(f"{attribute.name}: {value.name}", _url_without(query, attribute.slug, value.slug)))
    if (low := form.clean_value("price_min")) is not None:
        chips.append(Chip(f"From {form.money(low)}", _url_without(query, "price_min")))
    if (high := form.clean_value("price_max")) is not None:
        chips.append(Chip(f"Up to {form.money(high)}", _url_without(query, "price_max")))
    if form.clean_value("in_stock"):
        chips.append(Chip("In stock only", _url_without(query, "in_stock")))
    return chips


def _listing(request, *, category=None):
    index = category_index_get()
    category_ids = index.descendant_ids(category.id) if category else None
    # always bound: an empty query string is simply "no filters"
    form = ShopFilterForm(request.GET, facets=facets_list())
    filters = form.to_filters(category_ids=category_ids)
    facets = product_facets(filters=filters)

    total = facets.total
    last_page = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = _page_number(request.GET.get("page"), last_page)
    rows = (
        product_list_rows(filters=filters, ordering=form.sort_key(), offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
        if total
        else []
    )
    page_links = page_links_for(page=page, last_page=last_page, query=request.GET)
    chips = _chips(form=form, facets=facets, query=request.GET)

    return render(
        request,
        "catalog/product_list.html",
        {
            "form": form,
            "facets": facets,
            "chips": chips,
            "clear_url": request.path,
            "category": category,
            "category_path": index.path(category.id) if category else [],
            "category_tree": category_tree_list(),
            "cards": cards_from_rows(rows),
            "total": total,
            "page": page,
            "last_page": last_page,
            "page_links": page_links if last_page > 1 else [],
            "previous_url": next((link["url"] for link in page_links if link.get("number") == page - 1), None),
            "next_url": next((link["url"] for link in page_links if link.get("number") == page + 1), None),
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
