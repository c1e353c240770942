"""factory-boy factories for the catalogue; other apps' tests import them."""

from decimal import Decimal

import factory
from django.utils.text import slugify

from commerce.catalog.models import (
    Attribute,
    AttributeValue,
    Category,
    Product,
    ProductType,
    ProductTypeAttribute,
    ProductVariant,
)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class AttributeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attribute
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Attribute {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    type = Attribute.Type.CHOICE


class AttributeValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttributeValue

    attribute = factory.SubFactory(AttributeFactory)
    name = factory.Sequence(lambda n: f"Value {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    code = factory.LazyAttribute(lambda o: slugify(o.name).replace("-", "").upper()[:12])


class ProductTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductType

    name = factory.Sequence(lambda n: f"Type {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    product_type = factory.SubFactory(ProductTypeFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    sku_code = factory.Sequence(lambda n: f"P{n}")
    base_price = Decimal("15.00")
    live = True


class ProductVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductVariant

    product = factory.SubFactory(ProductFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n}")
    combination_key = factory.Sequence(lambda n: f"k{n}")
    stock_on_hand = 10


def clothing_type(*, sizes=("S", "M", "L"), colors=("Red", "Blue", "Black")) -> ProductType:
    """A Clothing product type: Size and Color make variants, Material describes the product."""
    size = AttributeFactory(name="Size", slug="size", sort_order=1)
    color = AttributeFactory(name="Color", slug="color", sort_order=2)
    material = AttributeFactory(name="Material", slug="material", type=Attribute.Type.TEXT, filterable=False)
    for i, s in enumerate(sizes):
        AttributeValue.objects.get_or_create(attribute=size, slug=slugify(s), defaults={"name": s, "code": s.upper(), "sort_order": i})
    for i, c in enumerate(colors):
        AttributeValue.objects.get_or_create(attribute=color, slug=slugify(c), defaults={"name": c, "code": c.upper(), "sort_order": i})
    ptype = ProductTypeFactory(name="Clothing", slug="clothing")
    ProductTypeAttribute.objects.create(product_type=ptype, attribute=size, role="variant", sort_order=0)
    ProductTypeAttribute.objects.create(product_type=ptype, attribute=color, role="variant", sort_order=1)
    ProductTypeAttribute.objects.create(product_type=ptype, attribute=material, role="product", sort_order=2)
    return ptype
