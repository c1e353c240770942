"""Catalogue reads: live product lists and details, the category tree and the lookups they share.

The list path is built from `.values()` with annotations (price range, stock, first image) rather than
model instances, so a page of 100 products costs the same few queries as a page of 1, and no ORM
object is built per row. The category tree and the filter index are small: they are read whole once
per catalogue version and cached (see cache.py).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from wagtail.images import get_image_model
from wagtail.images.models import Filter
from wagtail.search.backends import get_search_backend

from commerce.core.renditions import renditions_or_empty

from . import detail_sql, list_sql
from .cache import cached_for_version, catalog_version
from .list_index import list_index_for
from .models import (
    MONEY_OUTPUT,
    VARIANT_IN_STOCK,
    AttributeValue,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductType,
    ProductVariant,
    effective_price,
    effective_price_expression,
    price_range,
    product_in_stock_expression,
    product_price_min_expression,
)

LIST_THUMBNAIL_SPEC = "fill-300x300"
DETAIL_IMAGE_SPECS = ("fill-600x600", "max-1200x1200")

# ordering name -> ORDER BY; `id` last so that pages never overlap when the first key ties
PRODUCT_ORDERINGS: dict[str, tuple[str, ...]] = {
    # best match first (only with a search; `search_rank` is the position in the search backend's answer)
    "relevance": ("search_rank", "id"),
    "name": ("name", "id"),
    "price": ("price_min", "id"),
    "-price": ("-price_min", "-id"),
    "-created": ("-created_at", "-id"),
}
DEFAULT_PRODUCT_ORDERING = "name"
DEFAULT_SEARCH_ORDERING = "relevance"
# the best matches a search keeps (a shopper reads the first pages of a search, not the 5,000th hit)
SEARCH_MAX_RESULTS = 1000



# --- Category tree --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryNode:
    id: int
    name: str
    slug: str
    parent_id: int | None
    description: str
    is_active: bool
    children: tuple[int, ...] = ()


@dataclass(frozen=True)
class CategoryIndex:
    """Every category by id, in display order; children listed by id."""

    by_id: dict[int, CategoryNode]
    id_by_slug: dict[str, int]
    root_ids: tuple[int, ...]

    def active_id_for_slug(self, slug: str) -> int | None:
        """The category for a slug, unless it or an ancestor is switched off."""
        category_id = self.id_by_slug.get(slug)
        if category_id is None:
            return None
        if not all(node.is_active for node in self.path(category_id)):
            return None
        return category_id

    def descendant_ids(self, category_id: int) -> list[int]:
        """The category and everything below it (what a shopper browsing it expects to see)."""
        found, stack = [], [category_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(self.by_id[current].children)
        return found

    def path(self, category_id: int | None) -> list[CategoryNode]:
        """Root -> leaf. Guards against a cycle an editor could build by hand."""
        path: list[CategoryNode] = []
        seen: set[int] = set()
        while category_id is not None and category_id in self.by_id and category_id not in seen:
            seen.add(category_id)
            node = self.by_id[category_id]
            path.append(node)
            category_id = node.parent_id
        path.reverse()
        return path


def _build_category_index() -> CategoryIndex:
    rows = list(
        Category.objects.order_by("sort_order", "name", "id").values(
            "id", "name", "slug", "parent_id", "description", "is_active"
        )
    )
    children: dict[int, list[int]] = {row["id"]: [] for row in rows}
    roots = []
    for row in rows:
        parent_id = row["parent_id"]
        if parent_id in children:
            children[parent_id].append(row["id"])
        else:
            roots.append(row["id"])
    by_id = {row["id"]: CategoryNode(**row, children=tuple(children[row["id"]])) for row in rows}
    return CategoryIndex(
        by_id=by_id, id_by_slug={row["slug"]: row["id"] for row in rows}, root_ids=tuple(roots)
    )


def category_index_get() -> CategoryIndex:
    return cached_for_version("category-index", _build_category_index)


def category_tree_list() -> list[dict]:
    """Active categories as nested dicts: [{id, name, slug, description, children: [...]}]."""
    index = category_index_get()

    def node_dict(category_id: int) -> dict:
        node = index.by_id[category_id]
        return {
            "id": node.id,
            "name": node.name,
            "slug": node.slug,
            "description": node.description,
            "children": [node_dict(c) for c in node.children if index.by_id[c].is_active],
        }

    return [node_dict(r) for r in index.root_ids if index.by_id[r].is_active]


# --- Filter index ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FilterIndex:
    """What the list filters accept: product type slugs and, per filterable attribute, its value slugs."""

    product_type_id_by_slug: dict[str, int]
    value_ids_by_attribute: dict[str, dict[str, int]]


def _build_filter_index() -> FilterIndex:
    values: dict[str, dict[str, int]] = {}
    for attribute_slug, value_slug, value_id in AttributeValue.objects.filter(
        attribute__filterable=True
    ).values_list("attribute__slug", "slug", "id"):
        values.setdefault(attribute_slug, {})[value_slug] = value_id
    return FilterIndex(
        product_type_id_by_slug=dict(ProductType.objects.values_list("slug", "id")),
        value_ids_by_attribute=values,
    )


def filter_index_get() -> FilterIndex:
    return cached_for_version("filter-index", _build_filter_index)


# --- Product list ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductFilters:
    """Validated list filters, as ids (the API turns slugs into these and rejects unknown ones)."""

    category_ids: Sequence[int] | None = None
    product_type_id: int | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    in_stock: bool | None = None
    search: str = ""
    # the live products matching `search`, best first, from the search backend (`search_resolved`)
    search_ids: tuple[int, ...] | None = None
    # one entry per attribute filter: a product matches any of the value ids (comma = OR),
    # and must match every attribute filter (AND between attributes)
    attribute_value_ids: Sequence[Sequence[int]] = field(default_factory=tuple)


def _has_variant_conditions(filters: ProductFilters) -> bool:
    return bool(filters.attribute_value_ids) or filters.in_stock is True or _has_price_bounds(filters)


def _has_price_bounds(filters: ProductFilters) -> bool:
    return filters.price_min is not None or filters.price_max is not None


def _price_bounds_q(name: str, filters: ProductFilters) -> Q:
    q = Q()
    if filters.price_min is not None:
        q &= Q(**{f"{name}__gte": filters.price_min})
    if filters.price_max is not None:
        q &= Q(**{f"{name}__lte": filters.price_max})
    return q


def _product_has_values(value_ids: Sequence[int], product=None) -> Exists:
    return Exists(
        ProductAttributeValue.objects.filter(product=product or OuterRef("pk"), value_id__in=list(value_ids))
    )


def variant_matches_q(filters: ProductFilters, *, base_price=None) -> Q:
    """An active variant that by itself satisfies the variant-level filters: every attribute filter
    (through the variant's values or its product's own), in stock when `in_stock=true`, and its selling
    price within the price bounds. `base_price`: see models.effective_price_expression."""
    q = Q(is_active=True)
    through = ProductVariant.attribute_values.through
    for value_ids in filters.attribute_value_ids:
        on_variant = through.objects.filter(productvariant=OuterRef("pk"), attributevalue_id__in=list(value_ids))
        q &= Q(Exists(on_variant)) | Q(_product_has_values(value_ids, product=OuterRef("product_id")))
    if filters.in_stock is True:
        q &= VARIANT_IN_STOCK
    if _has_price_bounds(filters):
        price = effective_price_expression(base_price)
        if filters.price_min is not None:
            q &= Q(GreaterThanOrEqual(price, Value(filters.price_min, output_field=MONEY_OUTPUT)))
        if filters.price_max is not None:
            q &= Q(LessThanOrEqual(price, Value(filters.price_max, output_field=MONEY_OUTPUT)))
    return q


def product_level_q(filters: ProductFilters) -> Q:
    """The filters a product satisfies on its own: live, category, type, search, `in_stock=false`."""
    q = Q(live=True)
    if filters.category_ids is not None:
        q &= Q(category_id__in=list(filters.category_ids))
    if filters.product_type_id is not None:
        q &= Q(product_type_id=filters.product_type_id)
    if filters.in_stock is False:
        q &= ~Q(product_in_stock_expression())
    if filters.search:
        q &= Q(id__in=list(search_resolved(filters).search_ids))
    return q


def product_search_ids(*, query: str, limit: int = SEARCH_MAX_RESULTS) -> tuple[int, ...]:
    """Live products matching `query`, most relevant first, through Wagtail's search backend.

    On PostgreSQL the database backend ranks with full-text search over Product.search_fields (name,
    then category path and attribute words, then description; stemmed); on SQLite it falls back to
    plain matching. An Elasticsearch or OpenSearch backend configured in WAGTAILSEARCH_BACKENDS is
    used as it is.
    """
    backend = get_search_backend()
    live = Product.objects.filter(live=True)
    if type(backend).__module__.startswith(_IDS_ONLY_SEARCH_BACKENDS):
        # PostgreSQL's full-text backend ranks in SQL and can return the ids themselves: building a
        # Product (a ClusterableModel, ~30 us each) for each of up to 1,000 hits was most of a search.
        # values_list on the backend's own queryset (same WHERE and ORDER BY) also leaves out the
        # `title || body` tsvector it annotates: built for every match, sent and parsed for each of
        # the 1,000 rows (the GIN index that answers the match: catalog migration 0005)
        results = backend.search(query, live, order_by_relevance=True)[:limit]
        if not hasattr(results, "get_queryset"):  # an empty query: the backend answers with no SQL
            return ()
        return tuple(dict.fromkeys(results.get_queryset().values_list("pk", flat=True)))
    results = backend.search(query, live.only("id"), order_by_relevance=True)[:limit]
    return tuple(dict.fromkeys(product.pk for product in results))


# search backends known to answer a values_list queryset with its values, in relevance order
_IDS_ONLY_SEARCH_BACKENDS = ("modelsearch.backends.database.postgres",)


def search_resolved(filters: ProductFilters) -> ProductFilters:
    """The filters with `search_ids` looked up once (every later query of the request reuses them)."""
    if not filters.search or filters.search_ids is not None:
        return filters
    return replace(filters, search_ids=product_search_ids(query=filters.search))


def search_rank_expression(filters: ProductFilters):
    """A product's position in the search answer (0 = best), for ORDER BY."""
    ids = search_resolved(filters).search_ids or ()
    whens = [When(id=product_id, then=Value(position)) for position, product_id in enumerate(ids)]
    return Case(*whens, default=Value(len(ids)), output_field=IntegerField()) if whens else Value(0)


