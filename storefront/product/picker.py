"""The product page's variant picker: one radio group per variant attribute (size buttons, colour
swatches), built from the variants `product_detail_get` already loaded (no queries).

A value stays visible even when it cannot be bought: it is disabled when no in-stock variant has it
together with the values chosen in the other groups (sold out, or a combination that was never made),
as the best themes do. Without JavaScript the page is rendered for one choice (the one in the query
string, else the first variant in stock); the script re-applies the same rule in the browser from the
variant list the form carries.
"""

import json
from dataclasses import dataclass, field

from commerce.catalog.models import ProductVariant
from commerce.core.money import format_money

# attribute slugs shown as colour swatches (the value's slug names the swatch's CSS class)
SWATCH_ATTRIBUTES = frozenset({"color", "colour"})


@dataclass
class PickerOption:
    slug: str
    name: str
    checked: bool = False
    disabled: bool = False  # no variant in stock with this value and the other groups' choices


@dataclass
class PickerGroup:
    slug: str
    name: str
    swatches: bool
    options: list[PickerOption] = field(default_factory=list)

    @property
    def field_name(self) -> str:
        return f"option-{self.slug}"

    @property
    def chosen(self) -> PickerOption | None:
        return next((o for o in self.options if o.checked), None)


@dataclass
class VariantChoice:
    sku: str
    price: str  # formatted with the currency
    available: int
    values: dict[str, str]  # attribute slug -> value slug


@dataclass
class Picker:
    groups: list[PickerGroup]
    variants: list[VariantChoice]
    selected: VariantChoice | None

    def variants_json(self) -> str:
        return json.dumps(
            [{"sku": v.sku, "price": v.price, "available": v.available, "values": v.values} for v in self.variants]
        )


def _values_by_attribute(variant: ProductVariant) -> dict[str, tuple]:
    # attribute_values are prefetched with their attribute (selectors.product_detail_get)
    return {v.attribute.slug: (v.attribute, v) for v in variant.attribute_values.all()}


def variant_picker(*, variants: list[ProductVariant], base_price, requested: dict[str, str]) -> Picker:
    rows = [(variant, _values_by_attribute(variant)) for variant in variants]
    attributes: dict[str, object] = {}
    values: dict[str, dict[str, object]] = {}
    for _, by_attribute in rows:
        for slug, (attribute, value) in by_attribute.items():
            attributes.setdefault(slug, attribute)
            values.setdefault(slug, {}).setdefault(value.slug, value)
    ordered_slugs = sorted(attributes, key=lambda s: (attributes[s].sort_order, attributes[s].name))

    choices = [
        VariantChoice(
            sku=variant.sku,
            price=format_money(variant.price if variant.price is not None else base_price),
            available=variant.stock_available,
            values={slug: value.slug for slug, (_, value) in by_attribute.items()},
        )
        for variant, by_attribute in rows
    ]

    # the choice to render: every requested value that some variant has, else the first in stock
    wanted = {s: requested[s] for s in ordered_slugs if requested.get(s) in values.get(s, {})}
    selected = next((c for c in choices if all(c.values.get(s) == v for s, v in wanted.items()) and c.available > 0), None)
    if selected is None:
        selected = next((c for c in choices if all(c.values.get(s) == v for s, v in wanted.items())), None)
    if selected is None:
        selected = next((c for c in choices if c.available > 0), choices[0] if choices else None)
    current = dict(selected.values) if selected else {}

    groups = []
    for slug in ordered_slugs:
        attribute = attributes[slug]
        group = PickerGroup(slug=slug, name=attribute.name, swatches=slug in SWATCH_ATTRIBUTES)
        for value in sorted(values[slug].values(), key=lambda v: (v.sort_order or 0, v.pk)):
            others = {s: v for s, v in current.items() if s != slug}
            buyable = any(
                c.available > 0 and c.values.get(slug) == value.slug and all(c.values.get(s) == v for s, v in others.items())
                for c in choices
            )
            checked = current.get(slug) == value.slug
            # the current choice stays enabled even when sold out, so the form still names it
            # (the add button then says "Sold out"); every other unbuyable value is disabled
            group.options.append(
                PickerOption(slug=value.slug, name=value.name, checked=checked, disabled=not buyable and not checked)
            )
        groups.append(group)
    return Picker(groups=groups, variants=choices, selected=selected)


def variant_for_options(*, variants, options: dict[str, str]):
    """The variant whose values are exactly `options` (attribute slug -> value slug), else None."""
    for variant in variants:
        values = {slug: value.slug for slug, (_, value) in _values_by_attribute(variant).items()}
        if values == options:
            return variant
    return None
