"""The staff roles: each group can do its work in the Wagtail admin and is refused the rest.

Wagtail answers a browser without a permission with a redirect to the dashboard and an error
message, and an XHR/script with 403; the order desk's action buttons answer 403 to any POST.
Every refusal below also checks that nothing was written.
"""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import GroupCollectionPermission, GroupPagePermission, Page

from cms_pages.models import Banner
from commerce.accounts.roles import ROLES
from commerce.catalog.models import Category
from commerce.catalog.tests.factories import ProductVariantFactory
from commerce.orders.models import Order, OrderStatusLog
from commerce.orders.tests.factories import OrderFactory
from commerce.promotions.models import Coupon

from .factories import UserFactory

pytestmark = pytest.mark.django_db

XHR = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}


@pytest.fixture
def as_role(client):
    call_command("sync_roles", stdout=StringIO())  # picks up models added after 0002

    def login(name):
        user = UserFactory()
        user.groups.add(Group.objects.get(name=name))
        client.force_login(user)
        return client

    return login


def assert_refused(client, url, data=None):
    """Refused for a browser (redirect to the dashboard) and for a script (403), by GET and POST."""
    for method in ("get", "post"):
        response = getattr(client, method)(url, data or {})
        assert response.status_code in (302, 403), (method, url, response.status_code)
        if response.status_code == 302:
            assert response["Location"] == reverse("wagtailadmin_home"), (method, url)
        assert getattr(client, method)(url, data or {}, **XHR).status_code == 403, (method, url)


def _banner_form(title):
    return {"title": title, "placement": "home-hero", "sort_order": "0", "link_label": "Shop now"}


def _category_form(name):
    return {"name": name, "slug": name.lower(), "sort_order": "0", "is_active": "on"}


def _order_desk(action, order):
    return reverse(f"orders_order_modeladmin_{action}", args=[order.pk])


def test_roles_migration_created_three_groups_with_admin_access():
    for role in ROLES:
        group = Group.objects.get(name=role.name)
        assert group.permissions.filter(codename="access_admin").exists()
    editors = Group.objects.get(name="Editors")
    assert set(
        GroupPagePermission.objects.filter(group=editors, page=Page.get_first_root_node()).values_list(
            "permission__codename", flat=True
        )
    ) == {"add_page", "change_page", "publish_page"}
    assert GroupCollectionPermission.objects.filter(group=editors, permission__codename="add_image").exists()
    support = Group.objects.get(name="Support")
    assert sorted(f"{p.content_type.app_label}.{p.codename}" for p in support.permissions.all()) == [
        "orders.add_order_note",
        "orders.view_order",
        "orders.view_orderline",
        "orders.view_orderstatuslog",
        "reviews.change_review",
        "reviews.view_review",
        "reviews.view_reviewimage",
        "wagtailadmin.access_admin",
    ]


def test_sync_roles_resolves_every_permission_and_is_idempotent():
    from commerce.accounts.roles import roles_sync

    assert roles_sync() == {role.name: [] for role in ROLES}
    before = {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}
    call_command("sync_roles", stdout=StringIO())
    assert before == {g.name: set(g.permissions.values_list("pk", flat=True)) for g in Group.objects.all()}


def test_sync_roles_removes_permissions_added_by_hand():
    from django.contrib.auth.models import Permission

    support = Group.objects.get(name="Support")
    support.permissions.add(Permission.objects.get(codename="delete_order"))
    call_command("sync_roles", stdout=StringIO())
    assert not support.permissions.filter(codename="delete_order").exists()


