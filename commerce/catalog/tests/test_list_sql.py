"""The hand-written PostgreSQL list query (list_sql.py) gives exactly what the ORM query gives."""

import itertools
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from commerce.catalog import list_sql
from commerce.catalog.models import AttributeValue, ProductAttributeValue, ProductImage
from commerce.catalog.selectors import (
    LIST_THUMBNAIL_SPEC,
    ProductFilters,
    _product_list_rows_orm,
    image_rendition_urls,
    live_products_filtered,
    product_list_rows,
)
from commerce.catalog.tests.factories import (
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
    clothing_type,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(db):
    """Products covering every branch of the filters: variant and base prices, no variants, inactive
    variants, no category, drafts, sold out, allocated stock, product and variant attribute values."""
    clothing = clothing_type()
    other_type = ProductTypeFactory(slug="gadgets")
    root = CategoryFactory(slug="root")
    child = CategoryFactory(slug="child", parent=root)
    size_m = AttributeValue.objects.get(attribute__slug="size", slug="m")
    color_red = AttributeValue.objects.get(attribute__slug="color", slug="red")
    image = get_image_model().objects.create(title="pic", file=get_test_image_file(size=(40, 30)))

    products = []
    for n in range(12):
        product = ProductFactory(
            name=f"{'Widget' if n % 3 else 'wid_get 100%'} {n % 4}",  # ties on name, LIKE wildcards
            slug=f"product-{n}",
            description=f"<p>{'Soft COTTON' if n % 2 else 'linen'}</p>",
            product_type=clothing if n % 2 else other_type,
            category=[root, child, None][n % 3],
            base_price=Decimal(10 + n) + Decimal("0.50"),
            live=n != 11,
        )
        products.append(product)
        if n % 4 == 3:
            continue  # no variants: the base price counts
        for k in range(n % 3 + 1):
            variant = ProductVariantFactory(
                product=product,
                price=None if k == 0 else Decimal(5 * n + k),
                stock_on_hand=[0, 4, 2][k],
                stock_allocated=[0, 4, 1][k],
                is_active=not (n == 5 and k == 1),
            )
            if k == 1:
                variant.attribute_values.add(size_m)
        if n % 5 == 0:
            ProductAttributeValue.objects.create(product=product, attribute=color_red.attribute, value=color_red)
        if n % 2:
            ProductImage.objects.create(product=product, image=image, sort_order=n)
    return {"root": root, "child": child, "clothing": clothing, "size_m": size_m, "red": color_red}


def _filter_cases(catalogue):
    return [
        ProductFilters(),
        ProductFilters(category_ids=[catalogue["root"].pk, catalogue["child"].pk]),
        ProductFilters(category_ids=[catalogue["child"].pk], product_type_id=catalogue["clothing"].pk),
        ProductFilters(in_stock=True),
        ProductFilters(in_stock=False),
        ProductFilters(price_min=Decimal("20.00")),
        ProductFilters(price_max=Decimal("16.50")),
        ProductFilters(price_min=Decimal("12.00"), price_max=Decimal("30.00")),
        ProductFilters(search="cotton"),
        ProductFilters(search="_get 100%"),
        ProductFilters(search="WIDGET"),
        ProductFilters(attribute_value_ids=((catalogue["size_m"].pk,),)),
        ProductFilters(attribute_value_ids=((catalogue["size_m"].pk, catalogue["red"].pk),)),
        ProductFilters(attribute_value_ids=((catalogue["size_m"].pk,), (catalogue["red"].pk,))),
        ProductFilters(in_stock=True, price_min=Decimal("11.00"), search="o", category_ids=[catalogue["root"].pk]),
    ]


@pytest.mark.postgres
def test_product_list_sql_matches_orm(catalogue):
    cases = list(itertools.product(_filter_cases(catalogue), list_sql.ORDER_BY_SQL, [(0, 5), (5, 5), (0, 100)]))
    for filters, ordering, (offset, limit) in cases:
        kwargs = {"filters": filters, "ordering": ordering, "offset": offset, "limit": limit, "with_count": True}
        expected = _product_list_rows_orm(**kwargs)
        assert list_sql.product_page_rows_sql(**kwargs) == expected, (filters, ordering, offset)
        assert list_sql.product_count_sql(filters=filters) == live_products_filtered(filters=filters).count()
        assert list_sql.product_page_rows_sql(**{**kwargs, "with_count": False}) == [
            {k: v for k, v in row.items() if k != "total_count"} for row in expected
        ]


@pytest.mark.postgres
def test_product_list_sql_matches_orm_for_a_page_past_the_end(catalogue):
    kwargs = {"filters": ProductFilters(), "ordering": "price", "offset": 500, "limit": 20, "with_count": True}
    assert list_sql.product_page_rows_sql(**kwargs) == [] == _product_list_rows_orm(**kwargs)


def test_product_list_rows_thumbnails_are_memoised_per_catalogue_version(catalogue):
    rows = product_list_rows(filters=ProductFilters(), ordering="name", offset=0, limit=100)
    thumbnails = {row["thumbnail_url"] for row in rows if row["image_id"]}
    assert len(thumbnails) == 1 and None not in thumbnails
    assert all(row["thumbnail_url"] is None for row in rows if not row["image_id"])
    with CaptureQueriesContext(connection) as queries:
        again = product_list_rows(filters=ProductFilters(), ordering="name", offset=0, limit=100)
    assert again == rows
    assert len(queries) == 1  # the page only: the thumbnails' URLs come from the memo

    image = get_image_model().objects.get()
    image.focal_point_x, image.focal_point_y, image.focal_point_width, image.focal_point_height = 30, 20, 6, 6
    image.save()  # a new focal point, new crops: the version bump drops the memo
    new_url = image_rendition_urls(image_ids=[image.pk], specs=(LIST_THUMBNAIL_SPEC,))[image.pk][LIST_THUMBNAIL_SPEC]
    assert new_url not in thumbnails
    rows = product_list_rows(filters=ProductFilters(), ordering="name", offset=0, limit=100)
    assert {row["thumbnail_url"] for row in rows if row["image_id"]} == {new_url}


@pytest.mark.postgres
def test_product_detail_sql_matches_orm(catalogue):
    """The PostgreSQL detail read (product page, API) builds the same body as the ORM's, for every kind of product."""
    from api.catalog.serializers import product_detail_data
    from commerce.catalog.models import Attribute, Product
    from commerce.catalog.selectors import product_detail_get, product_detail_get_orm

    weight = Attribute.objects.create(name="Weight", slug="weight", type=Attribute.Type.NUMBER, unit="kg")
    product = Product.objects.filter(live=True).first()
    ProductAttributeValue.objects.create(product=product, attribute=weight, value_number=Decimal("1.500"))
    for slug in Product.objects.values_list("slug", flat=True):
        expected = product_detail_get_orm(slug=slug)
        with CaptureQueriesContext(connection) as queries:
            fast = product_detail_get(slug=slug)
        if expected is None:
            assert fast is None
            continue
        assert len(queries) == 1  # one round trip
        assert product_detail_data(fast, url="u", absolute=str) == product_detail_data(expected, url="u", absolute=str)
