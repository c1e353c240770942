"""Merge the site session's anonymous cart into the customer's cart when they log in."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from .models import Cart
from .selectors import cart_get_anonymous
from .services import cart_get_or_create_for_user, cart_merge

SESSION_CART_KEY = "cart_token"


@receiver(user_logged_in, dispatch_uid="cart_merge_session_cart_on_login")
def merge_session_cart_on_login(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is None:
        return
    token = session.pop(SESSION_CART_KEY, None)
    anonymous: Cart | None = cart_get_anonymous(token=token)
    if anonymous is None:
        return
    cart_merge(source=anonymous, target=cart_get_or_create_for_user(user=user))
