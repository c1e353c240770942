"""Demo catalogue for `manage.py seed_demo`: attributes, product types, a two-level category tree and
~50 products with generated pictures, variants, prices and stock; plus shipping, tax and the demo admin.

Every function is idempotent: rows are found by their slug / code / email and only created when
missing, and an existing product is left exactly as it is (an editor may have changed it), so a second
run changes nothing. Variants are made by the same service the admin uses (variants_generate) and
priced through variants_update.
"""

import hashlib
import io
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils.text import slugify
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.images import get_image_model
from wagtail.models import ReferenceIndex
from wagtail.signal_handlers import disable_reference_index_auto_update

from commerce.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductAttributeValue,
    ProductImage,
    ProductType,
    ProductTypeAttribute,
)
from commerce.catalog.services import variants_generate, variants_update
from commerce.orders.models import ShippingMethod, ShippingZone, TaxRate

DEMO_ADMIN_EMAIL = "admin@cartwheel.test"
DEMO_ADMIN_PASSWORD = "cartwheel-demo"  # demo only; stated in the README

# --- Attributes and product types -------------------------------------------------------------

# slug: (name, type, unit, filterable, [(value name, code)])
ATTRIBUTES = {
    "size": ("Size", Attribute.Type.CHOICE, "", True, [("XS", "XS"), ("S", "S"), ("M", "M"), ("L", "L"), ("XL", "XL")]),
    "color": (
        "Color",
        Attribute.Type.CHOICE,
        "",
        True,
        [("Black", "BLK"), ("White", "WHT"), ("Red", "RED"), ("Navy", "NAVY"), ("Green", "GRN"), ("Grey", "GRY")],
    ),
    "material": ("Material", Attribute.Type.TEXT, "", False, []),
    "storage": ("Storage", Attribute.Type.CHOICE, "", True, [("64 GB", "64"), ("128 GB", "128"), ("256 GB", "256")]),
    "brand": (
        "Brand",
        Attribute.Type.CHOICE,
        "",
        True,
        [("Northwind", "NW"), ("Fabrikam", "FAB"), ("Contoso", "CTS"), ("Tailspin", "TSP")],
    ),
    "warranty": ("Warranty", Attribute.Type.NUMBER, "years", False, []),
    "weight": ("Weight", Attribute.Type.CHOICE, "", True, [("100 g", "100G"), ("250 g", "250G"), ("500 g", "500G"), ("1 kg", "1KG")]),
    "dietary": (
        "Dietary",
        Attribute.Type.MULTI_CHOICE,
        "",
        True,
        [("Vegan", "VEG"), ("Gluten-free", "GF"), ("Organic", "ORG"), ("Fair trade", "FT")],
    ),
}

# slug: (name, shipping required, [(attribute slug, role)] in order)
PRODUCT_TYPES = {
    "clothing": ("Clothing", True, [("size", "variant"), ("color", "variant"), ("material", "product")]),
    "electronics": (
        "Electronics",
        True,
        [("storage", "variant"), ("color", "variant"), ("brand", "product"), ("warranty", "product")],
    ),
    "audio": ("Audio", True, [("color", "variant"), ("brand", "product"), ("warranty", "product")]),
    "food": ("Food", True, [("weight", "variant"), ("dietary", "product")]),
}

# root slug: (name, description, [(child slug, child name)])
CATEGORIES = {
    "apparel": ("Apparel", "Everyday clothes in soft, durable fabrics.", [("t-shirts", "T-shirts"), ("hoodies", "Hoodies")]),
    "electronics": ("Electronics", "Phones and sound, with a two-year warranty.", [("phones", "Phones"), ("audio", "Audio")]),
    "grocery": ("Grocery", "Small-batch coffee and snacks for the pantry.", [("coffee", "Coffee"), ("snacks", "Snacks")]),
}


@dataclass(frozen=True)
class DemoProduct:
    name: str
    type_slug: str
    category_slug: str
    sku_code: str
    base_price: Decimal
    description: str
    # product attribute answers: attribute slug -> value name(s), text or number
    attributes: dict = field(default_factory=dict)
    # variant attribute slug -> value names to combine
    variant_values: dict = field(default_factory=dict)
    # price added per variant value name (e.g. bigger storage costs more)
    surcharges: dict = field(default_factory=dict)
    is_featured: bool = False
    sold_out: bool = False


