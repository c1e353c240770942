"""Catalogue import: read every row, report every problem, then write everything or nothing.

`catalog_import_plan` reads the file and checks each row against the database (one batch of
queries per kind of object, not per row) and returns a plan with every problem found, by row and
column. `catalog_import_apply` writes a plan without problems in one transaction with bulk
operations: products and variants are upserted by slug and SKU, and only rows whose values really
differ are written, so importing the same file twice changes nothing the second time.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from commerce.catalog.cache import catalog_cache_bump
from commerce.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductTypeAttribute,
    ProductVariant,
)
from commerce.catalog.signals import catalog_imported
from commerce.catalog.stock import stock_levels_announce

from .bulk import bulk_insert
from .fileformat import ATTR_PREFIX, KNOWN_COLUMNS, OPTION_PREFIX, read_rows

Progress = Callable[[int, int], None]  # (done, total)
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_TRUE = {"yes", "true", "1", "y"}
_FALSE = {"no", "false", "0", "n"}
BATCH = 2000

PRODUCT_FIELDS = ("name", "product_type_id", "category_id", "sku_code", "base_price", "description", "live",
                  "is_featured", "seo_title", "search_description")
VARIANT_FIELDS = ("price", "stock_on_hand", "weight", "low_stock_threshold", "is_active")


@dataclass
class RowError:
    row: int
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class ProductPlan:
    slug: str
    row: int
    fields: dict
    attributes: list[tuple] | None  # (attribute_id, value_id, text, number, boolean) rows; None: keep
    images: list[int] | None  # None: keep
    category_slug: str = ""
    existing_id: int | None = None


@dataclass
class VariantPlan:
    sku: str
    row: int
    product_slug: str
    fields: dict
    value_ids: tuple[int, ...]
    existing_id: int | None = None


@dataclass
class ImportPlan:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    products: dict[str, ProductPlan] = field(default_factory=dict)
    variants: list[VariantPlan] = field(default_factory=list)
    new_categories: dict[str, str] = field(default_factory=dict)  # slug -> name

    def error(self, row, column, message):
        self.errors.append(RowError(row, column, message))


@dataclass
class ImportResult:
    products_created: int = 0
    products_updated: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    categories_created: int = 0
    unchanged_rows: int = 0

    def as_dict(self):
        return dict(self.__dict__)


# --- parsing helpers ----------------------------------------------------------------------------


def _decimal(text, *, places, row, column, plan, minimum=Decimal("0")):
    try:
        value = Decimal(text.replace(",", "")) if "," in text and "." in text else Decimal(text)
    except InvalidOperation:
        plan.error(row, column, f"“{text}” is not a number.")
        return None
    if not value.is_finite():
        plan.error(row, column, f"“{text}” is not a number.")
        return None
    if value < minimum:
        plan.error(row, column, f"Cannot be below {minimum}.")
        return None
    if value != value.quantize(Decimal(1).scaleb(-places)):
        plan.error(row, column, f"At most {places} decimal places.")
        return None
    return value.quantize(Decimal(1).scaleb(-places))


def _int(text, *, row, column, plan):
    try:
        value = int(Decimal(text))
        if Decimal(text) != value:
            raise ValueError
    except (InvalidOperation, ValueError):
        plan.error(row, column, f"“{text}” is not a whole number.")
        return None
    if value < 0:
        plan.error(row, column, "Cannot be negative.")
        return None
    return value


def _bool(text, *, row, column, plan, default):
    if text == "":
        return default
    low = text.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    plan.error(row, column, f"“{text}” is not yes or no.")
    return None


def _chunks(items: list, size=BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- planning -----------------------------------------------------------------------------------


class _Lookups:
    """Everything the rows are checked against, loaded in a few queries."""

    def __init__(self, slugs: set[str], skus: set[str]):
        self.types = {}
        links = ProductTypeAttribute.objects.select_related("product_type", "attribute").order_by("sort_order", "id")
        for link in links:
            entry = self.types.setdefault(link.product_type.slug, {"id": link.product_type_id,
                                                                    "product": {}, "variant": {}})
            entry[link.role][link.attribute.slug] = link.attribute
        from commerce.catalog.models import ProductType

        for pt in ProductType.objects.all():
            self.types.setdefault(pt.slug, {"id": pt.pk, "product": {}, "variant": {}})
        self.values: dict[int, dict[str, int]] = {}
        for value in AttributeValue.objects.all():
            by = self.values.setdefault(value.attribute_id, {})
            for key in (value.slug, (value.code or "").lower(), value.name.lower()):
                if key:
                    by.setdefault(key.lower(), value.pk)
        self.categories = dict(Category.objects.values_list("slug", "pk"))
        self.products = {}
        for chunk in _chunks(sorted(slugs)):
            for row in Product.objects.filter(slug__in=chunk).values("pk", "slug", *PRODUCT_FIELDS):
                self.products[row["slug"]] = row
        self.variants = {}
        for chunk in _chunks(sorted(skus)):
            for row in ProductVariant.objects.filter(sku__in=chunk).values(
                "pk", "sku", "product_id", "combination_key", "stock_allocated", *VARIANT_FIELDS
            ):
                self.variants[row["sku"]] = row
        self.all_attributes = {a.slug: a for a in Attribute.objects.all()}


def catalog_import_plan(fileobj, *, fmt: str, progress: Progress | None = None) -> ImportPlan:
    """Read and check the whole file; nothing is written. `plan.errors` lists every problem."""
    plan = ImportPlan()
    header, rows_iter, total = read_rows(fileobj, fmt=fmt)
    rows = list(rows_iter)
    plan.rows = len(rows)
    for name in header:
        if name and name not in KNOWN_COLUMNS and not name.startswith((ATTR_PREFIX, OPTION_PREFIX)):
            plan.error(1, name, "Unknown column.")
    for required in ("product_slug", "sku"):
        if required not in header:
            plan.error(1, required, "This column is required.")
    if plan.errors:
        return plan

    lookups = _Lookups({r.get("product_slug", "") for _, r in rows}, {r.get("sku", "") for _, r in rows} - {""})
    seen_skus: dict[str, int] = {}
    combos: dict[tuple[str, str], int] = {}
    for index, (number, row) in enumerate(rows):
        _plan_row(plan, lookups, number, row, seen_skus, combos)
        if progress and index % 1000 == 0:
            progress(index, len(rows))
    _check_existing_combinations(plan, lookups)
    if progress:
        progress(len(rows), len(rows))
    return plan


def _plan_row(plan, lookups, number, row, seen_skus, combos):
    slug = row.get("product_slug", "")
    errors_before = len(plan.errors)
    if not slug:
        plan.error(number, "product_slug", "A product slug is required.")
        return
    if not _SLUG.match(slug) or len(slug) > 220:
        plan.error(number, "product_slug", "Use letters, numbers, hyphens and underscores (at most 220).")
        return
    product = plan.products.get(slug)
    if product is None:
        product = _plan_product(plan, lookups, number, row, slug)
        if product is None:
            return
        plan.products[slug] = product
    else:
        _check_repeated_product_columns(plan, number, row, product)

    sku = row.get("sku", "")
    if not sku:
        if any(row.get(c) for c in ("price", "stock", "weight")) or any(
                v for k, v in row.items() if k.startswith(OPTION_PREFIX)):
            plan.error(number, "sku", "A variant needs a SKU.")
        return
    if len(sku) > 64:
        plan.error(number, "sku", "At most 64 characters.")
        return
    if sku in seen_skus:
        plan.error(number, "sku", f"SKU {sku} is already on row {seen_skus[sku]}.")
        return
    seen_skus[sku] = number
    existing = lookups.variants.get(sku)
    if existing and product.existing_id != existing["product_id"]:
        plan.error(number, "sku", f"SKU {sku} belongs to another product.")
        return
    ptype = lookups.types.get(product.fields.get("_type_slug", ""), {"variant": {}})
    value_ids = []
    for attr_slug, attribute in ptype["variant"].items():
        column = OPTION_PREFIX + attr_slug
        text = row.get(column, "")
        if not text:
            plan.error(number, column, f"Choose a {attribute.name} for every variant.")
            continue
        value_id = lookups.values.get(attribute.pk, {}).get(text.lower())
        if value_id is None:
            plan.error(number, column, f"“{text}” is not a value of {attribute.name}.")
            continue
        value_ids.append(value_id)
    for column in row:
        if column.startswith(OPTION_PREFIX) and row[column] and column[len(OPTION_PREFIX):] not in ptype["variant"]:
            plan.error(number, column, "Not a variant attribute of this product type.")
    key = ProductVariant.combination_key_for(value_ids)
    if (slug, key) in combos:
        plan.error(number, "sku", f"Row {combos[(slug, key)]} has the same options for this product.")
    combos[(slug, key)] = number

    fields = {}
    price = row.get("price", "")
    fields["price"] = None if price == "" else _decimal(price, places=2, row=number, column="price", plan=plan)
    stock = row.get("stock", "")
    if stock == "":
        fields["stock_on_hand"] = existing["stock_on_hand"] if existing else 0
    else:
        fields["stock_on_hand"] = _int(stock, row=number, column="stock", plan=plan)
    if existing and fields["stock_on_hand"] is not None and fields["stock_on_hand"] < existing["stock_allocated"]:
        plan.error(number, "stock", f"Cannot go below the {existing['stock_allocated']} allocated to orders.")
    weight = row.get("weight", "")
    fields["weight"] = None if weight == "" else _decimal(weight, places=3, row=number, column="weight", plan=plan)
    threshold = row.get("low_stock_threshold", "")
    fields["low_stock_threshold"] = None if threshold == "" else _int(
        threshold, row=number, column="low_stock_threshold", plan=plan)
    fields["is_active"] = _bool(row.get("active", ""), row=number, column="active", plan=plan, default=True)
    if len(plan.errors) > errors_before:
        return
    plan.variants.append(VariantPlan(sku, number, slug, fields, tuple(sorted(value_ids)),
                                     existing["pk"] if existing else None))


def _plan_product(plan, lookups, number, row, slug) -> ProductPlan | None:
    errors_before = len(plan.errors)
    existing = lookups.products.get(slug)
    fields = {}
    name = row.get("product_name", "")
    if not name and not existing:
        plan.error(number, "product_name", "A new product needs a name.")
    fields["name"] = name or (existing["name"] if existing else "")
    if len(fields["name"]) > 200:
        plan.error(number, "product_name", "At most 200 characters.")
    type_slug = row.get("product_type", "")
    ptype = lookups.types.get(type_slug) if type_slug else None
    if type_slug and ptype is None:
        plan.error(number, "product_type", f"No product type “{type_slug}”.")
    elif not type_slug and not existing:
        plan.error(number, "product_type", "A new product needs a product type.")
    if ptype is None and existing:
        ptype = next((t for t in lookups.types.values() if t["id"] == existing["product_type_id"]), None)
        type_slug = next((s for s, t in lookups.types.items() if t is ptype), "")
    if existing and ptype and ptype["id"] != existing["product_type_id"]:
        plan.error(number, "product_type", "The product type of an existing product cannot change.")
    fields["product_type_id"] = ptype["id"] if ptype else None
    fields["_type_slug"] = type_slug
    category = row.get("category", "")
    if category and category not in lookups.categories and not _SLUG.match(category):
        plan.error(number, "category", "A category slug uses letters, numbers and hyphens.")
    elif category and category not in lookups.categories:
        plan.new_categories.setdefault(category, category.replace("-", " ").replace("_", " ").capitalize())
    fields["category_id"] = lookups.categories.get(category) if category else None
    prefix = row.get("sku_prefix", "") or (existing["sku_code"] if existing else "")
    if not prefix:
        prefix = re.sub(r"[^A-Z0-9]", "", slug.upper())[:12]
    if len(prefix) > 12:
        plan.error(number, "sku_prefix", "At most 12 characters.")
    fields["sku_code"] = prefix
    base_price = row.get("base_price", "")
    if base_price == "" and not existing:
        plan.error(number, "base_price", "A new product needs a base price.")
    fields["base_price"] = (existing["base_price"] if existing else None) if base_price == "" else _decimal(
        base_price, places=2, row=number, column="base_price", plan=plan)
    fields["description"] = row.get("description", "")
    fields["live"] = _bool(row.get("live", ""), row=number, column="live", plan=plan, default=True)
    fields["is_featured"] = _bool(row.get("featured", ""), row=number, column="featured", plan=plan, default=False)
    fields["seo_title"] = row.get("seo_title", "")[:255]
    fields["search_description"] = row.get("search_description", "")

    attributes = None
    if any(k.startswith(ATTR_PREFIX) for k in row) and ptype is not None:
        attributes = []
        for column, text in row.items():
            if not column.startswith(ATTR_PREFIX):
                continue
            attr_slug = column[len(ATTR_PREFIX):]
            attribute = ptype["product"].get(attr_slug)
            if attribute is None:
                if text:
                    plan.error(number, column, "Not a product attribute of this product type.")
                continue
            if text:
                attributes += _attribute_rows(plan, lookups, number, column, attribute, text)
    images = None
    if "images" in row:
        images = []
        for part in filter(None, (p.strip() for p in row["images"].split("|"))):
            if not part.isdigit():
                plan.error(number, "images", f"“{part}” is not an image id.")
            else:
                images.append(int(part))
    if len(plan.errors) > errors_before:
        return None
    return ProductPlan(slug, number, fields, attributes, images, category, existing["pk"] if existing else None)


def _attribute_rows(plan, lookups, number, column, attribute, text) -> list[tuple]:
    kind = attribute.type
    if kind in (Attribute.Type.CHOICE, Attribute.Type.MULTI_CHOICE):
        parts = [p.strip() for p in text.split("|") if p.strip()] if kind == Attribute.Type.MULTI_CHOICE else [text]
        rows = []
        for part in parts:
            value_id = lookups.values.get(attribute.pk, {}).get(part.lower())
            if value_id is None:
                plan.error(number, column, f"“{part}” is not a value of {attribute.name}.")
            else:
                rows.append((attribute.pk, value_id, "", None, None))
        return rows
    if kind == Attribute.Type.NUMBER:
        value = _decimal(text, places=4, row=number, column=column, plan=plan, minimum=Decimal("-1e10"))
        return [] if value is None else [(attribute.pk, None, "", value, None)]
    if kind == Attribute.Type.BOOLEAN:
        value = _bool(text, row=number, column=column, plan=plan, default=None)
        return [] if value is None else [(attribute.pk, None, "", None, value)]
    return [(attribute.pk, None, text[:255], None, None)]


def _check_repeated_product_columns(plan, number, row, product):
    first = {"product_name": product.fields["name"], "base_price": product.fields["base_price"],
             "product_type": product.fields["_type_slug"], "category": product.category_slug}
    for column, value in first.items():
        text = row.get(column, "")
        if not text:
            continue
        if column == "base_price":
            try:
                same = Decimal(text) == value
            except InvalidOperation:
                same = False
        else:
            same = text == value
        if not same:
            plan.error(number, column, f"Differs from row {product.row}, this product's first row.")


def _check_existing_combinations(plan, lookups):
    """A new variant may not repeat the options of a variant the product has and the file does not name."""
    existing_ids = [p.existing_id for p in plan.products.values() if p.existing_id]
    if not existing_ids:
        return
    named = {v.sku for v in plan.variants}
    taken: dict[tuple[int, str], str] = {}
    for chunk in _chunks(existing_ids):
        for _pk, product_id, sku, key in ProductVariant.objects.filter(product_id__in=chunk).values_list(
                "pk", "product_id", "sku", "combination_key"):
            if sku not in named:
                taken[(product_id, key)] = sku
    for variant in plan.variants:
        product = plan.products[variant.product_slug]
        clash = taken.get((product.existing_id, ProductVariant.combination_key_for(variant.value_ids)))
        if product.existing_id and clash:
            plan.error(variant.row, "sku", f"The product already has these options as SKU {clash}.")


# --- applying -----------------------------------------------------------------------------------


def catalog_import_apply(plan: ImportPlan, *, progress: Progress | None = None) -> ImportResult:
    """Write a plan that has no errors, all in one transaction. Raises ValueError if it has errors."""
    if plan.errors:
        raise ValueError("a plan with errors cannot be applied")
    with transaction.atomic():
        return _apply(plan, progress or (lambda done, total: None))


def _apply(plan: ImportPlan, progress: Progress) -> ImportResult:
    result = ImportResult()
    total = len(plan.products) + len(plan.variants)
    now = timezone.now()

    if plan.new_categories:
        created = Category.objects.bulk_create(
            [Category(slug=slug, name=name) for slug, name in plan.new_categories.items()])
        result.categories_created = len(created)
        ids = {c.slug: c.pk for c in created}
        for product in plan.products.values():
            if product.category_slug in ids:
                product.fields["category_id"] = ids[product.category_slug]

    # products
    existing = {}
    existing_ids = [p.existing_id for p in plan.products.values() if p.existing_id]
    for chunk in _chunks(existing_ids):
        for obj in Product.objects.filter(pk__in=chunk).only("pk", *PRODUCT_FIELDS):
            existing[obj.pk] = obj
    new_products, changed_products = [], []
    for product in plan.products.values():
        values = {k: v for k, v in product.fields.items() if not k.startswith("_")}
        if product.existing_id:
            obj = existing[product.existing_id]
            if any(getattr(obj, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(obj, k, v)
                obj.updated_at = now
                changed_products.append(obj)
        else:
            obj = Product(slug=product.slug, has_unpublished_changes=False, **values)
            if obj.live:
                obj.first_published_at = obj.last_published_at = now
            new_products.append(obj)
    bulk_insert(Product, new_products, key="slug")
    Product.objects.bulk_update(changed_products, [*PRODUCT_FIELDS, "updated_at"], batch_size=BATCH)
    result.products_created, result.products_updated = len(new_products), len(changed_products)
    product_ids = {p.slug: p.existing_id for p in plan.products.values()}
    product_ids.update({obj.slug: obj.pk for obj in new_products})
    progress(len(plan.products) // 2, total)

    touched = _apply_product_children(plan, product_ids, result, changed_products)
    progress(len(plan.products), total)

    # variants
    variant_ids = [v.existing_id for v in plan.variants if v.existing_id]
    current = {}
    for chunk in _chunks(variant_ids):
        # locked in id order, like the stock functions, so a checkout cannot allocate in between
        for obj in ProductVariant.objects.select_for_update(of=("self",)).filter(pk__in=chunk).order_by("pk"):
            current[obj.pk] = obj
    through = ProductVariant.attribute_values.through
    new_variants, changed_variants, recombined = [], [], []
    stock_before, stock_delta = {}, {}
    position: dict[str, int] = {}  # new variants keep the file's order within their product
    for variant in plan.variants:
        key = ProductVariant.combination_key_for(variant.value_ids)
        if variant.existing_id:
            obj = current[variant.existing_id]
            changed = [k for k, v in variant.fields.items() if getattr(obj, k) != v]
            if obj.combination_key != key:
                changed.append("combination_key")
                recombined.append((obj, variant.value_ids))
            if changed:
                if "stock_on_hand" in changed:
                    if variant.fields["stock_on_hand"] < obj.stock_allocated:  # allocated since the check
                        raise ValueError(f"row {variant.row}: stock below what is allocated")
                    stock_before[obj.pk] = _Before(obj.sku, obj.stock_on_hand, obj.stock_allocated,
                                                   obj.low_stock_threshold)
                    stock_delta[obj.pk] = variant.fields["stock_on_hand"] - obj.stock_on_hand
                for k, v in variant.fields.items():
                    setattr(obj, k, v)
                obj.combination_key = key
                obj.updated_at = now
                changed_variants.append(obj)
        else:
            position[variant.product_slug] = position.get(variant.product_slug, 0) + 1
            new_variants.append((ProductVariant(product_id=product_ids[variant.product_slug], sku=variant.sku,
                                                combination_key=key, sort_order=position[variant.product_slug],
                                                **variant.fields), variant.value_ids))
    bulk_insert(ProductVariant, [v for v, _ in new_variants], key="sku")
    ProductVariant.objects.bulk_update(changed_variants, [*VARIANT_FIELDS, "combination_key", "updated_at"],
                                       batch_size=BATCH)
    if recombined:
        through.objects.filter(productvariant_id__in=[obj.pk for obj, _ in recombined]).delete()
    links = [through(productvariant_id=obj.pk, attributevalue_id=value_id)
             for obj, value_ids in [*new_variants, *recombined] for value_id in value_ids]
    bulk_insert(through, links)
    result.variants_created, result.variants_updated = len(new_variants), len(changed_variants)
    result.unchanged_rows = plan.rows - len(new_variants) - len(changed_variants)
    if stock_before:
        stock_levels_announce(locked=stock_before, on_hand=stock_delta, allocated={})
    catalog_cache_bump()
    _index_after_commit(new_products + changed_products)
    created = {obj.pk for obj in new_products}
    updated = ({obj.pk for obj in changed_products} | touched
               | {obj.product_id for obj in changed_variants} | {obj.product_id for obj, _ in new_variants}) - created
    catalog_imported.send(sender=Product, created=sorted(created), updated=sorted(updated))
    progress(total, total)
    return result


@dataclass(frozen=True)
class _Before:
    sku: str
    stock_on_hand: int
    stock_allocated: int
    low_stock_threshold: int | None


def _apply_product_children(plan, product_ids, result, changed_products) -> set[int]:
    """Attribute values and images: rewritten only for products whose set differs. Returns the ids of
    the existing products (other than `changed_products`) this rewrote."""
    ids = [pid for pid in product_ids.values() if pid]
    current_attrs: dict[int, list] = {}
    current_images: dict[int, list] = {}
    for chunk in _chunks(ids):
        for row in ProductAttributeValue.objects.filter(product_id__in=chunk).order_by("sort_order", "pk").values_list(
                "product_id", "attribute_id", "value_id", "value_text", "value_number", "value_boolean"):
            current_attrs.setdefault(row[0], []).append(tuple(row[1:]))
        for product_id, image_id in ProductImage.objects.filter(product_id__in=chunk).order_by(
                "sort_order", "pk").values_list("product_id", "image_id"):
            current_images.setdefault(product_id, []).append(image_id)
    attr_replace, image_replace = {}, {}
    for product in plan.products.values():
        pid = product_ids[product.slug]
        if product.attributes is not None and _normal(current_attrs.get(pid, [])) != _normal(product.attributes):
            attr_replace[pid] = product.attributes
        if product.images is not None and current_images.get(pid, []) != product.images:
            image_replace[pid] = product.images
    if attr_replace:
        ProductAttributeValue.objects.filter(product_id__in=list(attr_replace)).delete()
        bulk_insert(ProductAttributeValue, [
            ProductAttributeValue(product_id=pid, attribute_id=a, value_id=v, value_text=t, value_number=n,
                                  value_boolean=b, sort_order=i)
            for pid, rows in attr_replace.items() for i, (a, v, t, n, b) in enumerate(rows)
        ])
    if image_replace:
        ProductImage.objects.filter(product_id__in=list(image_replace)).delete()
        ProductImage.objects.bulk_create([
            ProductImage(product_id=pid, image_id=image_id, sort_order=i)
            for pid, images in image_replace.items() for i, image_id in enumerate(images)
        ], batch_size=BATCH)
    touched = (set(attr_replace) | set(image_replace)) - {p.pk for p in changed_products}
    existing_touched = [pid for pid in touched if pid in {p.existing_id for p in plan.products.values()}]
    result.products_updated += len(existing_touched)
    return set(existing_touched)


def _normal(rows) -> list:
    return sorted((a, v, t or "", None if n is None else Decimal(n).normalize(), b) for a, v, t, n, b in rows)


def catalog_search_index(*, product_ids: list[int]) -> None:
    """Index imported products for site search (bulk writes skip Wagtail's indexing signal)."""
    from wagtail.search.backends import get_search_backends

    for chunk in _chunks(sorted(product_ids), 1000):
        # get_indexed_objects() prefetches what the search fields read (category path, attribute
        # words); a plain queryset made several queries per product: 433 s for 10,000 products
        products = list(Product.get_indexed_objects().filter(pk__in=chunk))
        for backend in get_search_backends():
            backend.add_bulk(Product, products)


def _index_after_commit(products) -> None:
    """The search index is derived data: it is rebuilt after the commit, in a task, so it neither
    lengthens the import's transaction nor can it fail the import."""
    ids = [p.pk for p in products]
    if not ids:
        return
    from .tasks import catalog_search_index_task

    transaction.on_commit(lambda: catalog_search_index_task.delay(ids), robust=True)
