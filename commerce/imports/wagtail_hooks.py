from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import views


@hooks.register("register_admin_urls")
def register_catalog_import_urls():
    return [path("catalog-import/", include((views.urlpatterns, "catalog_import"), namespace="catalog_import"))]


@hooks.register("register_admin_menu_item")
def register_catalog_import_menu_item():
    return MenuItem("Import / export", reverse("catalog_import:index"), icon_name="upload", order=830,
                    name="catalog-import")


@hooks.register("construct_main_menu")
def hide_import_without_permission(request, menu_items):
    if not request.user.has_perm(views.PERMISSION):
        menu_items[:] = [item for item in menu_items if item.name != "catalog-import"]
