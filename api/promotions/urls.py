from django.urls import path

from . import views

urlpatterns = [
    path("cart/coupon/", views.CartCouponView.as_view(), name="api-cart-coupon"),
]
