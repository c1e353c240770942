from django.urls import path

from . import checkout_site_views, tracking_site_views

app_name = "orders"

urlpatterns = [
    path("checkout/", checkout_site_views.checkout_page, name="checkout"),
    path("checkout/confirmation/<str:number>/", checkout_site_views.checkout_confirmation,
         name="checkout_confirmation"),
    path("track/", tracking_site_views.track_page, name="track"),
]