def product_matches_q(filters: ProductFilters) -> Q:
    """A product matching every filter. Attribute, stock and price filters match per variant: one
    active variant must satisfy them all together (`size=s&color=black&in_stock=true` wants a variant
    that is S, black and in stock). A product without active variants matches through its own
    attribute values and base price, and is never in stock."""
    q = product_level_q(filters)
    if not _has_variant_conditions(filters):
        return q
    active = ProductVariant.objects.of_outer_product()
    by_variant = Q(Exists(active.filter(variant_matches_q(filters, base_price=OuterRef("base_price")))))
    if filters.in_stock is True:
        return q & by_variant
    without_variants = ~Q(Exists(active)) & _price_bounds_q("base_price", filters)
    for value_ids in filters.attribute_value_ids:
        without_variants &= Q(_product_has_values(value_ids))
    return q & (by_variant | without_variants)


def live_products_filtered(*, filters: ProductFilters) -> QuerySet:
    """Live products matching the filters, without annotations (what the count needs)."""
    return Product.objects.filter(product_matches_q(search_resolved(filters)))


LIST_ROW_FIELDS = (
    "id",
    "name",
    "slug",
    "product_type__slug",
    "category__slug",
    "category__name",
    "price_min",
    "price_max",
    "in_stock",
    "rating_avg",
    "rating_count",
    "image_id",
)