def _tees() -> list[DemoProduct]:
    items = [
        ("Classic Crew Tee", "CREW", "19.00", "100% cotton", ["Black", "White", "Navy"]),
        ("Organic Cotton Tee", "OTEE", "24.00", "100% organic cotton", ["White", "Green", "Grey"]),
        ("Heavyweight Tee", "HVY", "29.00", "240 g/m² cotton", ["Black", "Grey"]),
        ("Striped Breton Tee", "BRET", "32.00", "Cotton jersey", ["Navy", "Red"]),
        ("Pocket Tee", "PCKT", "22.00", "Cotton / polyester", ["Black", "Green", "Red"]),
        ("Long Sleeve Tee", "LSTEE", "27.00", "100% cotton", ["White", "Black"]),
        ("V-Neck Tee", "VNECK", "21.00", "Modal blend", ["Grey", "Navy", "White"]),
        ("Slub Linen Tee", "SLUB", "35.00", "Linen / cotton", ["White", "Green"]),
        ("Graphic Cartwheel Tee", "GRAF", "26.00", "100% cotton", ["Black", "White", "Red"]),
        ("Merino Tee", "MERT", "59.00", "Merino wool", ["Black", "Grey"]),
    ]
    return [
        DemoProduct(
            name=name,
            type_slug="clothing",
            category_slug="t-shirts",
            sku_code=code,
            base_price=Decimal(price),
            description=f"<p>The {name.lower()}: a relaxed fit that keeps its shape wash after wash.</p>",
            attributes={"material": material},
            variant_values={"size": ["S", "M", "L"], "color": colors},
            surcharges={"XL": Decimal("2.00")},
            is_featured=i < 2,
            sold_out=i == 9,
        )
        for i, (name, code, price, material, colors) in enumerate(items)
    ]


def _hoodies() -> list[DemoProduct]:
    items = [
        ("Zip Hoodie", "ZIPH", "55.00", "Brushed cotton fleece", ["Black", "Grey", "Navy"]),
        ("Pullover Hoodie", "PULH", "49.00", "Cotton / polyester fleece", ["Grey", "Green"]),
        ("Heavy Fleece Hoodie", "FLCH", "69.00", "450 g/m² fleece", ["Black", "Navy"]),
        ("Lightweight Hoodie", "LITH", "45.00", "French terry", ["White", "Red", "Grey"]),
        ("Sherpa Lined Hoodie", "SHRP", "79.00", "Cotton, sherpa lining", ["Navy", "Black"]),
        ("Kids Hoodie", "KIDH", "35.00", "Organic cotton fleece", ["Red", "Green"]),
        ("Cropped Hoodie", "CROP", "47.00", "French terry", ["White", "Black"]),
        ("Tech Hoodie", "TECH", "89.00", "Recycled polyester", ["Black", "Grey"]),
    ]
    return [
        DemoProduct(
            name=name,
            type_slug="clothing",
            category_slug="hoodies",
            sku_code=code,
            base_price=Decimal(price),
            description=f"<p>{name}: warm without the bulk, with a roomy kangaroo pocket.</p>",
            attributes={"material": material},
            variant_values={"size": ["S", "M", "L", "XL"], "color": colors},
            surcharges={"XL": Decimal("3.00")},
            is_featured=i == 0,
        )
        for i, (name, code, price, material, colors) in enumerate(items)
    ]


def _phones() -> list[DemoProduct]:
    items = [
        ("Northwind One", "NW1", "399.00", "Northwind"),
        ("Northwind One Mini", "NW1M", "329.00", "Northwind"),
        ("Fabrikam Pixelate 8", "FP8", "549.00", "Fabrikam"),
        ("Fabrikam Pixelate 8 Pro", "FP8P", "749.00", "Fabrikam"),
        ("Contoso Edge", "CEDGE", "299.00", "Contoso"),
        ("Contoso Edge Plus", "CEDGP", "379.00", "Contoso"),
        ("Tailspin Fold", "TFOLD", "999.00", "Tailspin"),
    ]
    return [
        DemoProduct(
            name=name,
            type_slug="electronics",
            category_slug="phones",
            sku_code=code,
            base_price=Decimal(price),
            description=f"<p>{name}: all-day battery, a bright screen and a camera that handles the dark.</p>",
            attributes={"brand": brand, "warranty": Decimal("2")},
            variant_values={"storage": ["64 GB", "128 GB", "256 GB"], "color": ["Black", "White"]},
            surcharges={"128 GB": Decimal("50.00"), "256 GB": Decimal("120.00")},
            is_featured=i == 2,
        )
        for i, (name, code, price, brand) in enumerate(items)
    ]


