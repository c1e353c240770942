"""The EAV catalogue.

A ProductType names which attributes describe its products and which ones make variants. Products
carry drafts, revisions, preview and scheduled publishing; their attribute values and images ride on
revisions as ParentalKey children. Variants do not: order lines point at them and Wagtail deletes and
recreates ParentalKey children on publish, so a variant has an ordinary foreign key to its product and
is edited on its own screen.
"""

import re
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, F, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, Orderable, PreviewableMixin, RevisionMixin
from wagtail.search import index

MONEY = {"max_digits": 12, "decimal_places": 2}
MONEY_OUTPUT = models.DecimalField(**MONEY)


# --- Price and availability: the one definition every reader uses ----------------------------------
# A variant without its own price sells at its product's base price; what can be ordered now is what
# is on hand less what orders hold; a variant is in stock when that is above zero; a product's price
# range is over its active variants (its base price when it has none) and it is in stock when one of
# its active variants is. The SQL forms below and the Python forms beside them say the same thing;
# `test_price_and_availability_definitions_agree` (tests/test_definitions.py) holds them together.


def effective_price(price: Decimal | None, base_price: Decimal) -> Decimal:
    """A variant's selling price from its own price (or None) and its product's base price."""
    return price if price is not None else base_price


def available_quantity(stock_on_hand: int, stock_allocated: int) -> int:
    """Units of a variant that can be ordered now."""
    return max(stock_on_hand - stock_allocated, 0)


def price_range(selling_prices: list[Decimal], base_price: Decimal) -> tuple[Decimal, Decimal]:
    """A product's cheapest and dearest selling price over its active variants' selling prices; its
    base price when it has no active variant (the Python form of the card's price range below)."""
    return (min(selling_prices), max(selling_prices)) if selling_prices else (base_price, base_price)


def effective_price_expression(base_price=None):
    """The SQL form of `effective_price` over variant rows. `base_price` defaults to the joined
    product's; inside a subquery correlated to a product pass `OuterRef("base_price")` (no join)."""
    return Coalesce(F("price"), base_price if base_price is not None else F("product__base_price"), output_field=MONEY_OUTPUT)


def available_quantity_expression():
    """The SQL form of `available_quantity` over variant rows."""
    return Greatest(F("stock_on_hand") - F("stock_allocated"), 0)


# a variant row with something to sell (the SQL form of `available_quantity(...) > 0`)
VARIANT_IN_STOCK = Q(stock_on_hand__gt=F("stock_allocated"))


class ProductVariantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_stock(self):
        return self.filter(VARIANT_IN_STOCK)

    def with_effective_price(self, base_price=None):
        return self.annotate(selling_price=effective_price_expression(base_price))  # the property is effective_price

    def with_available(self):
        return self.annotate(available=available_quantity_expression())

    def low_stock(self):
        """Active variants of live products whose available stock is at or below their low-stock
        threshold (their own, else SHOP_LOW_STOCK_THRESHOLD), fewest first, annotated with `available`
        and `threshold`: the one rule the dashboard, its report and the managers' digest share."""
        threshold = Coalesce("low_stock_threshold", Value(settings.SHOP_LOW_STOCK_THRESHOLD))
        return (
            self.filter(is_active=True, product__live=True)
            .with_available()
            .annotate(threshold=threshold)
            .filter(available__lte=F("threshold"))
            .order_by("available", "sku")
        )

    def of_outer_product(self):
        """The active variants of the product row `OuterRef("pk")` (for correlated subqueries)."""
        return self.filter(product=OuterRef("pk"), is_active=True)


def _variant_price_aggregate(aggregate):
    variants = ProductVariant.objects.of_outer_product().order_by().values("product")
    return Subquery(
        variants.annotate(value=aggregate(effective_price_expression(OuterRef("base_price")))).values("value")[:1],
        output_field=MONEY_OUTPUT,
    )


def product_price_min_expression():
    """A product's lowest selling price (its base price when it has no active variant)."""
    return Coalesce(_variant_price_aggregate(Min), F("base_price"), output_field=MONEY_OUTPUT)


def product_price_max_expression():
    return Coalesce(_variant_price_aggregate(Max), F("base_price"), output_field=MONEY_OUTPUT)


def product_in_stock_expression() -> Exists:
    """Some active variant of the product has stock available."""
    return Exists(ProductVariant.objects.of_outer_product().filter(VARIANT_IN_STOCK))


class ProductQuerySet(models.QuerySet):
    def live(self):
        return self.filter(live=True)

    def with_price_range(self):
        return self.annotate(price_min=product_price_min_expression(), price_max=product_price_max_expression())

    def with_in_stock(self):
        return self.annotate(in_stock=product_in_stock_expression())

    def with_first_image(self):
        first = ProductImage.objects.filter(product=OuterRef("pk")).order_by("sort_order", "id").values("image_id")[:1]
        return self.annotate(image_id=Subquery(first))

    def cards(self):
        """What a product card shows (price range, stock flag, first image): the one card query."""
        return self.with_price_range().with_in_stock().with_first_image()