def product_list_count(*, filters: ProductFilters) -> int:
    filters = search_resolved(filters)
    if (index := list_index_for(filters)) is not None:
        return index.count(filters)
    if connection.vendor == "postgresql":
        return list_sql.product_count_sql(filters=filters)
    return live_products_filtered(filters=filters).count()


@dataclass(frozen=True)
class ProductListPage:
    count: int  # every matching product, not just this page
    rows: list[dict]


def product_list_page(*, filters: ProductFilters, ordering: str, offset: int, limit: int) -> ProductListPage:
    """One page of live products and the total count, usually in two queries.

    The count rides on the page query (an uncorrelated scalar subquery, computed once), so a page
    with rows costs one round trip for rows and count plus one for the thumbnails. Only an empty
    page (no match, or past the end) asks for the count on its own.
    """
    filters = search_resolved(filters)
    rows = product_list_rows(filters=filters, ordering=ordering, offset=offset, limit=limit, with_count=True)
    count = rows[0]["total_count"] if rows else product_list_count(filters=filters)
    return ProductListPage(count=count, rows=rows)


def product_list_rows(
    *, filters: ProductFilters, ordering: str, offset: int, limit: int, with_count: bool = False
) -> list[dict]:
    """One page of list rows as plain dicts (see LIST_ROW_FIELDS), plus `thumbnail_url` (or None)
    and, `with_count`, `total_count` (the number of matching products) on every row.

    Two queries at most: the page's cards, and the thumbnails' renditions (skipped when no product
    on the page has an image, or when their URLs are memoised for this catalogue version). The
    in-memory list engine picks the page's ids (list_index.py); without it (switched off, too large,
    a filter it does not index) the page is one hand-written statement on PostgreSQL (list_sql.py: the
    ORM's Python cost was ten times the SQL's) and the ORM's query elsewhere.
    """
    filters = search_resolved(filters)
    if ordering == "relevance" and not filters.search:
        ordering = DEFAULT_PRODUCT_ORDERING  # nothing to rank by
    if (index := list_index_for(filters)) is not None:
        ids, total = index.page(filters, ordering=ordering, offset=offset, limit=limit)
        rows = product_card_rows(ids=ids)
        if with_count:
            for row in rows:
                row["total_count"] = total
    elif connection.vendor == "postgresql":
        rows = list_sql.product_page_rows_sql(
            filters=filters, ordering=ordering, offset=offset, limit=limit, with_count=with_count
        )
    else:
        rows = _product_list_rows_orm(filters=filters, ordering=ordering, offset=offset, limit=limit, with_count=with_count)
    thumbnails = image_rendition_urls(
        image_ids={row["image_id"] for row in rows if row["image_id"]}, specs=(LIST_THUMBNAIL_SPEC,)
    )
    for row in rows:
        row["thumbnail_url"] = thumbnails.get(row["image_id"], {}).get(LIST_THUMBNAIL_SPEC)
    return rows


