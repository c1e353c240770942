"""Human-friendly order numbers: CW- and 8 characters from an alphabet without look-alikes.

31 symbols (no 0/O, 1/I/L) give 31^8 = 8.5e11 numbers, so collisions are rare but possible. One query
checks a handful of random candidates at once and keeps the first free one; the unique constraint on
Order.number stays the final guard.
"""

import secrets

from commerce.core.compiled_query import CompiledQuery

from .models import Order

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "CW-"
LENGTH = 8
CANDIDATES_PER_QUERY = 4


def order_number_random() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


# compiled once per connection (commerce/core/compiled_query.py): it runs on every checkout
_taken_numbers = CompiledQuery(
    lambda candidates: Order.objects.filter(number__in=candidates).order_by().values_list("number")
)


def order_number_new() -> str:
    """A number no order has yet (one query in all but astronomically unlucky cases)."""
    while True:
        candidates = [order_number_random() for _ in range(CANDIDATES_PER_QUERY)]
        taken = {number for (number,) in _taken_numbers.rows(candidates=candidates)}
        for candidate in candidates:
            if candidate not in taken:
                return candidate