class Category(models.Model):
    """A node of the category tree (adjacency list; the tree is small and read whole, see selectors)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sort_order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    seo_title = models.CharField(max_length=255, blank=True)
    search_description = models.TextField(blank=True)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name_plural = "categories"
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("id")), name="catalog_category_not_own_parent"),
        ]

    def __str__(self):
        return self.name


class Attribute(ClusterableModel):
    class Type(models.TextChoices):
        CHOICE = "choice", "Choice"
        MULTI_CHOICE = "multi_choice", "Multiple choice"
        TEXT = "text", "Text"
        NUMBER = "number", "Number"
        BOOLEAN = "boolean", "Yes / no"

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True, help_text="Also the API filter name: ?size=m")
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.CHOICE)
    unit = models.CharField(max_length=20, blank=True, help_text="For numbers, e.g. kg, GB, cm")
    filterable = models.BooleanField(default=True, help_text="Offer this attribute as a filter")
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self):
        return self.name

    @property
    def has_choices(self) -> bool:
        return self.type in (self.Type.CHOICE, self.Type.MULTI_CHOICE)


class AttributeValue(Orderable):
    attribute = ParentalKey(Attribute, on_delete=models.CASCADE, related_name="values")
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100)
    code = models.CharField(
        max_length=12, help_text="Short code used in SKUs, e.g. RED or XL (letters and digits)"
    )

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["attribute", "slug"], name="catalog_attrvalue_unique_slug"),
            models.UniqueConstraint(fields=["attribute", "code"], name="catalog_attrvalue_unique_code"),
        ]

    def __str__(self):
        return self.name


class ProductType(ClusterableModel):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    is_shipping_required = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def product_attributes(self):
        return [a.attribute for a in self.attribute_links.all() if a.role == ProductTypeAttribute.Role.PRODUCT]

    def variant_attributes(self):
        return [a.attribute for a in self.attribute_links.all() if a.role == ProductTypeAttribute.Role.VARIANT]


class ProductTypeAttribute(Orderable):
    """An attribute of a product type, in order: the variant attributes' order is the SKU's order."""

    class Role(models.TextChoices):
        PRODUCT = "product", "Describes the product"
        VARIANT = "variant", "Makes variants"

    product_type = ParentalKey(ProductType, on_delete=models.CASCADE, related_name="attribute_links")
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="product_type_links")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.PRODUCT)

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["product_type", "attribute"], name="catalog_producttype_attribute_once"
            )
        ]

    def __str__(self):
        return f"{self.product_type}: {self.attribute} ({self.role})"


_SKU_PREFIX_UNSAFE = re.compile(r"[^A-Z0-9]+")


def sku_prefix_from_name(name: str) -> str:
    """A short SKU prefix from a product name: initials of the first words and the last word,
    e.g. "Classic Tee" -> "CTEE", "Mug" -> "MUG"; at most 12 characters, never empty."""
    words = [w for w in _SKU_PREFIX_UNSAFE.split(name.upper()) if w]
    if not words:
        return "ITEM"
    prefix = "".join(w[0] for w in words[:-1]) + words[-1][:6]
    return prefix[:12]


class Product(DraftStateMixin, RevisionMixin, PreviewableMixin, index.Indexed, ClusterableModel):
    product_type = models.ForeignKey(ProductType, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    sku_code = models.CharField(
        "SKU prefix",
        max_length=12,
        blank=True,
        help_text="Start of every variant SKU, e.g. CTEE gives CTEE-S-RED. Left empty, it is made from the name.",
    )
    description = RichTextField(blank=True)
    base_price = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])
    is_featured = models.BooleanField(default=False)
    seo_title = models.CharField(max_length=255, blank=True)
    search_description = models.TextField(blank=True)
    # Kept by the reviews services from approved reviews only.
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=Decimal("0.00"), editable=False)
    rating_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductQuerySet.as_manager()

    # Weighted for relevance: the name counts most, then the words of its category path and its
    # attribute values ("T-shirts", "coffee", "black"), then the description. The database backend turns
    # the boosts into PostgreSQL's A-D weights (stemmed with SEARCH_CONFIG); an Elasticsearch or
    # OpenSearch backend reads the same declarations. signals.py keeps the index current when a
    # variant or a category changes, not only the product.
    search_fields = [
        index.SearchField("name", boost=10),
        index.AutocompleteField("name"),
        index.SearchField("search_category_words", boost=5),
        index.SearchField("search_attribute_words", boost=5),
        index.SearchField("description", boost=1),
        index.FilterField("live"),
        index.FilterField("category_id"),
    ]

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["live", "name"]),
            models.Index(fields=["live", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(base_price__gte=0), name="catalog_product_price_not_negative"),
        ]
        permissions = [("change_product_price", "Can change product and variant prices")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # a product never reaches variant generation without its SKU prefix (no more "P49-S-RED")
        if not self.sku_code.strip():
            self.sku_code = sku_prefix_from_name(self.name)
        else:
            self.sku_code = _SKU_PREFIX_UNSAFE.sub("", self.sku_code.upper())[:12] or sku_prefix_from_name(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("shop-product", kwargs={"slug": self.slug})

    def search_category_words(self) -> str:
        """The names of the product's category and its ancestors, for the search index."""
        names, category, seen = [], self.category, set()
        while category is not None and category.pk not in seen:
            seen.add(category.pk)
            names.append(category.name)
            category = category.parent
        return " ".join(names)

    def search_attribute_words(self) -> str:
        """The product's own attribute values and those of its active variants, for the search index."""
        words = [pav.display_value for pav in self.attribute_values.all()]
        if self.pk:  # through variants.all(): prefetched when the whole index is rebuilt
            words += [value.name for v in self.variants.all() if v.is_active for value in v.attribute_values.all()]
        return " ".join(dict.fromkeys(words))

    @classmethod
    def get_indexed_objects(cls):
        # update_index reads every product's search words: fetch them in bulk, not per product
        return (
            super()
            .get_indexed_objects()
            .select_related("category__parent__parent")
            .prefetch_related("attribute_values__attribute", "attribute_values__value", "variants__attribute_values")
        )

    def get_preview_template(self, request, mode_name):
        return "catalog/product_detail.html"

    def get_preview_context(self, request, mode_name):
        # the same template and context shape as the live product page (storefront.catalogue.views)
        from .selectors import product_preview_detail

        context = super().get_preview_context(request, mode_name)
        context.update({"product": self, "detail": product_preview_detail(product=self), "is_preview": True})
        return context


