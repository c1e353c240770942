"""The rendered shop's routes that are not Wagtail pages, by area (config.urls mounts them before Wagtail)."""

from django.urls import include, path

urlpatterns = [
    path("", include("storefront.search.urls")),  # search, robots.txt, sitemap.xml
    path("", include("storefront.account.urls")),
    # shop/, shop/category/<slug>/, shop/product/<slug>/: the catalogue's views through the ShopPage
    path("", include("storefront.catalogue.urls")),
    path("", include("storefront.cart.urls")),  # cart/, cart/add/
    # back-in-stock/, cart/restore/<token>/, cart/reminders/stop/<token>/
    path("", include("storefront.marketing.urls")),
    path("", include("storefront.checkout.urls")),  # checkout/, checkout/confirmation/<number>/, track/
    path("", include("storefront.reviews.urls")),  # wishlist/, reviews/<slug>/write/
    path("", include("storefront.cart.coupon_urls")),  # cart/coupon/, cart/coupon/remove/
]
