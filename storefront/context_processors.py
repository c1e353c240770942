"""Template context for every storefront page: `shop`, menus and the cart count (see chrome.py)."""

from django.utils.functional import SimpleLazyObject

from commerce.cart.selectors import cart_item_count
from commerce.cart.signals import SESSION_CART_KEY

from .chrome import category_menu, chrome_get


def _cart_count(request) -> int:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return cart_item_count(user=user, token=None)
    # an anonymous visitor without a cart in the session costs no query (and no session read)
    session = getattr(request, "session", None)
    token = session.get(SESSION_CART_KEY) if session is not None and session.session_key else None
    return cart_item_count(user=None, token=token) if token else 0


def storefront(request) -> dict:
    chrome = SimpleLazyObject(lambda: chrome_get(request))
    return {
        "chrome": chrome,
        "shop": SimpleLazyObject(lambda: chrome["shop"]),
        "category_menu": SimpleLazyObject(lambda: category_menu(chrome["menu_slugs"])),
        # an int, not lazy: filters such as pluralize need the number itself
        "cart_count": _cart_count(request),
    }