def test_editors_build_pages_banners_and_catalogue_content(as_role):
    client = as_role("Editors")
    assert client.get(reverse("wagtailadmin_explore", args=[Page.get_first_root_node().pk])).status_code == 200
    response = client.post(reverse("wagtailsnippets_cms_pages_banner:add"), _banner_form("Summer sale"))
    assert response.status_code == 302
    assert Banner.objects.filter(title="Summer sale").exists()
    response = client.post(reverse("catalog_category:add"), _category_form("Shoes"))
    assert response.status_code == 302
    assert Category.objects.filter(slug="shoes").exists()
    variant = ProductVariantFactory()
    assert client.get(reverse("catalog_product:list")).status_code == 200
    assert client.get(reverse("catalog_product:edit", args=[variant.product.pk])).status_code == 200


def test_editors_refused_stock_coupons_orders_reviews(as_role, client):
    client = as_role("Editors")
    variant = ProductVariantFactory(stock_on_hand=3)
    order = OrderFactory()
    assert_refused(client, reverse("catalog_product:variants", args=[variant.product.pk]))
    assert_refused(client, reverse("catalog_producttype:add"), {"name": "Hacked type"})
    assert_refused(client, reverse("promotions_coupon:add"), {"code": "HACK"})
    assert_refused(client, reverse("reviews_review:list"))
    assert_refused(client, reverse("orders_order_modeladmin_index"))
    assert client.post(_order_desk("confirm", order), {}).status_code == 403
    variant.refresh_from_db()
    order.refresh_from_db()
    assert variant.stock_on_hand == 3 and order.status == Order.Status.PENDING
    assert not Coupon.objects.exists()


def test_shop_managers_run_catalogue_orders_coupons_reviews(as_role):
    client = as_role("Shop managers")
    variant = ProductVariantFactory()
    assert client.get(reverse("catalog_product:variants", args=[variant.product.pk])).status_code == 200
    assert client.get(reverse("catalog_producttype:add")).status_code == 200
    assert client.get(reverse("promotions_coupon:add")).status_code == 200
    assert client.get(reverse("promotions_automatic:list")).status_code == 200
    assert client.get(reverse("reviews_review:list")).status_code == 200
    order = OrderFactory()
    assert client.get(_order_desk("inspect", order)).status_code == 200
    response = client.post(_order_desk("confirm", order), {})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Order.Status.CONFIRMED


def test_shop_managers_refused_pages_and_banners(as_role):
    client = as_role("Shop managers")
    root = Page.get_first_root_node()
    assert_refused(client, reverse("wagtailsnippets_cms_pages_banner:add"), _banner_form("Hack"))
    response = client.get(reverse("wagtailadmin_pages:add_subpage", args=[root.pk]))
    assert response.status_code in (302, 403)
    assert not Banner.objects.exists()


def test_support_reads_orders_adds_notes_and_moderates_reviews(as_role):
    client = as_role("Support")
    order = OrderFactory()
    assert client.get(reverse("orders_order_modeladmin_index")).status_code == 200
    assert client.get(_order_desk("inspect", order)).status_code == 200
    response = client.post(_order_desk("add_note", order), {"add_note-note": "Customer called about delivery."})
    assert response.status_code == 302
    assert OrderStatusLog.objects.filter(order=order, note="Customer called about delivery.").exists()
    assert client.get(reverse("reviews_review:list")).status_code == 200


def test_support_refused_order_workflow_catalogue_coupons_banners(as_role):
    client = as_role("Support")
    order = OrderFactory()
    for action in ("confirm", "cancel", "mark_paid"):
        assert client.post(_order_desk(action, order), {}).status_code == 403
    order.refresh_from_db()
    assert order.status == Order.Status.PENDING and order.payment_status == Order.PaymentStatus.UNPAID
    assert_refused(client, reverse("catalog_product:list"))
    assert_refused(client, reverse("catalog_category:add"), _category_form("Hacked"))
    assert_refused(client, reverse("promotions_coupon:add"), {"code": "HACK"})
    assert_refused(client, reverse("wagtailsnippets_cms_pages_banner:add"), _banner_form("Hack"))
    assert not Category.objects.exists() and not Coupon.objects.exists() and not Banner.objects.exists()