class ProductAttributeValue(Orderable):
    """A product-level attribute value. Multiple choice is one row per chosen value."""

    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="attribute_values")
    attribute = models.ForeignKey(Attribute, on_delete=models.PROTECT, related_name="+")
    value = models.ForeignKey(
        AttributeValue, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    value_text = models.CharField(max_length=255, blank=True)
    value_number = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    value_boolean = models.BooleanField(null=True, blank=True)

    def __str__(self):
        return f"{self.attribute}: {self.display_value}"

    @property
    def display_value(self) -> str:
        if self.value_id:
            return self.value.name
        if self.value_number is not None:
            number = self.value_number.normalize()
            return f"{number:f} {self.attribute.unit}".strip()
        if self.value_boolean is not None:
            return "Yes" if self.value_boolean else "No"
        return self.value_text


class ProductImage(Orderable):
    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ForeignKey("wagtailimages.Image", on_delete=models.CASCADE, related_name="+")
    alt_text = models.CharField(max_length=255, blank=True)

    def __str__(self):
        return self.alt_text or str(self.image)


class ProductVariant(models.Model):
    """A sellable combination of variant attribute values, with its own SKU, price and stock."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField("SKU", max_length=64, unique=True)
    attribute_values = models.ManyToManyField(AttributeValue, blank=True, related_name="variants")
    # Sorted ids of the attribute values: makes "one variant per combination" a database rule.
    combination_key = models.CharField(max_length=255, blank=True, editable=False)
    price = models.DecimalField(
        **MONEY, null=True, blank=True, help_text="Leave empty to use the product's base price"
    )
    stock_on_hand = models.IntegerField(default=0)
    stock_allocated = models.IntegerField(default=0, editable=False)
    weight = models.DecimalField("weight (kg)", max_digits=8, decimal_places=3, null=True, blank=True)
    low_stock_threshold = models.PositiveIntegerField(
        null=True, blank=True,
        help_text="Alert when available stock falls to this; empty uses the shop default (SHOP_LOW_STOCK_THRESHOLD)",
    )
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProductVariantQuerySet.as_manager()

    class Meta:
        ordering = ["product_id", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "combination_key"], name="catalog_variant_unique_combination"),
            models.CheckConstraint(condition=Q(stock_on_hand__gte=0), name="catalog_variant_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(stock_allocated__gte=0), name="catalog_variant_allocated_not_negative"),
            models.CheckConstraint(
                condition=Q(stock_allocated__lte=F("stock_on_hand")), name="catalog_variant_allocated_within_on_hand"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gte=0), name="catalog_variant_price_not_negative"
            ),
        ]

    def __str__(self):
        return self.sku

    @property
    def effective_price(self) -> Decimal:
        return effective_price(self.price, self.product.base_price)

    @property
    def stock_available(self) -> int:
        return available_quantity(self.stock_on_hand, self.stock_allocated)

    @staticmethod
    def combination_key_for(value_ids) -> str:
        return "-".join(str(i) for i in sorted(value_ids))
