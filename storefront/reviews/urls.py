from django.urls import path

from . import views as site_views

urlpatterns = [
    path("reviews/<slug:slug>/write/", site_views.review_write, name="review-write"),
    path("wishlist/", site_views.wishlist_page, name="wishlist"),
    path("wishlist/add/", site_views.wishlist_add, name="wishlist-add"),
    path("wishlist/<id:pk>/remove/", site_views.wishlist_remove, name="wishlist-remove"),
]