def product_card_rows(*, ids: Sequence[int]) -> list[dict]:
    """The list rows (LIST_ROW_FIELDS) of these live products, in the order given; one query."""
    if connection.vendor == "postgresql":
        return list_sql.product_card_rows_sql(ids=ids)
    rows = {row["id"]: row for row in Product.objects.filter(live=True, id__in=list(ids)).cards().values(*LIST_ROW_FIELDS)}
    return [rows[i] for i in ids if i in rows]


def _product_list_rows_orm(
    *, filters: ProductFilters, ordering: str, offset: int, limit: int, with_count: bool
) -> list[dict]:
    """The page query through the ORM (SQLite, and the reference list_sql.py is tested against)."""
    order_by = PRODUCT_ORDERINGS[ordering]
    # Deferred join: pick the page's ids first (an inner SELECT with ORDER BY/LIMIT/OFFSET), then
    # annotate only those rows. Otherwise PostgreSQL computes the price and stock subqueries for
    # every row it skips, and page 200 costs 200 times page 1. Still one query.
    page_ids = live_products_filtered(filters=filters)
    if ordering in ("price", "-price"):
        page_ids = page_ids.annotate(price_min=product_price_min_expression())
    if ordering == "relevance":
        page_ids = page_ids.annotate(search_rank=search_rank_expression(filters))
    page_ids = page_ids.order_by(*order_by).values("id")[offset : offset + limit]

    annotations = {"search_rank": search_rank_expression(filters)} if ordering == "relevance" else {}
    fields = LIST_ROW_FIELDS
    if with_count:
        # COUNT as a plain function, not an aggregate: no GROUP BY, one number for the whole filter
        count_all = (
            live_products_filtered(filters=filters)
            .order_by()
            .annotate(total=Func(F("id"), function="COUNT", output_field=IntegerField()))
            .values("total")
        )
        annotations["total_count"] = Subquery(count_all, output_field=IntegerField())
        fields = (*fields, "total_count")
    return list(
        Product.objects.filter(id__in=Subquery(page_ids))
        .cards()
        .annotate(**annotations)
        .order_by(*order_by)
        .values(*fields)
    )


