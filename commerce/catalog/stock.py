"""Stock: allocation at checkout, deduction at confirmation, release at cancellation.

Available = on hand - allocated, and the database CHECK constraints keep 0 <= allocated <= on hand,
so a bug here fails loudly instead of overselling. Every function must run inside the caller's
transaction: it locks the variant rows (SELECT ... FOR UPDATE, always in primary-key order so two
checkouts holding the same SKUs in opposite orders cannot deadlock), decides in Python, then writes
all rows in a single UPDATE. That is two queries whatever the number of lines.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from commerce.core.compiled_query import CompiledQuery
from commerce.core.errors import ConflictError

from .cache import LISTS_SCOPE, STOCK_FLIPS_SCOPE, catalog_scope_bump, product_scope
from .models import ProductVariant, available_quantity
from .signals import StockLevel, stock_levels_changed


@dataclass(frozen=True)
class ShortLine:
    variant_id: int
    sku: str
    requested: int
    available: int


class InsufficientStock(ConflictError):
    """Raised once with every short line, so the caller can answer with all of them."""

    code = "insufficient_stock"

    def __init__(self, short_lines: list[ShortLine]):
        self.short_lines = short_lines
        super().__init__(
            "Not enough stock for " + ", ".join(f"{s.sku} ({s.available} available)" for s in short_lines) + ".",
            details=[
                {"sku": s.sku, "requested": s.requested, "available": s.available} for s in short_lines
            ],
        )


def _merge(quantities: Iterable[tuple[int, int]] | Mapping[int, int]) -> dict[int, int]:
    items = quantities.items() if isinstance(quantities, Mapping) else quantities
    merged: dict[int, int] = {}
    for variant_id, qty in items:
        if qty <= 0:
            raise ValueError("quantities must be positive")
        merged[variant_id] = merged.get(variant_id, 0) + qty
    return merged


@dataclass(frozen=True)
class _Locked:
    """A variant row as read under its lock: what the stock functions decide with."""

    pk: int
    sku: str
    stock_on_hand: int
    stock_allocated: int
    is_active: bool
    low_stock_threshold: int | None
    product_id: int

    @property
    def stock_available(self) -> int:
        return available_quantity(self.stock_on_hand, self.stock_allocated)


# Compiled once per connection and number of ids (commerce/core/compiled_query.py): checkout runs
# this on every order, and the ORM's per-call compilation cost more than the lock itself.
_locked_rows = CompiledQuery(
    lambda variant_ids: ProductVariant.objects.select_for_update(of=("self",))
    .filter(pk__in=variant_ids)
    .order_by("pk")
    .values_list("pk", "sku", "stock_on_hand", "stock_allocated", "is_active", "low_stock_threshold", "product_id")
)


def _lock(variant_ids) -> list[_Locked]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("stock functions must run inside a transaction")
    return [_Locked(*row) for row in _locked_rows.rows(variant_ids=sorted(variant_ids))]


def _bulk_add(
    *, field: str, deltas: dict[int, int], locked: dict[int, _Locked], also: dict[int, int] | None = None
) -> None:
    """One UPDATE: field += deltas[pk] (and stock_allocated += also[pk] when given).

    Plain SQL with every value a parameter (portable: PostgreSQL and SQLite): the ORM's
    Case/When update compiled anew on each call and was the costliest step of an allocation.
    """
    meta = ProductVariant._meta
    qn = connection.ops.quote_name
    pk = qn(meta.pk.column)
    changes = {field: deltas, **({"stock_allocated": also} if also else {})}
    assignments, params = [], []
    for name, by_pk in changes.items():
        column = qn(meta.get_field(name).column)
        assignments.append(f"{column} = {column} + CASE {pk} {' '.join(['WHEN %s THEN %s'] * len(by_pk))} ELSE 0 END")
        params += [value for item in by_pk.items() for value in item]
    ids = sorted({*deltas, *(also or {})})
    # only quoted model identifiers are interpolated; every value is a parameter
    placeholders = ", ".join(["%s"] * len(ids))
    sql = f"UPDATE {qn(meta.db_table)} SET {', '.join(assignments)} WHERE {pk} IN ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *ids])
    # a plain UPDATE sends no post_save: tell the cached pages that show it (once, at commit: stock
    # functions always run in a transaction and read no catalogue page after). Stock itself fails
    # closed (the UPDATE and its CHECK constraints, inside the caller's transaction); the bump is
    # cosmetic and fails open: it cannot undo or error a committed checkout.
    _stock_pages_bump(field=field, deltas=deltas, locked=locked, also=also)


def _stock_pages_bump(*, field: str, deltas: dict[int, int], locked: dict[int, _Locked], also) -> None:
    """Invalidate what a stock move changes: the detail of each product whose available quantity
    moved, and the list pages only when a variant went in or out of stock (what lists and facets show)."""
    products, flipped = set(), False
    for pk, row in locked.items():
        on_hand = row.stock_on_hand + (deltas.get(pk, 0) if field == "stock_on_hand" else 0)
        allocated = row.stock_allocated + (deltas.get(pk, 0) if field == "stock_allocated" else 0) + (also or {}).get(pk, 0)
        before = available_quantity(row.stock_on_hand, row.stock_allocated)
        after = available_quantity(on_hand, allocated)
        if before != after:
            products.add(product_scope(row.product_id))
            flipped = flipped or (row.is_active and (before > 0) != (after > 0))
    catalog_scope_bump(scopes=products, at_commit_only=True)
    if flipped:
        # Now as well as at commit: a list read later in this transaction (a test's, an admin
        # action's) must not be answered by a list engine built before the flip. Flips are rare next
        # to stock moves, so the extra round trip is too. STOCK_FLIPS_SCOPE goes first, so that
        # whoever has seen this LISTS_SCOPE bump has seen it too (list_index.list_index_get).
        catalog_scope_bump(scopes=[STOCK_FLIPS_SCOPE, LISTS_SCOPE])


def stock_levels_announce(
    *, locked: Mapping[int, object], on_hand: Mapping[int, int], allocated: Mapping[int, int]
) -> None:
    """Tell `stock_levels_changed` receivers which variants' available stock moved, before -> after.

    `locked` maps ids to rows read under their lock (anything with sku, stock_on_hand,
    stock_allocated and low_stock_threshold); `on_hand` / `allocated` are the deltas just written.
    No query: receivers act only on the variants that crossed a line (sold out, low, restocked).
    """
    default = settings.SHOP_LOW_STOCK_THRESHOLD
    levels = []
    for pk, row in locked.items():
        before = available_quantity(row.stock_on_hand, row.stock_allocated)
        after = available_quantity(row.stock_on_hand + on_hand.get(pk, 0), row.stock_allocated + allocated.get(pk, 0))
        if before != after:
            threshold = row.low_stock_threshold if row.low_stock_threshold is not None else default
            levels.append(StockLevel(pk, row.sku, before, after, threshold))
    if levels:
        stock_levels_changed.send(sender=ProductVariant, levels=levels)


def stock_allocate(*, quantities: Iterable[tuple[int, int]] | Mapping[int, int]) -> None:
    """Reserve stock for (variant_id, quantity) pairs, all or nothing.

    Raises InsufficientStock naming every line that cannot be served (inactive variants count as
    0 available). Nothing is written when it raises.
    """
    wanted = _merge(quantities)
    variants = {v.pk: v for v in _lock(wanted)}
    short = []
    for variant_id, qty in sorted(wanted.items()):
        variant = variants.get(variant_id)
        available = variant.stock_available if variant and variant.is_active else 0
        if qty > available:
            short.append(ShortLine(variant_id, variant.sku if variant else str(variant_id), qty, available))
    if short:
        raise InsufficientStock(short)
    _bulk_add(field="stock_allocated", deltas=wanted, locked=variants)
    stock_levels_announce(locked=variants, on_hand={}, allocated=wanted)


def stock_release(*, quantities: Iterable[tuple[int, int]] | Mapping[int, int]) -> None:
    """Give back an allocation that will not be fulfilled (an unconfirmed order is cancelled)."""
    held = _merge(quantities)
    variants = {v.pk: v for v in _lock(held)}
    # never below zero, even if an editor lowered stock by hand in between
    deltas = {pk: -min(q, variants[pk].stock_allocated) for pk, q in held.items() if pk in variants}
    deltas = {pk: d for pk, d in deltas.items() if d}
    if deltas:
        _bulk_add(field="stock_allocated", deltas=deltas, locked=variants)
        stock_levels_announce(locked=variants, on_hand={}, allocated=deltas)


def stock_deduct(*, quantities: Iterable[tuple[int, int]] | Mapping[int, int]) -> None:
    """Turn an allocation into a sale: on hand and allocated both go down by the quantity."""
    sold = _merge(quantities)
    variants = {v.pk: v for v in _lock(sold)}
    short = [
        ShortLine(pk, variants[pk].sku if pk in variants else str(pk), q,
                  variants[pk].stock_allocated if pk in variants else 0)
        for pk, q in sorted(sold.items())
        if pk not in variants or variants[pk].stock_allocated < q
    ]
    if short:
        raise InsufficientStock(short)
    negative = {pk: -q for pk, q in sold.items()}
    _bulk_add(field="stock_on_hand", deltas=negative, also=negative, locked=variants)
    # on hand and allocated fall together: available is unchanged, so nothing to announce


def stock_restock(*, quantities: Iterable[tuple[int, int]] | Mapping[int, int]) -> None:
    """Put sold units back on hand (a confirmed order is cancelled, or goods are returned)."""
    returned = _merge(quantities)
    present = {v.pk: v for v in _lock(returned)}
    deltas = {pk: q for pk, q in returned.items() if pk in present}
    if deltas:
        _bulk_add(field="stock_on_hand", deltas=deltas, locked=present)
        stock_levels_announce(locked=present, on_hand=deltas, allocated={})
