from django.urls import path

from .views import CategoryTreeView, ProductDetailView, ProductListView

urlpatterns = [
    path("products/", ProductListView.as_view(), name="api-product-list"),
    path("products/<slug:slug>/", ProductDetailView.as_view(), name="api-product-detail"),
    path("categories/", CategoryTreeView.as_view(), name="api-category-tree"),
]
