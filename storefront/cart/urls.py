from django.urls import path

from . import views

app_name = "cart"

urlpatterns = [
    path("cart/", views.cart_detail, name="detail"),
    path("cart/add/", views.cart_add, name="add"),
    path("cart/lines/<id:line_id>/", views.cart_line_update, name="line_update"),
    path("cart/lines/<id:line_id>/remove/", views.cart_line_delete, name="line_remove"),
]
