from django.urls import include, path

urlpatterns = [
    path("", include("api.orders.checkout_urls")),
    path("", include("api.orders.order_urls")),
]
