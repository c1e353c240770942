from django.urls import path

from .views import BannerListView
from .wagtail import api_router

urlpatterns = [
    path("banners/", BannerListView.as_view(), name="api-banner-list"),
    path("cms/", api_router.urls),
]
