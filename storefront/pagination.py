"""Numbered pagination links for the storefront's lists (catalogue, search)."""

from urllib.parse import urlencode


def page_links_for(*, page: int, last_page: int, query) -> list[dict]:
    """Numbered pagination: first, last, and two either side of the current page, with gaps."""
    shown = sorted({1, last_page, *range(max(page - 2, 1), min(page + 2, last_page) + 1)})
    base = [(k, v) for k, values in query.lists() for v in values if k != "page"]
    links, previous = [], 0
    for number in shown:
        if number - previous > 1:
            links.append({"gap": True})
        links.append({"number": number, "url": "?" + urlencode([*base, ("page", number)]), "current": number == page})
        previous = number
    return links


def pagination_context(*, page: int, last_page: int, query) -> dict:
    """`page_links`, `previous_url` and `next_url` for storefront/_pagination.html."""
    links = page_links_for(page=page, last_page=last_page, query=query)
    return {
        "page_links": links if last_page > 1 else [],
        "previous_url": next((link["url"] for link in links if link.get("number") == page - 1), None),
        "next_url": next((link["url"] for link in links if link.get("number") == page + 1), None),
    }
