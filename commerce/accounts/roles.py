"""Staff roles as Wagtail groups, each with exactly the permissions its work needs.

One source of truth for the data migration (`0002_roles`) and the `sync_roles` command, which
re-applies it after other apps add models. A permission is `app_label.codename`, or `app_label.*`
for every permission of an app's models (including custom ones such as orders.change_order_status).

- Editors build the site and its catalogue *content*: pages (add, edit, publish under the root),
  banners, navigation, redirects, the image and document library, and products and categories
  (names, descriptions, images, SEO, publishing). They can look at product types and attributes
  but not change them, and cannot touch variants, prices or stock: that is shop operations.
- Shop managers run the shop: the whole catalogue including product types, variants, prices and
  stock; orders (view, edit, move through the workflow, ship, refund, handle returns, add notes,
  see revenue; never delete: orders are the books); shipping zones, methods and tax rates; coupons and automatic promotions; reviews and
  wishlists; the shop's settings; and uploading product images.
- Support answers customers: orders read-only plus timeline notes, and review moderation.
  No catalogue, coupons, pages or settings, and no revenue figures (orders.view_revenue).
"""

import logging
from dataclasses import dataclass, field

logger = logging.getLogger(__name__)

ACCESS_ADMIN = "wagtailadmin.access_admin"


@dataclass(frozen=True)
class Role:
    name: str
    permissions: tuple[str, ...]
    # Wagtail page permissions on the root page (inherited by the whole tree)
    page_permissions: tuple[str, ...] = ()
    # Wagtail collection permissions on the root collection (images and documents)
    collection_permissions: tuple[str, ...] = ()
    notes: str = field(default="", compare=False)


EDITORS = Role(
    name="Editors",
    permissions=(
        ACCESS_ADMIN,
        "cms_pages.add_banner",
        "cms_pages.change_banner",
        "cms_pages.delete_banner",
        "cms_pages.publish_banner",
        "cms_pages.view_banner",
        "cms_pages.change_navigationsettings",
        "wagtailredirects.add_redirect",
        "wagtailredirects.change_redirect",
        "wagtailredirects.delete_redirect",
        "catalog.add_product",
        "catalog.change_product",
        "catalog.publish_product",
        "catalog.view_product",
        "catalog.add_category",
        "catalog.change_category",
        "catalog.view_category",
        "catalog.view_producttype",
        "catalog.view_attribute",
    ),
    page_permissions=("add_page", "change_page", "publish_page"),
    collection_permissions=(
        "add_image",
        "change_image",
        "choose_image",
        "delete_image",
        "add_document",
        "change_document",
        "choose_document",
        "delete_document",
    ),
)

SHOP_MANAGERS = Role(
    name="Shop managers",
    permissions=(
        ACCESS_ADMIN,
        "catalog.*",
        "orders.view_order",
        "orders.change_order",
        "orders.change_order_status",
        "orders.add_order_note",
        "orders.refund_order",
        "orders.manage_returns",
        "orders.view_revenue",
        "orders.view_orderline",
        "orders.view_orderstatuslog",
        "orders.add_shippingzone",
        "orders.change_shippingzone",
        "orders.delete_shippingzone",
        "orders.view_shippingzone",
        "orders.add_shippingmethod",
        "orders.change_shippingmethod",
        "orders.delete_shippingmethod",
        "orders.view_shippingmethod",
        "orders.add_taxrate",
        "orders.change_taxrate",
        "orders.delete_taxrate",
        "orders.view_taxrate",
        "promotions.*",
        "reviews.*",
        "cms_pages.change_shopsettings",
        "emails.*",
        "imports.*",
        "marketing.*",
        "webhooks.*",
    ),
    collection_permissions=("add_image", "change_image", "choose_image"),
)

SUPPORT = Role(
    name="Support",
    permissions=(
        ACCESS_ADMIN,
        "orders.view_order",
        "orders.add_order_note",
        "orders.view_orderline",
        "orders.view_orderstatuslog",
        "reviews.view_review",
        "reviews.change_review",
        "reviews.view_reviewimage",
    ),
)

ROLES = (EDITORS, SHOP_MANAGERS, SUPPORT)


def _resolve_permissions(Permission, specs) -> tuple[list, list[str]]:
    """Permission rows for `app.codename` / `app.*` specs, and the specs that matched nothing."""
    found, missing = [], []
    for spec in specs:
        app_label, codename = spec.split(".", 1)
        qs = Permission.objects.filter(content_type__app_label=app_label)
        if codename != "*":
            qs = qs.filter(codename=codename)
        rows = list(qs)
        if not rows:
            missing.append(spec)
        found.extend(rows)
    return found, missing


def _tree_root(model):
    # treebeard MP trees: the single node at depth 1 is the root
    return model.objects.filter(depth=1).order_by("path").first()


def roles_sync(*, apps=None) -> dict[str, list[str]]:
    """Create or update every role's group so it holds exactly its permissions.

    `apps` is the migration's app registry inside a data migration, the global one otherwise.
    Returns {role name: [specs that matched no permission]} so callers can warn about models
    that do not exist (yet).
    """
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    root_page = _tree_root(apps.get_model("wagtailcore", "Page"))
    root_collection = _tree_root(apps.get_model("wagtailcore", "Collection"))

    report = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        permissions, missing = _resolve_permissions(Permission, role.permissions)
        group.permissions.set(permissions)

        page_perms, page_missing = _resolve_permissions(
            Permission, [f"wagtailcore.{codename}" for codename in role.page_permissions]
        )
        GroupPagePermission.objects.filter(group=group).exclude(page=root_page, permission__in=page_perms).delete()
        if root_page is not None:
            for permission in page_perms:
                GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=permission)

        collection_perms, collection_missing = _resolve_permissions(
            Permission,
            [
                f"{'wagtaildocs' if codename.endswith('_document') else 'wagtailimages'}.{codename}"
                for codename in role.collection_permissions
            ],
        )
        GroupCollectionPermission.objects.filter(group=group).exclude(
            collection=root_collection, permission__in=collection_perms
        ).delete()
        if root_collection is not None:
            for permission in collection_perms:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )

        report[role.name] = missing + page_missing + collection_missing
        for spec in report[role.name]:
            logger.warning("role %s: no permission %s (model not installed yet?)", role.name, spec)
    return report
