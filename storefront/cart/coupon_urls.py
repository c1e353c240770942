from django.urls import path

from . import coupon_views as site_views

urlpatterns = [
    path("cart/coupon/", site_views.cart_coupon_apply_view, name="cart-coupon-apply"),
    path("cart/coupon/remove/", site_views.cart_coupon_remove_view, name="cart-coupon-remove"),
]
