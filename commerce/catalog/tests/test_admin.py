"""The catalogue in the Wagtail admin, driven through Wagtail's test client as an editor would."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import TestCase
from django.urls import reverse
from wagtail.test.utils import WagtailTestUtils
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

from commerce.accounts.models import User
from commerce.catalog.models import (
    Attribute,
    AttributeValue,
    Product,
    ProductAttributeValue,
    ProductTypeAttribute,
    ProductVariant,
)
from commerce.catalog.services import variants_generate
from commerce.catalog.tests.factories import (
    AttributeFactory,
    CategoryFactory,
    ProductFactory,
    ProductTypeFactory,
    ProductVariantFactory,
    clothing_type,
)


def _product_form_data(**overrides):
    data = {
        "name": "Organic Tee",
        "slug": "organic-tee",
        "sku_code": "CTEE",
        "category": "",
        "base_price": "19.90",
        "description": rich_text("<p>Soft organic cotton.</p>"),
        "is_featured": "",
        "images": inline_formset([]),
        "seo_title": "",
        "search_description": "",
        "go_live_at": "",
        "expire_at": "",
    }
    multi = {k: v for k, v in overrides.items() if isinstance(v, list)}  # multiple-select answers
    data.update({k: v for k, v in overrides.items() if k not in multi})
    return {**nested_form_data(data), **multi}


def _grid_data(variants, **per_sku):
    """The variant grid's POST data; per_sku maps a SKU to the fields to change for that row."""
    data = {
        "variants-TOTAL_FORMS": str(len(variants)),
        "variants-INITIAL_FORMS": str(len(variants)),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
        "save": "1",
    }
    for i, v in enumerate(variants):
        row = {
            "id": str(v.pk),
            "sku": v.sku,
            "price": "" if v.price is None else str(v.price),
            "stock_on_hand": str(v.stock_on_hand),
            "weight": "" if v.weight is None else str(v.weight),
            "is_active": "on" if v.is_active else "",
        }
        row.update(per_sku.get(v.sku, {}))
        for key, value in row.items():
            if key == "is_active" and not value:
                continue
            data[f"variants-{i}-{key}"] = value
    return data


