"""Mounted after api.catalog.urls: `products/<slug>/reviews/` is its own path, so it never reaches
(or is shadowed by) the catalogue's `products/<slug>/` detail route."""

from django.urls import path

from . import views

urlpatterns = [
    path("products/<slug:slug>/reviews/", views.ProductReviewsView.as_view(), name="api-product-reviews"),
    path("wishlist/", views.WishlistView.as_view(), name="api-wishlist"),
    path("wishlist/<id:pk>/", views.WishlistItemView.as_view(), name="api-wishlist-item"),
]
