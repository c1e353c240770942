"""The product page: one radio group per variant attribute, the choice's price / stock / SKU,
wishlist beside add-to-cart, gallery renditions, "more from this category", constant queries."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file

from commerce.cart.models import CartLine
from commerce.catalog.models import AttributeValue, ProductAttributeValue, ProductImage, ProductVariant
from commerce.catalog.services import variants_generate
from commerce.catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory, clothing_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def tee():
    """A tee in S/M x Red/Blue: S-Red in stock, S-Blue sold out, M-Red in stock, M-Blue never made."""
    clothing = clothing_type()
    tshirts = CategoryFactory(name="T-shirts", slug="t-shirts")
    value = {
        (a, s): AttributeValue.objects.get(attribute__slug=a, slug=s)
        for a, s in [("size", "s"), ("size", "m"), ("color", "red"), ("color", "blue")]
    }
    product = ProductFactory(name="Classic Tee", slug="classic-tee", sku_code="CTEE", product_type=clothing,
                             category=tshirts, base_price=Decimal("20.00"))
    for sku, size, color, stock, price in [
        ("CTEE-S-RED", "s", "red", 5, None),
        ("CTEE-S-BLUE", "s", "blue", 0, None),
        ("CTEE-M-RED", "m", "red", 2, Decimal("24.00")),
    ]:
        variant = ProductVariantFactory(product=product, sku=sku, stock_on_hand=stock, price=price)
        variant.attribute_values.set([value[("size", size)], value[("color", color)]])
    return product


def _html(client, slug="classic-tee", **params) -> str:
    response = client.get(reverse("shop-product", args=[slug]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_variant_picker_has_one_radio_group_per_variant_attribute(client, tee):
    html = _html(client)
    assert html.count('class="option-group') == 2
    assert html.count('name="option-size"') == 2 and html.count('name="option-color"') == 2
    assert "<legend>Size" in html and "<legend>Color" in html
    assert 'class="swatch swatch-red"' in html  # colours as swatches, sizes as buttons
    assert 'class="option-button"' in html


def test_picker_starts_on_the_first_variant_in_stock_and_shows_its_price_stock_and_sku(client, tee):
    html = _html(client)
    assert 'id="opt-size-s" value="s" data-name="S" checked' in html
    assert 'id="opt-color-red" value="red" data-name="Red" checked' in html
    assert "$20.00" in html and "Only 5 left" in html and "CTEE-S-RED" in html


def test_sold_out_and_impossible_combinations_are_disabled_not_hidden(client, tee):
    html = _html(client)  # S chosen: blue exists in S but is sold out
    assert 'id="opt-color-blue" value="blue" data-name="Blue" disabled' in html
    html = _html(client, **{"option-size": "m"})  # M: blue was never made; M-Red costs more
    assert 'id="opt-color-blue" value="blue" data-name="Blue" disabled' in html
    assert "$24.00" in html and "CTEE-M-RED" in html


def test_add_to_cart_without_javascript_uses_the_chosen_options(client, tee):
    response = client.post(
        reverse("cart:add"),
        {"product": "classic-tee", "sku": "CTEE-S-RED", "option-size": "m", "option-color": "red", "quantity": "1"},
    )
    assert response.status_code == 302
    assert list(CartLine.objects.values_list("variant__sku", flat=True)) == ["CTEE-M-RED"]


def test_add_to_cart_refuses_a_combination_that_does_not_exist(client, tee):
    response = client.post(
        reverse("cart:add"),
        {"product": "classic-tee", "option-size": "m", "option-color": "blue", "quantity": "1"},
        follow=True,
    )
    assert "That combination is not available" in response.content.decode()
    assert not CartLine.objects.exists()


def test_wishlist_button_sits_in_the_add_to_cart_form(client, tee):
    user = get_user_model().objects.create_user(email="shopper@example.com", password="pw-123456789")
    client.force_login(user)
    html = _html(client)
    form = html[html.index("data-variant-form"):html.index("</form>", html.index("data-variant-form"))]
    assert "Add to cart" in form and "Add to wishlist" in form
    client.post(reverse("wishlist-add"), {"product_id": tee.pk})
    assert "On your wishlist" in _html(client)


def test_gallery_offers_avif_webp_and_jpeg_with_real_width_descriptors(client, tee):
    image = get_image_model().objects.create(title="tee", file=get_test_image_file(size=(700, 700)))
    ProductImage.objects.create(product=tee, image=image, alt_text="The tee, front")
    second = get_image_model().objects.create(title="tee back", file=get_test_image_file(size=(700, 700)))
    ProductImage.objects.create(product=tee, image=second, alt_text="The tee, back", sort_order=1)
    html = _html(client)
    assert 'type="image/avif"' in html and 'type="image/webp"' in html
    main = html[html.index('class="gallery-main"'):html.index('class="gallery-thumbs"')]
    # 600 and 700 (the source is smaller than 900 and 1200: one 700w candidate, not three)
    assert " 600w" in main and " 700w" in main and " 900w" not in main and " 1200w" not in main
    assert 'alt="The tee, front"' in main and 'width="600" height="600"' in main
    assert 'fetchpriority="high"' in main and 'loading="lazy"' in main  # the second picture waits
    assert html.count("data-gallery-thumb") == 2


def test_more_from_this_category_and_rating_near_the_title(client, tee):
    other = ProductFactory(name="Pocket Tee", slug="pocket-tee", category=tee.category)
    ProductVariantFactory(product=other, sku="PTEE", stock_on_hand=1)
    type(tee).objects.filter(pk=tee.pk).update(rating_avg=Decimal("4.50"), rating_count=2)
    html = _html(client)
    assert "More from T-shirts" in html and "Pocket Tee" in html
    title = html.index('id="product-title"')
    assert title < html.index("4.5 out of 5") < html.index("data-variant-form")


def test_product_page_queries_are_few_and_constant_in_variant_count(client, tee):
    material = tee.product_type.product_attributes()[0]
    ProductAttributeValue.objects.create(product=tee, attribute=material, value_text="Organic cotton")
    _html(client)  # warm the per-version lookups (category index, renditions)
    with CaptureQueriesContext(connection) as three_variants:
        _html(client)
    big = ProductFactory(name="Big Tee", slug="big-tee", sku_code="BIG", product_type=tee.product_type, category=tee.category)
    variants_generate(product=big)
    assert ProductVariant.objects.filter(product=big).count() > 3
    _html(client, "big-tee")
    with CaptureQueriesContext(connection) as many_variants:
        _html(client, "big-tee")
    assert len(three_variants) <= 8
    assert len(many_variants) == len(three_variants)


def test_product_draft_and_unknown_are_404(client, tee):
    ProductFactory(name="Draft", slug="draft-tee", live=False)
    assert client.get(reverse("shop-product", args=["draft-tee"])).status_code == 404
    assert client.get(reverse("shop-product", args=["nope"])).status_code == 404


def test_a_picture_whose_file_is_gone_leaves_the_page_and_the_api_up_without_it(client, tee, caplog):
    """A media volume not restored, or an S3 object deleted: the picture is cosmetic, the page is not."""
    kept = get_image_model().objects.create(title="kept", file=get_test_image_file(size=(700, 700)))
    lost = get_image_model().objects.create(title="lost", file=get_test_image_file(size=(700, 700)))
    ProductImage.objects.create(product=tee, image=lost, alt_text="Lost")
    ProductImage.objects.create(product=tee, image=kept, alt_text="Kept", sort_order=1)
    lost.file.storage.delete(lost.file.name)  # no rendition made yet: Wagtail would read the original
    html = _html(client)
    assert 'alt="Kept"' in html and 'alt="Lost"' not in html
    api = client.get(f"/api/v1/products/{tee.slug}/")
    assert api.status_code == 200
    assert "cannot be read" in caplog.text


@pytest.mark.postgres
def test_product_page_reads_the_same_through_the_sql_and_the_orm_paths(client, tee, monkeypatch):
    """On PostgreSQL the page's rows come from plain SQL (commerce/catalog/detail_sql.py): the page is
    byte for byte the ORM's, for the picker (every choice), the gallery, the details and the rating."""
    import re

    from commerce.catalog import selectors
    from storefront.product import views

    image = get_image_model().objects.create(title="tee", file=get_test_image_file(size=(700, 700)))
    ProductImage.objects.create(product=tee, image=image, alt_text="")
    material = tee.product_type.product_attributes()[0]
    ProductAttributeValue.objects.create(product=tee, attribute=material, value_text="Organic cotton")
    type(tee).objects.filter(pk=tee.pk).update(rating_avg=Decimal("4.50"), rating_count=2, seo_title="Tee!")
    bare = ProductFactory(name="Bare", slug="bare", category=None)  # no category, variant, value or image

    def page(slug, **params) -> tuple[str, int]:
        with CaptureQueriesContext(connection) as queries:
            html = _html(client, slug, **params)
        # the catalogue's queries: the site chrome's may come or not (its memo is refreshed independently)
        catalogue = [q for q in queries.captured_queries if "catalog_" in q["sql"]]
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html), len(catalogue)

    def orm_read_queries(slug) -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.product_detail_get_orm(slug=slug)
        return len(queries)

    slugs = ("classic-tee", bare.slug)
    choices = [{}, {"option-size": "m"}, {"option-size": "s", "option-color": "blue"}, {"option-color": "nope"}]
    page(slugs[0])  # warm the per-version lookups
    sql = {(slug, i): page(slug, **params) for slug in slugs for i, params in enumerate(choices)}
    monkeypatch.setattr(views, "product_detail_get", selectors.product_detail_get_orm)
    orm = {(slug, i): page(slug, **params) for slug in slugs for i, params in enumerate(choices)}
    assert {k: html for k, (html, _) in sql.items()} == {k: html for k, (html, _) in orm.items()}
    assert "Organic cotton" in sql["classic-tee", 0][0] and "Tee!" in sql["classic-tee", 0][0]
    assert 'alt="Classic Tee"' in sql["classic-tee", 0][0]  # an image without alt text: the product's name
    # one query for the read, and none later: nothing the page reads is left deferred on its instances
    for slug, i in sql:
        assert sql[slug, i][1] == orm[slug, i][1] - orm_read_queries(slug) + 1


def test_category_menu_is_rendered_once_and_follows_a_renamed_category(client, tee):
    from storefront.templatetags import storefront_tags

    html = _html(client)
    assert html.count('href="/shop/category/t-shirts/"') == 3 + 1  # drawer, header, footer; breadcrumb
    kept = len(storefront_tags._category_menu_html)
    _html(client)
    assert len(storefront_tags._category_menu_html) == kept  # the same menu: nothing rendered again
    tee.category.name = "Tees"
    tee.category.save()
    html = _html(client)
    assert ">Tees</a>" in html and "T-shirts" not in html
