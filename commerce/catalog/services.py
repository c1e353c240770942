"""Catalogue writes."""

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat

from commerce.core.audit import AuditAction, audit_log
from commerce.core.errors import ApplicationError

from .cache import catalog_cache_bump
from .models import Attribute, AttributeValue, Product, ProductTypeAttribute, ProductVariant
from .stock import stock_levels_announce

_SKU_UNSAFE = re.compile(r"[^A-Z0-9]+")


def _sku_part(text: str) -> str:
    return _SKU_UNSAFE.sub("", text.upper())


def _sku_for(product: Product, values: Sequence[AttributeValue]) -> str:
    parts = [_sku_part(product.sku_code) or f"P{product.pk}"]
    parts += [_sku_part(v.code) or _sku_part(v.slug) for v in values]
    return "-".join(parts)


def _unique_sku(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... : the first one free. Deterministic for the same state."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


@transaction.atomic
def variants_generate(
    *, product: Product, values_by_attribute: Mapping[int, Sequence[int]] | None = None
) -> list[ProductVariant]:
    """Create a variant for every missing combination of the chosen variant attribute values.

    `values_by_attribute` maps a variant attribute id to the ids of the values to combine; when it is
    None every value of every variant attribute is used. Existing variants are never changed, so
    running it again adds only what is missing. Returns the variants it created, in SKU order
    (3 sizes x 3 colours on an empty product give 9, SKUs like CTEE-S-RED).
    """
    # Lock the product row so two generators on one product cannot race for the same combinations.
    Product.objects.select_for_update().filter(pk=product.pk).first()

    links = (
        ProductTypeAttribute.objects.filter(
            product_type_id=product.product_type_id, role=ProductTypeAttribute.Role.VARIANT
        )
        .select_related("attribute")
        .order_by("sort_order", "id")
    )
    attributes: list[Attribute] = [link.attribute for link in links]

    if not attributes:
        if product.variants.exists():
            return []
        variant = ProductVariant.objects.create(
            product=product,
            sku=_unique_sku(_sku_for(product, []), set(ProductVariant.objects.filter(
                sku__startswith=_sku_for(product, [])).values_list("sku", flat=True))),
            combination_key="",
        )
        return [variant]

    all_values = AttributeValue.objects.filter(attribute__in=attributes).order_by("sort_order", "id")
    by_attribute: dict[int, list[AttributeValue]] = {a.pk: [] for a in attributes}
    for value in all_values:
        by_attribute[value.attribute_id].append(value)

    if values_by_attribute is not None:
        unknown = set(values_by_attribute) - set(by_attribute)
        if unknown:
            raise ApplicationError(
                "Those attributes do not make variants for this product type.", code="invalid_attribute"
            )
        for attribute_id, chosen in values_by_attribute.items():
            chosen = set(chosen)
            known = {v.pk for v in by_attribute[attribute_id]}
            if not chosen <= known:
                raise ApplicationError("Unknown attribute value chosen.", code="invalid_attribute_value")
            by_attribute[attribute_id] = [v for v in by_attribute[attribute_id] if v.pk in chosen]

    axes = [by_attribute[a.pk] for a in attributes]
    if any(not axis for axis in axes):
        raise ApplicationError(
            "Choose at least one value for every variant attribute.", code="missing_attribute_values"
        )

    existing_keys = set(product.variants.values_list("combination_key", flat=True))
    combos = [c for c in itertools.product(*axes) if ProductVariant.combination_key_for(v.pk for v in c) not in existing_keys]
    if not combos:
        return []

    prefix = _sku_for(product, [])
    taken = set(ProductVariant.objects.filter(sku__startswith=prefix).values_list("sku", flat=True))
    next_sort = (product.variants.order_by("-sort_order").values_list("sort_order", flat=True).first() or 0) + 1

    created = []
    for offset, combo in enumerate(combos):
        sku = _unique_sku(_sku_for(product, combo), taken)
        taken.add(sku)
        created.append(
            ProductVariant(
                product=product,
                sku=sku,
                combination_key=ProductVariant.combination_key_for(v.pk for v in combo),
                sort_order=next_sort + offset,
            )
        )
    ProductVariant.objects.bulk_create(created)
    # bulk_create sets pks on PostgreSQL and SQLite >= 3.35, so the M2M rows can go in one statement too
    through = ProductVariant.attribute_values.through
    through.objects.bulk_create(
        [
            through(productvariant_id=variant.pk, attributevalue_id=value.pk)
            for variant, combo in zip(created, combos, strict=True)
            for value in combo
        ]
    )
    catalog_cache_bump()  # bulk_create sends no post_save: cached lists must still see the new variants
    return created


class _StockBefore(NamedTuple):
    sku: str
    stock_on_hand: int
    stock_allocated: int
    low_stock_threshold: int | None


_VARIANT_GRID_FIELDS = ("sku", "price", "stock_on_hand", "weight", "is_active")


@transaction.atomic
def variants_update(
    *, product: Product, changes: Mapping[int, Mapping[str, object]], by=None, source: str = "variant grid"
) -> list[ProductVariant]:
    """Save the variant grid of one product: SKU, price, stock on hand, weight and active per variant.

    `changes` maps a variant id of this product to its new field values. All or nothing: every row is
    checked first and one ApplicationError (code "invalid_variants", `details` = {variant id: {field:
    message}}) reports every problem, with nothing written. Rows are locked in id order, so a checkout
    allocating meanwhile cannot slip stock on hand below what it has allocated. Changed rows are saved
    one by one (not bulk_update) so that post_save listeners, e.g. cache invalidation, see them.
    """
    variants = {
        v.pk: v
        for v in ProductVariant.objects.select_for_update().filter(product=product, pk__in=list(changes)).order_by("pk")
    }
    errors: dict[int, dict[str, str]] = {}
    if set(changes) - set(variants):
        raise ApplicationError("Unknown variant for this product.", code="invalid_variant")

    new_skus = {vid: str(fields.get("sku", variants[vid].sku)).strip() for vid, fields in changes.items()}
    # SKUs compare case-insensitively inside the grid: CTEE-S-RED and ctee-s-red would confuse people
    wanted_skus: dict[str, list[int]] = {}
    for variant_id, sku in new_skus.items():
        wanted_skus.setdefault(sku.upper(), []).append(variant_id)
    clashes_elsewhere = set(
        ProductVariant.objects.filter(sku__in=list(new_skus.values()))
        .exclude(pk__in=list(variants))
        .values_list("sku", flat=True)
    )
    for variant_id, fields in changes.items():
        variant = variants[variant_id]
        row_errors: dict[str, str] = {}
        sku = new_skus[variant_id]
        if not sku:
            row_errors["sku"] = "Enter a SKU."
        elif len(wanted_skus[sku.upper()]) > 1:
            row_errors["sku"] = f"SKU {sku} is used by more than one variant here."
        elif sku in clashes_elsewhere:
            row_errors["sku"] = f"SKU {sku} is already used by another product."
        on_hand = fields.get("stock_on_hand", variant.stock_on_hand)
        if on_hand is None or on_hand < 0:
            row_errors["stock_on_hand"] = "Stock on hand cannot be negative."
        elif on_hand < variant.stock_allocated:
            row_errors["stock_on_hand"] = (
                f"Stock on hand cannot go below the {variant.stock_allocated} already allocated to orders."
            )
        price = fields.get("price", variant.price)
        if price is not None and price < 0:
            row_errors["price"] = "Price cannot be negative."
        if row_errors:
            errors[variant_id] = row_errors
    if errors:
        raise ApplicationError("Some variants could not be saved.", code="invalid_variants", details=errors)

    values = {vid: {**fields, "sku": new_skus[vid]} for vid, fields in changes.items() if "sku" in fields}
    values.update({vid: dict(fields) for vid, fields in changes.items() if "sku" not in fields})
    # Two rows swapping SKUs would trip the unique constraint half-way: park the moving SKUs first.
    current_skus = {v.sku for v in variants.values()}
    moving = [vid for vid, f in values.items() if f.get("sku", variants[vid].sku) != variants[vid].sku]
    if any(values[vid]["sku"] in current_skus for vid in moving):
        ProductVariant.objects.filter(pk__in=moving).update(sku=Concat(Value("~"), Cast("pk", CharField())))

    before = {vid: _StockBefore(v.sku, v.stock_on_hand, v.stock_allocated, v.low_stock_threshold)
              for vid, v in variants.items()}
    saved = []
    for variant_id, fields in values.items():
        variant = variants[variant_id]
        changed = [name for name in _VARIANT_GRID_FIELDS if name in fields and getattr(variant, name) != fields[name]]
        if not changed:
            continue
        previous = {name: getattr(variant, name) for name in changed}
        for name in changed:
            setattr(variant, name, fields[name])
        variant.save(update_fields=[*changed, "updated_at"])
        saved.append(variant)
        if "stock_on_hand" in changed:
            audit_log(instance=variant, action=AuditAction.STOCK_CHANGE, user=by, data={
                "sku": variant.sku, "from": previous["stock_on_hand"], "to": variant.stock_on_hand, "source": source,
            })
        if "price" in changed:
            audit_log(instance=variant, action=AuditAction.PRICE_CHANGE, user=by, data={
                "subject": variant.sku, "from": previous["price"] if previous["price"] is not None else "base price",
                "to": variant.price if variant.price is not None else "base price",
            })
    stock_levels_announce(
        locked=before,
        on_hand={v.pk: v.stock_on_hand - before[v.pk].stock_on_hand for v in saved},
        allocated={},
    )
    return saved
