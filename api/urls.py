"""/api/v1/: one include per area; each area owns its routers, serializers and views."""

from django.urls import include, path

urlpatterns = [
    path("", include("api.catalog.urls")),
    path("", include("api.cart.urls")),
    path("", include("api.orders.urls")),
    path("", include("api.accounts.urls")),
    path("", include("api.promotions.urls")),
    path("", include("api.reviews.urls")),
    path("", include("api.cms.urls")),
    path("", include("api.marketing.urls")),
]