class ProductAdminTests(WagtailTestUtils, TestCase):
    def setUp(self):
        self.user = self.login()
        self.clothing = clothing_type()
        self.category = CategoryFactory(name="T-shirts", slug="t-shirts")

    def test_product_add_without_type_asks_for_the_type_first(self):
        response = self.client.get(reverse("catalog_product:add"))
        self.assertRedirects(response, reverse("catalog_product:choose_type"))
        response = self.client.get(reverse("catalog_product:choose_type"))
        self.assertContains(response, "Clothing")
        self.assertContains(response, f"?product_type={self.clothing.pk}")

    def test_product_add_form_offers_the_types_attributes(self):
        response = self.client.get(reverse("catalog_product:add") + f"?product_type={self.clothing.pk}")
        self.assertEqual(response.status_code, 200)
        # Material describes the product; Size and Color make variants, so they are not on this form
        self.assertContains(response, 'name="attribute_material"', count=1)
        self.assertNotContains(response, 'name="attribute_size"')

    def test_product_create_clothing_generate_variants_set_grid_and_publish(self):
        add_url = reverse("catalog_product:add") + f"?product_type={self.clothing.pk}"
        response = self.client.post(
            add_url, _product_form_data(category=str(self.category.pk), attribute_material="100% organic cotton")
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        product = Product.objects.get(slug="organic-tee")
        self.assertEqual(product.product_type, self.clothing)
        self.assertFalse(product.live)  # saved as a draft
        material = ProductAttributeValue.objects.get(product=product)
        self.assertEqual(material.value_text, "100% organic cotton")

        # generate every size x colour through the variant screen
        variants_url = reverse("catalog_product:variants", args=[product.pk])
        size, color = Attribute.objects.get(slug="size"), Attribute.objects.get(slug="color")
        response = self.client.post(
            variants_url,
            {
                "generate": "1",
                f"generate-values_{size.pk}": list(size.values.values_list("pk", flat=True)),
                f"generate-values_{color.pk}": list(color.values.values_list("pk", flat=True)),
            },
        )
        self.assertRedirects(response, variants_url)
        variants = list(product.variants.order_by("sort_order"))
        self.assertEqual(len(variants), 9)
        self.assertIn("CTEE-S-RED", {v.sku for v in variants})

        # set price and stock for two rows in the grid, one save
        response = self.client.post(
            variants_url,
            _grid_data(
                variants,
                **{
                    "CTEE-S-RED": {"price": "21.50", "stock_on_hand": "7", "weight": "0.200"},
                    "CTEE-M-BLUE": {"stock_on_hand": "3", "is_active": ""},
                },
            ),
        )
        self.assertRedirects(response, variants_url)
        red = ProductVariant.objects.get(sku="CTEE-S-RED")
        self.assertEqual((red.price, red.stock_on_hand, red.weight), (Decimal("21.50"), 7, Decimal("0.200")))
        blue = ProductVariant.objects.get(sku="CTEE-M-BLUE")
        self.assertEqual((blue.stock_on_hand, blue.is_active, blue.price), (3, False, None))

        # publish from the edit view
        edit_url = reverse("catalog_product:edit", args=[product.pk])
        response = self.client.get(edit_url)
        self.assertContains(response, variants_url)  # the edit view links to the variant screen
        self.assertContains(response, "100% organic cotton")
        response = self.client.post(
            edit_url,
            _product_form_data(
                category=str(self.category.pk),
                attribute_material="100% organic cotton",
                base_price="18.00",
                **{"action-publish": "action-publish"},
            ),
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        product.refresh_from_db()
        self.assertTrue(product.live)
        self.assertEqual(product.base_price, Decimal("18.00"))
        self.assertEqual(product.variants.count(), 9)  # publishing a revision leaves variants alone
        self.assertEqual(ProductVariant.objects.get(sku="CTEE-S-RED").stock_on_hand, 7)

    def test_product_draft_edit_keeps_live_attribute_values_until_published(self):
        material = Attribute.objects.get(slug="material")
        product = ProductFactory(product_type=self.clothing, slug="tee", sku_code="TEE")
        ProductAttributeValue.objects.create(product=product, attribute=material, value_text="Linen")
        product.save_revision().publish()
        edit_url = reverse("catalog_product:edit", args=[product.pk])
        response = self.client.post(
            edit_url,
            _product_form_data(name=product.name, slug="tee", sku_code="TEE", attribute_material="Wool"),
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ProductAttributeValue.objects.get(product=product).value_text, "Linen")
        product.refresh_from_db()
        self.assertEqual(product.get_latest_revision_as_object().attribute_values.get().value_text, "Wool")

    def test_product_form_choice_and_multi_choice_attributes_are_saved(self):
        brand = AttributeFactory(name="Brand", slug="brand", type=Attribute.Type.CHOICE)
        acme = AttributeValue.objects.create(attribute=brand, name="Acme", slug="acme", code="ACME")
        features = AttributeFactory(name="Features", slug="features", type=Attribute.Type.MULTI_CHOICE)
        wifi = AttributeValue.objects.create(attribute=features, name="Wi-Fi", slug="wifi", code="WIFI")
        bt = AttributeValue.objects.create(attribute=features, name="Bluetooth", slug="bt", code="BT")
        waterproof = AttributeFactory(name="Waterproof", slug="waterproof", type=Attribute.Type.BOOLEAN)
        ptype = ProductTypeFactory(name="Gadget", slug="gadget")
        for order, attribute in enumerate([brand, features, waterproof]):
            ProductTypeAttribute.objects.create(product_type=ptype, attribute=attribute, role="product", sort_order=order)
        response = self.client.post(
            reverse("catalog_product:add") + f"?product_type={ptype.pk}",
            _product_form_data(
                name="Speaker",
                slug="speaker",
                sku_code="SPK",
                attribute_brand=str(acme.pk),
                attribute_features=[str(wifi.pk), str(bt.pk)],
                attribute_waterproof="true",
            ),
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        rows = ProductAttributeValue.objects.filter(product__slug="speaker")
        self.assertEqual({r.value_id for r in rows if r.value_id}, {acme.pk, wifi.pk, bt.pk})
        self.assertTrue(rows.get(attribute=waterproof).value_boolean)

    def test_variant_grid_duplicate_sku_and_stock_below_allocated_save_nothing(self):
        product = ProductFactory(product_type=self.clothing, sku_code="TEE")
        a = ProductVariantFactory(product=product, sku="TEE-A", stock_on_hand=10, stock_allocated=4)
        b = ProductVariantFactory(product=product, sku="TEE-B", stock_on_hand=5)
        response = self.client.post(
            reverse("catalog_product:variants", args=[product.pk]),
            _grid_data([a, b], **{"TEE-A": {"stock_on_hand": "2"}, "TEE-B": {"sku": "TEE-A", "price": "9.99"}}),
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "cannot go below the 4 already allocated")
        self.assertContains(response, "used by more than one variant")
        a.refresh_from_db()
        b.refresh_from_db()
        self.assertEqual((a.stock_on_hand, b.sku, b.price), (10, "TEE-B", None))

    def test_variant_grid_swapping_skus_succeeds(self):
        product = ProductFactory(product_type=self.clothing, sku_code="TEE")
        a = ProductVariantFactory(product=product, sku="TEE-A")
        b = ProductVariantFactory(product=product, sku="TEE-B")
        response = self.client.post(
            reverse("catalog_product:variants", args=[product.pk]),
            _grid_data([a, b], **{"TEE-A": {"sku": "TEE-B"}, "TEE-B": {"sku": "TEE-A"}}),
        )
        self.assertEqual(response.status_code, 302)
        a.refresh_from_db()
        b.refresh_from_db()
        self.assertEqual((a.sku, b.sku), ("TEE-B", "TEE-A"))

    def test_variant_generate_only_chosen_values(self):
        product = ProductFactory(product_type=self.clothing, sku_code="TEE")
        size, color = Attribute.objects.get(slug="size"), Attribute.objects.get(slug="color")
        small = size.values.get(slug="s")
        response = self.client.post(
            reverse("catalog_product:variants", args=[product.pk]),
            {
                "generate": "1",
                f"generate-values_{size.pk}": [small.pk],
                f"generate-values_{color.pk}": list(color.values.values_list("pk", flat=True)),
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(sorted(product.variants.values_list("sku", flat=True)), ["TEE-S-BLACK", "TEE-S-BLUE", "TEE-S-RED"])

    def test_variant_screen_prechecks_the_values_in_use(self):
        product = ProductFactory(product_type=self.clothing, sku_code="TEE")
        size, color = Attribute.objects.get(slug="size"), Attribute.objects.get(slug="color")
        small, medium = size.values.get(slug="s"), size.values.get(slug="m")
        variants_generate(product=product, values_by_attribute={size.pk: [small.pk], color.pk: [color.values.first().pk]})
        response = self.client.get(reverse("catalog_product:variants", args=[product.pk]))
        html = response.content.decode()
        self.assertRegex(html, rf'name="generate-values_{size.pk}" value="{small.pk}"[^>]* checked')
        self.assertNotRegex(html, rf'name="generate-values_{size.pk}" value="{medium.pk}"[^>]* checked')

    def test_variant_generate_without_values_shows_error(self):
        product = ProductFactory(product_type=self.clothing, sku_code="TEE")
        size = Attribute.objects.get(slug="size")
        response = self.client.post(
            reverse("catalog_product:variants", args=[product.pk]),
            {"generate": "1", f"generate-values_{size.pk}": [size.values.first().pk]},
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Choose at least one color")
        self.assertFalse(product.variants.exists())

    def test_product_listing_filters_and_search(self):
        ProductFactory(name="Blue Hoodie", slug="blue-hoodie", product_type=self.clothing)
        ProductFactory(name="Espresso Beans", slug="espresso-beans")
        url = reverse("catalog_product:list")
        response = self.client.get(url, {"q": "hoodie"})
        self.assertContains(response, "Blue Hoodie")
        self.assertNotContains(response, "Espresso Beans")
        response = self.client.get(url, {"product_type": self.clothing.pk})
        self.assertContains(response, "Blue Hoodie")
        self.assertNotContains(response, "Espresso Beans")
        self.assertContains(response, reverse("catalog_product:variants", args=[Product.objects.get(slug="blue-hoodie").pk]))

    def test_catalogue_menu_and_snippet_listings_render(self):
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(response, "Catalogue")
        for name in ("catalog_category:list", "catalog_attribute:list", "catalog_producttype:list"):
            self.assertEqual(self.client.get(reverse(name)).status_code, 200, name)
        size = Attribute.objects.get(slug="size")
        response = self.client.get(reverse("catalog_attribute:edit", args=[size.pk]))
        self.assertContains(response, 'name="values-0-code"')
        response = self.client.get(reverse("catalog_producttype:edit", args=[self.clothing.pk]))
        self.assertContains(response, 'name="attribute_links-0-role"')

    def test_product_preview_renders_the_product_template(self):
        product = ProductFactory(product_type=self.clothing, name="Preview Tee", slug="preview-tee", sku_code="PT")
        preview_url = reverse("catalog_product:preview_on_edit", args=[product.pk])
        data = _product_form_data(name="Preview Tee (new)", slug="preview-tee", sku_code="PT")
        response = self.client.post(preview_url, data)
        self.assertEqual(response.json(), {"is_valid": True, "is_available": True})
        response = self.client.get(preview_url)
        self.assertContains(response, "Preview Tee (new)")


@pytest.mark.django_db
def test_variants_screen_permission_denied_without_catalogue_permissions(client):
    editor = User.objects.create_user(email="editor@example.com", password="x")
    group = Group.objects.create(name="Admin only")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    editor.groups.add(group)
    product = ProductFactory()
    client.force_login(editor)
    url = reverse("catalog_product:variants", args=[product.pk])
    # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with an error message
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    response = client.post(url, {"generate": "1"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not product.variants.exists()


@pytest.mark.django_db
def test_variants_screen_redirects_non_admin_to_login(client):
    shopper = User.objects.create_user(email="shopper@example.com", password="x")
    client.force_login(shopper)
    response = client.get(reverse("catalog_product:variants", args=[ProductFactory().pk]))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_variants_screen_generate_needs_add_permission(client):
    editor = User.objects.create_user(email="editor@example.com", password="x")
    group = Group.objects.create(name="Stock keepers")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="change_productvariant")
    )
    editor.groups.add(group)
    product = ProductFactory()
    client.force_login(editor)
    url = reverse("catalog_product:variants", args=[product.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"generate": "1"})
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not product.variants.exists()


class ProductSchedulingAndPreviewTests(WagtailTestUtils, TestCase):
    def setUp(self):
        self.login()
        self.clothing = clothing_type()

    def test_product_publish_with_go_live_at_schedules_instead_of_publishing(self):
        response = self.client.post(
            reverse("catalog_product:add") + f"?product_type={self.clothing.pk}",
            _product_form_data(go_live_at="2099-01-01 09:00", **{"action-publish": "action-publish"}),
        )
        self.assertEqual(response.status_code, 302, response.content[:3000])
        product = Product.objects.get(slug="organic-tee")
        self.assertFalse(product.live)
        self.assertEqual(product.scheduled_revision.approved_go_live_at.year, 2099)

    def test_product_preview_on_add_renders_the_chosen_type(self):
        preview_url = reverse("catalog_product:preview_on_add") + f"?product_type={self.clothing.pk}"
        data = _product_form_data(name="Brand New Tee", attribute_material="Hemp")
        self.assertEqual(self.client.post(preview_url, data).json(), {"is_valid": True, "is_available": True})
        response = self.client.get(preview_url)
        self.assertContains(response, "Brand New Tee")
        self.assertContains(response, "Hemp")

    def test_product_add_page_preview_url_keeps_the_type(self):
        response = self.client.get(reverse("catalog_product:add") + f"?product_type={self.clothing.pk}")
        self.assertContains(response, reverse("catalog_product:preview_on_add") + f"?product_type={self.clothing.pk}")
