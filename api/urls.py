"""/api/v1/: one include per area; each area owns its routers, serializers and views."""

from django.urls import include, path, re_path

from .not_found import api_path_not_found

urlpatterns = [
    path("", include("api.catalog.urls")),
    path("", include("api.cart.urls")),
    path("", include("api.orders.urls")),
    path("", include("api.accounts.urls")),
    path("", include("api.promotions.urls")),
    path("", include("api.reviews.urls")),
    path("", include("api.cms.urls")),
    re_path(r"", api_path_not_found),  # last: any other path under /api/v1/ is a JSON 404
]
