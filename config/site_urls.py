"""Server-rendered shop routes that are not Wagtail pages (cart, checkout, account, tracking...).

Each app adds its own `site_urls` module here.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("cms_pages.urls")),  # search, robots.txt, sitemap.xml
    path("", include("commerce.accounts.site_urls")),
    # shop/, shop/category/<slug>/, shop/product/<slug>/: the catalogue's views through the ShopPage
    path("", include("cms_pages.shop_urls")),
    path("", include("commerce.cart.site_urls")),  # cart/, cart/add/
    # back-in-stock/, cart/restore/<token>/, cart/reminders/stop/<token>/
    path("", include("commerce.marketing.site_urls")),
    path("", include("commerce.orders.site_urls")),  # checkout/, checkout/confirmation/<number>/
    path("", include("commerce.reviews.site_urls")),  # wishlist/, reviews/<slug>/write/
    path("", include("commerce.promotions.site_urls")),  # cart/coupon/, cart/coupon/remove/
]
