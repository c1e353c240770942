"""The shop's fixed URLs, with the names the templates and Product.get_absolute_url use."""

from django.urls import path

from storefront.catalogue import shop_routes

urlpatterns = [
    path("shop/", shop_routes.shop_list_view, name="shop-list"),
    path("shop/category/<slug:slug>/", shop_routes.shop_category_view, name="shop-category"),
    path("shop/product/<slug:slug>/", shop_routes.shop_product_view, name="shop-product"),
]
