"""The project's URLs plus the floor: the cheapest possible Django JSON view, to compare against."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns

FLOOR_BODY = b'{"status":"ok","items":[]}'


def floor_view(request):
    return HttpResponse(FLOOR_BODY, content_type="application/json")


urlpatterns = [path("bench/floor/", floor_view, name="bench-floor"), *project_urlpatterns]