# {image id: {spec: url}} already looked up in this process, for the catalogue version it was read
# under: a list page's thumbnails cost a dict lookup instead of a query and a storage.url() per image.
# A changed image or image file bumps the version (signals.py), which empties the memo. Bounded, since
# a large catalogue could otherwise fill a worker's memory with URLs.
_rendition_memo: dict = {"version": None, "urls": {}}
RENDITION_MEMO_MAX_IMAGES = 20_000


def image_rendition_urls(*, image_ids: Iterable[int], specs: Sequence[str]) -> dict[int, dict[str, str]]:
    """{image id: {spec: url}}: from the per-version memo, else `image_rendition_urls_lookup`."""
    image_ids = set(image_ids)
    if not image_ids:
        return {}
    version = catalog_version()
    memo = _rendition_memo
    if memo["version"] != version or len(memo["urls"]) > RENDITION_MEMO_MAX_IMAGES:
        memo = {"version": version, "urls": {}}
        _rendition_memo.update(memo)  # one dict for every thread; a race only costs a lookup
    known: dict[int, dict[str, str]] = memo["urls"]
    urls: dict[int, dict[str, str]] = {}
    missing = set()
    for image_id in image_ids:
        entry = known.get(image_id)
        if entry is not None and all(spec in entry for spec in specs):
            urls[image_id] = {spec: entry[spec] for spec in specs}
        else:
            missing.add(image_id)
    if missing:
        for image_id, found in image_rendition_urls_lookup(image_ids=missing, specs=specs).items():
            urls[image_id] = found
            known[image_id] = {**known.get(image_id, {}), **found}
    return urls


def image_rendition_urls_lookup(*, image_ids: Iterable[int], specs: Sequence[str]) -> dict[int, dict[str, str]]:
    """{image id: {spec: url}}, normally in one query of plain values.

    Wagtail's own `get_renditions` needs full Image instances and their prefetched renditions (two
    queries and a model object per image); the list only needs each rendition's file name. A stored
    rendition is used when its focal point key matches the image's current focal point, exactly as
    Wagtail decides; any rendition not generated yet is generated here, once, through Wagtail.
    """
    image_ids = set(image_ids)
    if not image_ids:
        return {}
    image_model = get_image_model()
    rendition_model = image_model.get_rendition_model()
    filters = {spec: Filter(spec=spec) for spec in specs}
    vary_fields = sorted({f for flt in filters.values() for op in flt.operations for f in getattr(op, "vary_fields", ())})
    storage = rendition_model._meta.get_field("file").storage

    urls: dict[int, dict[str, str]] = {image_id: {} for image_id in image_ids}
    rows = rendition_model.objects.filter(image_id__in=image_ids, filter_spec__in=list(filters)).values(
        "image_id", "filter_spec", "file", "focal_point_key", *[f"image__{f}" for f in vary_fields]
    )
    for row in rows:
        image_focus = SimpleNamespace(**{f: row[f"image__{f}"] for f in vary_fields})
        if row["focal_point_key"] == filters[row["filter_spec"]].get_cache_key(image_focus):
            urls[row["image_id"]][row["filter_spec"]] = storage.url(row["file"])

    incomplete = [image_id for image_id, found in urls.items() if len(found) < len(filters)]
    if incomplete:
        for image in image_model.objects.filter(id__in=incomplete):
            urls[image.id] = {spec: r.url for spec, r in renditions_or_empty(image, *specs).items()}
    return urls


# --- Product detail -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProductDetail:
    product: Product
    attributes: list[dict]
    images: list[dict]
    variants: list[ProductVariant]
    category_path: list[CategoryNode]
    price_min: Decimal
    price_max: Decimal
    in_stock: bool


def product_id_for_slug(*, slug: str) -> int | None:
    """The id of the live product with this slug (a per-version cached map: no query when warm)."""
    ids = cached_for_version("product-id-by-slug", lambda: dict(Product.objects.filter(live=True).values_list("slug", "id")))
    return ids.get(slug)


