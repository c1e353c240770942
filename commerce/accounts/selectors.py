"""Account reads."""

from django.db.models import QuerySet

from .models import Address


def address_list(*, user) -> QuerySet[Address]:
    """The user's own addresses, default first."""
    return Address.objects.filter(user=user).order_by("-is_default", "-updated_at", "-pk")


def address_default(*, user) -> Address | None:
    return Address.objects.filter(user=user, is_default=True).first()
