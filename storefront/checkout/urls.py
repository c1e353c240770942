from django.urls import path

from storefront.checkout import views as checkout_site_views
from storefront.tracking import views as tracking_site_views

# the namespace stays "orders": templates and emails reverse orders:checkout, orders:track
app_name = "orders"

urlpatterns = [
    path("checkout/", checkout_site_views.checkout_page, name="checkout"),
    path("checkout/confirmation/<str:number>/", checkout_site_views.checkout_confirmation,
         name="checkout_confirmation"),
    path("track/", tracking_site_views.track_page, name="track"),
]
