"""Data the browser flows start from: the seeded pages, the Clothing type (Size x Color), a T-shirt
with a picture and stock, shipping methods and an admin."""

from decimal import Decimal
from io import BytesIO

from django.core.files.images import ImageFile
from wagtail.images import get_image_model

from commerce.catalog.models import AttributeValue, Product, ProductImage
from commerce.catalog.services import variants_generate
from demo import catalog as catalog_seed
from demo.pages import seed_pages

ADMIN_EMAIL = "manager@cartwheel.test"
ADMIN_PASSWORD = "browser-test-pass-123"


def picture(title: str):
    data = catalog_seed.product_picture(title=title, subtitle="Cartwheel", seed=title, size=720)
    return get_image_model().objects.create(title=title, file=ImageFile(BytesIO(data), name=f"{title}.png"))


def ensure_wagtail_base() -> None:
    """The rows Wagtail's migrations create (locale, root collection, root page). A transactional
    test that ran before may have flushed them, and a flush does not rerun data migrations."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Collection, Locale, Page

    # a flush recreates content types under new ids on PostgreSQL; the in-memory cache keeps old ones
    ContentType.objects.clear_cache()
    locale, _ = Locale.objects.get_or_create(language_code="en")
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


def seed_shop() -> dict:
    ensure_wagtail_base()
    attributes = catalog_seed.seed_attributes()
    types = catalog_seed.seed_product_types(attributes)
    categories = catalog_seed.seed_categories()
    AttributeValue.objects.get_or_create(attribute=attributes["color"], slug="blue",
                                         defaults={"name": "Blue", "code": "BLU", "sort_order": 9})
    catalog_seed.seed_shipping_and_tax()

    tee = Product.objects.create(
        product_type=types["clothing"], category=categories["t-shirts"], name="Everyday Tee",
        slug="everyday-tee", sku_code="EVT", base_price=Decimal("20.00"), live=True,
        description="<p>A soft cotton tee for every day.</p>", search_description="A soft cotton tee.",
    )
    ProductImage.objects.create(product=tee, image=picture("Everyday Tee"), alt_text="Everyday Tee, folded")
    size, color = attributes["size"], attributes["color"]
    variants_generate(product=tee, values_by_attribute={
        size.pk: list(size.values.filter(slug__in=["s", "m", "l"]).values_list("pk", flat=True)),
        color.pk: list(color.values.filter(slug__in=["blue", "red"]).values_list("pk", flat=True)),
    })
    tee.variants.update(stock_on_hand=10)
    # S / Red sold out: the picker shows it disabled, not hidden
    tee.variants.filter(sku="EVT-S-RED").update(stock_on_hand=0)
    # enough apparel for full rows of cards, in two colours and prices
    for i, (name, category, price, colour) in enumerate([
        ("Pocket Tee", "t-shirts", "24.00", "red"), ("Striped Tee", "t-shirts", "22.00", "blue"),
        ("Long Sleeve Tee", "t-shirts", "28.00", "blue"), ("Zip Hoodie", "hoodies", "55.00", "red"),
        ("Pullover Hoodie", "hoodies", "49.00", "blue"), ("Fleece Hoodie", "hoodies", "59.00", "red"),
    ]):
        product = Product.objects.create(
            product_type=types["clothing"], category=categories[category], name=name, slug=f"demo-{i}",
            sku_code=f"D{i}", base_price=Decimal(price), live=True,
        )
        ProductImage.objects.create(product=product, image=picture(name), alt_text=name)
        variants_generate(product=product, values_by_attribute={
            size.pk: list(size.values.filter(slug__in=["s", "m"]).values_list("pk", flat=True)),
            color.pk: list(color.values.filter(slug=colour).values_list("pk", flat=True)),
        })
        product.variants.update(stock_on_hand=5)
    from demo.promotions import seed_demo_coupon

    seed_demo_coupon()
    seed_pages()
    warm_renditions()
    return {"tee": tee, "categories": categories, "types": types}


def warm_renditions() -> None:
    """Make every picture's renditions now: encoding AVIF on a first page view would otherwise take
    longer than a navigation may (a real shop makes them as editors upload, or on the first visit)."""
    from storefront.catalogue.images import CARD, GALLERY, THUMB, TILE, pictures

    ids = list(get_image_model().objects.values_list("id", flat=True))
    for spec in (CARD, GALLERY, THUMB, TILE):
        pictures(image_ids=ids, spec=spec)


def admin_user():
    ensure_wagtail_base()
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser(email=ADMIN_EMAIL, password=ADMIN_PASSWORD)
