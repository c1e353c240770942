"""The project's URLs plus uploaded media, for the live server of the browser tests (DEBUG is off
there, so Django would not serve product pictures otherwise)."""

from django.conf import settings
from django.urls import re_path
from django.views.static import serve

from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns


def media(request, path):
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns = [re_path(r"^media/(?P<path>.*)$", media), *project_urlpatterns]