def _audio() -> list[DemoProduct]:
    items = [
        ("Studio Headphones", "STHP", "149.00", "Fabrikam", ["Black", "White"]),
        ("Wireless Earbuds", "WEAR", "89.00", "Northwind", ["Black", "White", "Green"]),
        ("Portable Speaker", "PSPK", "69.00", "Contoso", ["Black", "Red", "Navy"]),
        ("Bookshelf Speakers", "BSPK", "229.00", "Tailspin", ["Black"]),
        ("Sport Earphones", "SPRT", "39.00", "Contoso", ["Red", "Black"]),
        ("Noise-cancelling Headphones", "NCHP", "279.00", "Northwind", ["Black", "Grey"]),
        ("Smart Speaker", "SMSP", "99.00", "Fabrikam", ["White", "Grey"]),
    ]
    return [
        DemoProduct(
            name=name,
            type_slug="audio",
            category_slug="audio",
            sku_code=code,
            base_price=Decimal(price),
            description=f"<p>{name} with clear highs, warm mids and a battery that lasts the week.</p>",
            attributes={"brand": brand, "warranty": Decimal("2")},
            variant_values={"color": colors},
            sold_out=i == 3,
        )
        for i, (name, code, price, brand, colors) in enumerate(items)
    ]


def _coffee() -> list[DemoProduct]:
    items = [
        ("House Espresso Beans", "HESP", "9.50", ["Fair trade"]),
        ("Ethiopia Yirgacheffe", "ETHY", "13.00", ["Organic", "Fair trade"]),
        ("Colombia Huila", "COLH", "11.50", ["Fair trade"]),
        ("Decaf Swiss Water", "DCAF", "10.50", ["Organic"]),
        ("Guatemala Antigua", "GUAT", "12.00", []),
        ("Cold Brew Blend", "CBRW", "10.00", ["Vegan"]),
        ("Sumatra Mandheling", "SUMA", "12.50", ["Organic"]),
    ]
    return [
        DemoProduct(
            name=name,
            type_slug="food",
            category_slug="coffee",
            sku_code=code,
            base_price=Decimal(price),
            description=f"<p>{name}, roasted this week in small batches. Whole beans.</p>",
            attributes={"dietary": ["Vegan", "Gluten-free", *tags]},
            variant_values={"weight": ["250 g", "500 g", "1 kg"]},
            surcharges={"500 g": Decimal(price) * Decimal("0.8"), "1 kg": Decimal(price) * Decimal("2.4")},
            is_featured=i == 1,
        )
        for i, (name, code, price, tags) in enumerate(items)
    ]


def _snacks() -> list[DemoProduct]:
    items = [
        ("Sea Salt Almonds", "ALMD", "4.50", ["Vegan", "Gluten-free"]),
        ("Dark Chocolate Bar 70%", "DC70", "3.90", ["Vegan", "Fair trade"]),
        ("Oat & Honey Granola", "GRAN", "5.50", ["Organic"]),
        ("Spicy Chickpeas", "CHKP", "3.50", ["Vegan", "Gluten-free"]),
        ("Dried Mango Slices", "MANG", "4.20", ["Vegan", "Organic"]),
        ("Salted Caramel Popcorn", "POPC", "2.90", ["Gluten-free"]),
        ("Trail Mix", "TRAL", "5.90", ["Vegan"]),
        ("Rice Crackers", "RICE", "2.50", ["Vegan", "Gluten-free"]),
    ]
    return [
        DemoProduct(
            name=name,
            type_slug="food",
            category_slug="snacks",
            sku_code=code,
            base_price=Decimal(price),
            description=f"<p>{name}: the afternoon snack, done properly.</p>",
            attributes={"dietary": tags},
            variant_values={"weight": ["100 g", "250 g"]},
            surcharges={"250 g": Decimal(price) * Decimal("1.2")},
        )
        for name, code, price, tags in items
    ]


def demo_products() -> list[DemoProduct]:
    return [*_tees(), *_hoodies(), *_phones(), *_audio(), *_coffee(), *_snacks()]


# --- Seeding steps ------------------------------------------------------------------------------


# Attribute order is display order (variant labels, filters): the "axis" attributes before Color, so a
# variant reads "M / Red" or "128 GB / Black", the same order as its SKU.
ATTRIBUTE_ORDER = ["size", "storage", "weight", "color", "brand", "material", "dietary", "warranty"]


