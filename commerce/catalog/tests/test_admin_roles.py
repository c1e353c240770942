"""Role fixes on the product form: prices are shop managers' (enforced on the server) and every
product gets a SKU prefix."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import ModelLogEntry

from commerce.accounts.models import User
from commerce.accounts.roles import EDITORS, SHOP_MANAGERS
from commerce.catalog.models import Product, sku_prefix_from_name
from commerce.catalog.services import variants_generate
from commerce.catalog.tests.factories import ProductFactory, clothing_type

from .test_admin import _product_form_data

pytestmark = pytest.mark.django_db


def _staff_in(client, role):
    user = User.objects.create_user(email=f"{role.name.split()[0].lower()}@example.com", password="pw-123456-x",
                                    is_staff=True)
    user.groups.add(Group.objects.get(name=role.name))
    client.force_login(user)
    return user


def test_editor_sees_the_base_price_read_only_and_a_forged_post_cannot_change_it(client):
    _staff_in(client, EDITORS)
    product = ProductFactory(base_price=Decimal("25.00"), sku_code="MUG")
    edit_url = reverse("catalog_product:edit", args=[product.pk])
    form = client.get(edit_url).content.decode()
    assert 'name="base_price"' in form and "disabled" in form.split('name="base_price"')[1].split(">")[0]
    response = client.post(edit_url, _product_form_data(name=product.name, slug=product.slug, sku_code="MUG",
                                                        base_price="1.00", **{"action-publish": "action-publish"}))
    assert response.status_code in (200, 302)
    product.refresh_from_db()
    assert product.base_price == Decimal("25.00")


def test_shop_manager_changes_the_base_price_and_it_is_logged(client):
    manager = _staff_in(client, SHOP_MANAGERS)
    product = ProductFactory(base_price=Decimal("25.00"), sku_code="MUG")
    edit_url = reverse("catalog_product:edit", args=[product.pk])
    response = client.post(edit_url, _product_form_data(name=product.name, slug=product.slug, sku_code="MUG",
                                                        base_price="27.50", **{"action-publish": "action-publish"}))
    assert response.status_code == 302, response.content[:2000]
    product.refresh_from_db()
    assert product.base_price == Decimal("27.50")
    entry = ModelLogEntry.objects.get(object_id=str(product.pk), action="cartwheel.price.change")
    assert entry.user == manager and entry.data["to"] == "27.50"


def test_sku_prefix_is_generated_from_the_name_when_left_empty():
    assert sku_prefix_from_name("Classic Tee") == "CTEE"
    assert sku_prefix_from_name("Mug") == "MUG"
    assert sku_prefix_from_name("  ") == "ITEM"
    product = ProductFactory(name="Organic Cotton Hoodie", sku_code="", product_type=clothing_type())
    assert Product.objects.get(pk=product.pk).sku_code == "OCHOODIE"
    created = variants_generate(product=product)
    assert created and all(v.sku.startswith("OCHOODIE-") for v in created)
    assert not any(v.sku.startswith("P") and v.sku[1:].split("-")[0].isdigit() for v in created)


def test_product_form_accepts_an_empty_sku_prefix_and_fills_it(client):
    _staff_in(client, SHOP_MANAGERS)
    product = ProductFactory(name="Travel Mug", sku_code="TMUG")
    edit_url = reverse("catalog_product:edit", args=[product.pk])
    response = client.post(edit_url, _product_form_data(name="Travel Mug", slug=product.slug, sku_code="",
                                                        **{"action-publish": "action-publish"}))
    assert response.status_code == 302, response.content[:2000]
    product.refresh_from_db()
    assert product.sku_code == "TMUG"
