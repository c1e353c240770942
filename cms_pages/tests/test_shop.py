"""The catalogue through the ShopPage, SEO (sitemap, canonical, JSON-LD), slug redirects, search,
and query counts of the home page and the listing."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import PageViewRestriction

from cms_pages.models import HomePage, ShopPage
from commerce.catalog.models import ProductImage
from commerce.catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory

pytestmark = pytest.mark.django_db


def _image(title="pic"):
    return get_image_model().objects.create(title=title, file=get_test_image_file())


def _product(name, *, category=None, price="20.00", variant_price=None, image=True, stock=5):
    product = ProductFactory(name=name, category=category or CategoryFactory(), base_price=Decimal(price))
    ProductVariantFactory(product=product, stock_on_hand=stock,
                          price=Decimal(variant_price) if variant_price else None)
    if image:
        ProductImage.objects.create(product=product, image=_image(name), alt_text=f"{name} photo", sort_order=0)
    return product


def test_shop_page_dresses_listing_with_intro_and_banner(client, home):
    _product("Linen Shirt")
    shop = ShopPage.objects.get()
    shop.intro = "<p>Hand-picked basics.</p>"
    shop.seo_title = "All our basics"
    shop.save_revision().publish()
    response = client.get("/shop/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>All our basics · Cartwheel</title>" in html
    assert "Hand-picked basics." in html
    assert "Linen Shirt" in html
    assert '<link rel="canonical" href="http://testserver/shop/">' in html


def test_a_published_or_restricted_shop_page_shows_on_the_next_listing(client, home):
    # the listing keeps the live ShopPage per process; publishing and restricting must reach it at once
    _product("Linen Shirt")
    shop = ShopPage.objects.get()
    assert "Hand-picked basics." not in client.get("/shop/").content.decode()
    shop.intro = "<p>Hand-picked basics.</p>"
    shop.save_revision().publish()
    assert "Hand-picked basics." in client.get("/shop/").content.decode()
    PageViewRestriction.objects.create(page=shop, restriction_type=PageViewRestriction.LOGIN)
    assert "Hand-picked basics." not in client.get("/shop/").content.decode()


def test_shop_page_routes_serve_catalogue_where_editors_place_it(client, home):
    product = _product("Wool Scarf")
    shop = ShopPage.objects.get()
    shop.slug = "catalogue"
    shop.save_revision().publish()
    assert client.get("/catalogue/").status_code == 200
    response = client.get(f"/catalogue/product/{product.slug}/")
    assert response.status_code == 200
    assert "Wool Scarf" in response.content.decode()
    assert client.get("/catalogue/product/nope/").status_code == 404


def test_product_slug_change_redirects_old_url(client, home):
    product = _product("Rain Jacket")
    old_url = product.get_absolute_url()
    product.slug = "rain-jacket-2026"
    product.save_revision().publish()
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == "/shop/product/rain-jacket-2026/"
    assert client.get(response["Location"]).status_code == 200


def test_product_slug_taken_back_stops_redirecting(client, home):
    product = _product("Cap")
    product.slug = "cap-new"
    product.save()
    product.slug = "cap"
    product.save()
    assert client.get("/shop/product/cap/").status_code == 200
    assert client.get("/shop/product/cap-new/").status_code == 301


def test_sitemap_lists_live_products_and_categories(client, home):
    shirts = CategoryFactory(name="Shirts", slug="shirts")
    live = _product("Oxford Shirt", category=shirts, image=False)
    draft = ProductFactory(name="Hidden Shirt", live=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    xml = response.content.decode()
    # the request's host, like the pages' canonical links (the Site record says "localhost")
    assert f"http://testserver/shop/product/{live.slug}/" in xml
    assert "http://testserver/shop/category/shirts/" in xml
    assert f"/shop/product/{draft.slug}/" not in xml
    assert "<loc>http://testserver/about/</loc>" in xml and "localhost" not in xml
    canonical = client.get(f"/shop/product/{live.slug}/").content.decode()
    assert f'<link rel="canonical" href="http://testserver/shop/product/{live.slug}/">' in canonical


def test_product_page_has_canonical_open_graph_and_json_ld(client, home):
    product = _product("Denim Jacket", price="80.00", variant_price="60.00")
    product.search_description = "A jacket for every season."
    product.rating_avg, product.rating_count = Decimal("4.50"), 2
    product.save()
    html = client.get(product.get_absolute_url()).content.decode()
    assert f'<link rel="canonical" href="http://testserver/shop/product/{product.slug}/">' in html
    assert '<meta property="og:type" content="product">' in html
    assert '<meta name="description" content="A jacket for every season.">' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "Product"
    assert data["offers"]["lowPrice"] == "60.00"
    assert data["offers"]["priceCurrency"] == "USD"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["aggregateRating"] == {"@type": "AggregateRating", "ratingValue": "4.50", "reviewCount": 2,
                                       "bestRating": "5", "worstRating": "1"}
    assert data["image"][0].startswith("http://testserver/")


def test_product_page_gallery_is_a_responsive_picture(client, home):
    product = _product("Beanie")
    html = client.get(product.get_absolute_url()).content.decode()
    assert "<picture>" in html
    assert 'type="image/avif"' in html and 'type="image/webp"' in html
    # real widths: the 640x480 test image is not upscaled, so 900 and 1200 collapse into one 640w
    assert re.search(r'srcset="[^"]+\.avif 600w, [^"]+\.avif 640w"', html)
    assert " 900w" not in html and " 1200w" not in html
    assert 'alt="Beanie photo"' in html


def test_search_finds_live_products_only(client, home):
    _product("Merino Sweater", image=False)
    ProductFactory(name="Merino Secret", live=False)
    response = client.get("/search/", {"q": "merino"})
    html = response.content.decode()
    assert "Merino Sweater" in html
    assert "Merino Secret" not in html


def _home_with_three_product_blocks(products):
    home = HomePage.objects.get()
    home.body = [
        {"type": "featured_products", "value": {"heading": "Picked", "products": [p.pk for p in products]}},
        {"type": "product_grid", "value": {"heading": "New", "source": "new", "category": "", "attribute_value": "", "limit": 24}},
        {"type": "product_grid", "value": {"heading": "Sale", "source": "on_sale", "category": "", "attribute_value": "", "limit": 24}},
        {"type": "category_tiles", "value": {"heading": "Categories", "categories": []}},
    ]
    home.save_revision().publish()


def _count_queries(client, url):
    client.get(url)  # warm: renditions are generated on the first view
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx)


def test_home_page_queries_constant_with_three_product_blocks(client, home):
    products = [_product(f"Tee {i}", variant_price="10.00") for i in range(2)]
    _home_with_three_product_blocks(products)
    few = _count_queries(client, "/")
    products += [_product(f"Hoodie {i}", variant_price="30.00") for i in range(8)]
    _home_with_three_product_blocks(products)
    many = _count_queries(client, "/")
    assert many == few
    assert "Hoodie 7" in client.get("/").content.decode()


def test_product_page_queries_constant_as_gallery_grows(client, home):
    product = _product("Parka")
    few = _count_queries(client, product.get_absolute_url())
    for i in range(4):
        ProductImage.objects.create(product=product, image=_image(f"parka {i}"), sort_order=i + 1)
    many = _count_queries(client, product.get_absolute_url())
    assert many == few


def test_shop_listing_queries_constant(client, home):
    for i in range(2):
        _product(f"Sock {i}")
    few = _count_queries(client, "/shop/")
    for i in range(10):
        _product(f"Glove {i}")
    many = _count_queries(client, "/shop/")
    assert many == few
