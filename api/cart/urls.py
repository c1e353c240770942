from django.urls import path

from . import views

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="api-cart"),
    path("cart/items/", views.CartItemsView.as_view(), name="api-cart-items"),
    path("cart/items/<id:line_id>/", views.CartItemDetailView.as_view(), name="api-cart-item"),
]
