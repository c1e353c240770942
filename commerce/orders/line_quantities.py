"""{order line id: units} as shipping, refunds, returns and the order desk receive it.

Every operation that acts on part of an order (ship a parcel, refund some units, return some units,
restock a received return) takes the same mapping from a form or a JSON body. It is read here once:
ids and units must be whole numbers in ASCII digits within their column's range (`parse_int`, so
"١٢" is refused instead of silently becoming 12), zero units are skipped, negative units and lines
that are not the order's are refused, and no line may take more units than it has left.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from commerce.core.validation import INT32_MAX, InvalidInput, parse_int

NOT_A_WHOLE_NUMBER = "Quantity must be a whole number."
NEGATIVE = "Quantity cannot be negative."
NOT_A_LINE = "Not a line of this order."


def parse_line_quantities(lines: Mapping[Any, Any]) -> tuple[dict[int, int], dict[str, str]]:
    """({line id: units} for every non-zero entry, {line id as given: why it was refused})."""
    quantities: dict[int, int] = {}
    errors: dict[str, str] = {}
    for raw_id, raw_qty in lines.items():
        try:
            line_id = parse_int(raw_id, min_value=1)
            quantity = parse_int(raw_qty, min_value=-INT32_MAX, max_value=INT32_MAX)
        except InvalidInput:
            errors[str(raw_id)] = NOT_A_WHOLE_NUMBER
            continue
        if quantity < 0:
            errors[str(line_id)] = NEGATIVE
        elif quantity:
            quantities[line_id] = quantity
    return quantities, errors


def check_line_quantities(
    lines: Mapping[Any, Any], *, left: Mapping[int, int], too_many: Callable[[int], str]
) -> tuple[dict[int, int], dict[str, str]]:
    """parse_line_quantities, then each line checked against `left` ({line id: units still open to
    this operation}; a line missing from it is not the order's). `too_many(units left)` words the
    refusal of a line asked for more than it has left."""
    quantities, errors = parse_line_quantities(lines)
    for line_id, quantity in quantities.items():
        if line_id not in left:
            errors[str(line_id)] = NOT_A_LINE
        elif quantity > left[line_id]:
            errors[str(line_id)] = too_many(left[line_id])
    return ({} if errors else quantities), errors
