from django.urls import path

from . import checkout_views as views

urlpatterns = [
    path("checkout/preview/", views.CheckoutPreviewView.as_view(), name="api-checkout-preview"),
    path("checkout/", views.CheckoutView.as_view(), name="api-checkout"),
    path("shipping-methods/", views.ShippingMethodListView.as_view(), name="api-shipping-methods"),
]
