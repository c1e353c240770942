from django.urls import path

from . import views

urlpatterns = [
    path("back-in-stock/", views.BackInStockView.as_view(), name="back-in-stock"),
    path("back-in-stock/unsubscribe/", views.BackInStockUnsubscribeView.as_view(), name="back-in-stock-unsubscribe"),
    path("cart/email/", views.CartEmailView.as_view(), name="cart-email"),
]