def product_detail_get(*, slug: str) -> ProductDetail | None:
    """A live product with everything its page shows, in a fixed number of queries; None if not live.

    On PostgreSQL the same rows come from one round trip of plain SQL (detail_sql.py: whole rows, as
    the instances below, for ~1/10 of the ORM's Python time); elsewhere from the ORM.
    """
    if connection.vendor == "postgresql":
        rows = detail_sql.product_detail_rows_sql(slug=slug)
        return None if rows is None else product_detail_build(*rows)
    return product_detail_get_orm(slug=slug)


def product_detail_get_orm(*, slug: str) -> ProductDetail | None:
    """`product_detail_get` through the ORM: the portable path, and the reference of the SQL one's parity test."""
    product = (
        Product.objects.filter(live=True, slug=slug)
        .select_related("product_type", "category")
        .prefetch_related(
            Prefetch(
                "attribute_values",
                queryset=ProductAttributeValue.objects.select_related("attribute", "value").order_by(
                    "attribute__sort_order", "attribute__name", "sort_order", "id"
                ),
            ),
            Prefetch("images", queryset=ProductImage.objects.order_by("sort_order", "id")),
            Prefetch(
                "variants",
                queryset=ProductVariant.objects.filter(is_active=True)
                .order_by("sort_order", "id")
                .prefetch_related(
                    Prefetch(
                        "attribute_values",
                        queryset=AttributeValue.objects.select_related("attribute").order_by(
                            "attribute__sort_order", "sort_order"
                        ),
                    )
                ),
            ),
        )
        .first()
    )
    if product is None:
        return None
    return product_detail_build(
        product, list(product.attribute_values.all()), list(product.images.all()), list(product.variants.all())
    )


def product_detail_build(
    product: Product,
    attribute_values: list[ProductAttributeValue],
    product_images: list[ProductImage],
    variants: list[ProductVariant],
) -> ProductDetail:
    """The page's derived figures (attribute groups, image URLs, price range, stock) from its rows."""
    attributes: dict[int, dict] = {}
    for pav in attribute_values:
        entry = attributes.setdefault(
            pav.attribute_id, {"name": pav.attribute.name, "slug": pav.attribute.slug, "values": []}
        )
        entry["values"].append(pav.display_value)

    urls = image_rendition_urls(image_ids={pi.image_id for pi in product_images}, specs=DETAIL_IMAGE_SPECS)
    # image_id: the site's gallery makes its own renditions of the same pictures
    images = [{"image_id": pi.image_id, "alt": pi.alt_text, "urls": urls.get(pi.image_id, {})} for pi in product_images]

    # an unsaved preview may have no price yet
    base_price = product.base_price if product.base_price is not None else Decimal("0.00")
    price_min, price_max = price_range([effective_price(v.price, base_price) for v in variants], base_price)
    return ProductDetail(
        product=product,
        attributes=list(attributes.values()),
        images=images,
        variants=variants,
        category_path=category_index_get().path(product.category_id),
        price_min=price_min,
        price_max=price_max,
        in_stock=any(v.stock_available > 0 for v in variants),
    )


def product_preview_detail(*, product: Product) -> ProductDetail:
    """The product page's data for an unsaved or draft product (Wagtail preview), built like the live page's.

    Attribute values and images come from the in-memory cluster (the form or revision being
    previewed); variants are not on revisions, so they are the saved ones, if any.
    """
    variants = (
        list(
            ProductVariant.objects.filter(product_id=product.pk, is_active=True)
            .order_by("sort_order", "id")
            .prefetch_related("attribute_values__attribute")
        )
        if product.pk
        else []
    )
    return product_detail_build(
        product,
        list(product.attribute_values.all()),
        [pi for pi in product.images.all() if pi.image_id],
        variants,
    )


def product_first_image_ids(*, product_ids) -> dict[int, int]:
    """{product id: its first image id} for the products that have a picture (one query)."""
    first: dict[int, int] = {}
    rows = (
        ProductImage.objects.filter(product_id__in=set(product_ids))
        .order_by("product_id", "sort_order", "id")
        .values_list("product_id", "image_id")
    )
    for product_id, image_id in rows:
        first.setdefault(product_id, image_id)
    return first