def seed_attributes() -> dict[str, Attribute]:
    attributes = {}
    for slug, (name, kind, unit, filterable, values) in ATTRIBUTES.items():
        order = ATTRIBUTE_ORDER.index(slug)
        attribute, _ = Attribute.objects.get_or_create(
            slug=slug,
            defaults={"name": name, "type": kind, "unit": unit, "filterable": filterable, "sort_order": order},
        )
        for value_order, (value_name, code) in enumerate(values):
            AttributeValue.objects.get_or_create(
                attribute=attribute,
                slug=slugify(value_name),
                defaults={"name": value_name, "code": code, "sort_order": value_order},
            )
        attributes[slug] = attribute
    return attributes


def seed_product_types(attributes: dict[str, Attribute]) -> dict[str, ProductType]:
    product_types = {}
    for slug, (name, shipping, links) in PRODUCT_TYPES.items():
        product_type, _ = ProductType.objects.get_or_create(
            slug=slug, defaults={"name": name, "is_shipping_required": shipping}
        )
        for order, (attribute_slug, role) in enumerate(links):
            ProductTypeAttribute.objects.get_or_create(
                product_type=product_type,
                attribute=attributes[attribute_slug],
                defaults={"role": role, "sort_order": order},
            )
        product_types[slug] = product_type
    return product_types


def seed_categories() -> dict[str, Category]:
    categories = {}
    for order, (slug, (name, description, children)) in enumerate(CATEGORIES.items()):
        root, _ = Category.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "sort_order": order}
        )
        if root.image_id is None:  # the home page's category tiles show this picture
            root.image = _wagtail_image(
                title=f"Category: {name}",
                data=product_picture(title=name, subtitle="Shop the range", seed=f"category-{slug}", size=960),
                filename=f"category-{slug}.jpg",
            )
            root.save(update_fields=["image"])
        categories[slug] = root
        for child_order, (child_slug, child_name) in enumerate(children):
            categories[child_slug], _ = Category.objects.get_or_create(
                slug=child_slug, defaults={"name": child_name, "parent": root, "sort_order": child_order}
            )
    return categories


_PALETTE = ["#264653", "#2a9d8f", "#e9c46a", "#f4a261", "#e76f51", "#6d597a", "#355070", "#b56576", "#588157"]


def product_picture(*, title: str, subtitle: str, seed: str, size: int = 1200) -> bytes:
    """A simple product card: a coloured background, a shape and the product's name (JPEG bytes)."""
    rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())
    background, accent = rng.sample(_PALETTE, 2)
    image = PILImage.new("RGB", (size, size), background)
    draw = ImageDraw.Draw(image)
    margin = size // 6
    if rng.random() < 0.5:
        draw.ellipse([margin, margin, size - margin, size - margin], fill=accent)
    else:
        draw.rounded_rectangle([margin, margin, size - margin, size - margin], radius=size // 12, fill=accent)
    title_font = ImageFont.load_default(size=size // 13)
    small_font = ImageFont.load_default(size=size // 22)
    words, lines, line = title.split(), [], ""
    for word in words:  # wrap the name to the card's width
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=title_font) > size - 2 * margin and line:
            lines.append(line)
            line = word
        else:
            line = candidate
    lines.append(line)
    y = size // 2 - len(lines) * size // 26
    for text in lines:
        draw.text((size // 2, y), text, font=title_font, fill="white", anchor="mm")
        y += size // 12
    draw.text((size // 2, size - margin // 2), subtitle, font=small_font, fill="white", anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=82)
    return buffer.getvalue()


def _wagtail_image(*, title: str, data: bytes, filename: str):
    Image = get_image_model()
    image = Image.objects.filter(title=title).first()
    if image is None:
        image = Image(title=title, file=ImageFile(io.BytesIO(data), name=filename))
        image.save()
    return image


def _attribute_rows(item: DemoProduct, attributes: dict[str, Attribute]) -> list[ProductAttributeValue]:
    values = {(v.attribute_id, v.name): v for v in AttributeValue.objects.filter(attribute__in=attributes.values())}
    rows = []
    for slug, answer in item.attributes.items():
        attribute = attributes[slug]
        if attribute.has_choices:
            for name in answer if isinstance(answer, list) else [answer]:
                rows.append(ProductAttributeValue(attribute=attribute, value=values[(attribute.pk, name)]))
        elif attribute.type == Attribute.Type.NUMBER:
            rows.append(ProductAttributeValue(attribute=attribute, value_number=answer))
        else:
            rows.append(ProductAttributeValue(attribute=attribute, value_text=answer))
    for order, row in enumerate(rows):
        row.sort_order = order
    return rows


def _price_and_stock(item: DemoProduct, product: Product, rng: random.Random) -> None:
    variants = list(product.variants.prefetch_related("attribute_values"))
    changes = {}
    for variant in variants:
        names = [v.name for v in variant.attribute_values.all()]
        surcharge = sum((item.surcharges.get(n, Decimal("0")) for n in names), Decimal("0"))
        changes[variant.pk] = {
            "price": (item.base_price + surcharge).quantize(Decimal("0.01")) if surcharge else None,
            "stock_on_hand": 0 if item.sold_out else rng.choice([0, 3, 8, 12, 20, 35, 50]),
            "weight": Decimal(rng.choice(["0.200", "0.350", "0.500", "0.750"])),
        }
    variants_update(product=product, changes=changes)


@transaction.atomic
def seed_product(
    item: DemoProduct,
    *,
    attributes: dict[str, Attribute],
    product_types: dict[str, ProductType],
    categories: dict[str, Category],
) -> tuple[Product, bool]:
    """One demo product, live, with its picture, attribute values, variants, prices and stock.

    An existing product (same slug) is returned untouched.
    """
    slug = slugify(item.name)
    existing = Product.objects.filter(slug=slug).first()
    if existing is not None:
        return existing, False

    picture = _wagtail_image(
        title=f"Demo: {item.name}",
        data=product_picture(title=item.name, subtitle=categories[item.category_slug].name, seed=slug),
        filename=f"{slug}.jpg",
    )
    product = Product(
        product_type=product_types[item.type_slug],
        category=categories[item.category_slug],
        name=item.name,
        slug=slug,
        sku_code=item.sku_code,
        description=item.description,
        base_price=item.base_price,
        is_featured=item.is_featured,
        search_description=f"{item.name} at Cartwheel.",
    )
    product.attribute_values = _attribute_rows(item, attributes)
    product.images = [ProductImage(image=picture, alt_text=item.name, sort_order=0)]
    product.live = False
    product.save()
    product.save_revision().publish()  # live, with a first revision in its history, as an editor would

    values_by_attribute = None
    if item.variant_values:
        values_by_attribute = {
            attributes[slug].pk: list(
                AttributeValue.objects.filter(attribute=attributes[slug], name__in=names).values_list("pk", flat=True)
            )
            for slug, names in item.variant_values.items()
        }
    variants_generate(product=product, values_by_attribute=values_by_attribute)
    _price_and_stock(item, product, random.Random(slug))
    return product, True


def seed_catalogue(*, progress: Callable[[Iterable], Iterable] = iter) -> dict[str, int]:
    attributes = seed_attributes()
    product_types = seed_product_types(attributes)
    categories = seed_categories()
    created: list[Product] = []
    # Wagtail re-indexes references on every save (each variant, revision, image...), which is most
    # of the seeding time; index each new product once at the end instead (its images and category).
    with disable_reference_index_auto_update():
        for item in progress(demo_products()):
            product, was_created = seed_product(
                item, attributes=attributes, product_types=product_types, categories=categories
            )
            if was_created:
                created.append(product)
    for product in created:
        ReferenceIndex.create_or_update_for_object(product)
    return {"products_created": len(created)}


def seed_shipping_and_tax() -> None:
    domestic, _ = ShippingZone.objects.get_or_create(name="United States", defaults={"countries": "US"})
    world, _ = ShippingZone.objects.get_or_create(name="Rest of the world", defaults={"countries": ""})
    methods = [
        ("standard", "Standard delivery", domestic, "4.99", "100.00", 3, 5),
        ("express", "Express delivery", domestic, "12.99", None, 1, 2),
        ("international", "International delivery", world, "19.99", "200.00", 5, 12),
    ]
    for order, (code, name, zone, price, free_over, min_days, max_days) in enumerate(methods):
        ShippingMethod.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "zone": zone,
                "price": Decimal(price),
                "free_over": Decimal(free_over) if free_over else None,
                "min_days": min_days,
                "max_days": max_days,
                "sort_order": order,
            },
        )
    TaxRate.objects.get_or_create(
        name="Sales tax",
        country="",
        defaults={"rate": Decimal("0.0800"), "prices_include_tax": False, "applies_to_shipping": False},
    )


def seed_demo_admin() -> bool:
    """The demo superuser (credentials in the README, for the demo only). Never resets an existing one."""
    User = get_user_model()
    if User.objects.filter(email__iexact=DEMO_ADMIN_EMAIL).exists():
        return False
    User.objects.create_superuser(email=DEMO_ADMIN_EMAIL, password=DEMO_ADMIN_PASSWORD)
    return True
