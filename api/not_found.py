"""Unknown paths under /api/v1/ answer the API's JSON 404, not the site's HTML page.

The last pattern of api/urls.py: a path that matches no endpoint (`/api/v1/cart/items/abc/`, an
id that is not a number) is still an API request, and its client parses `{"error": ...}`. A path
that only lacks its trailing slash keeps Django's APPEND_SLASH redirect (GET/HEAD), as before.
"""

from django.conf import settings
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def api_path_not_found(request, *args, **kwargs):
    path = request.path_info
    if settings.APPEND_SLASH and not path.endswith("/") and request.method in ("GET", "HEAD"):
        try:
            match = resolve(f"{path}/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_path_not_found:
            query = request.META.get("QUERY_STRING", "")
            return HttpResponsePermanentRedirect(f"{request.path}/" + (f"?{query}" if query else ""))
    body = {"error": {"code": "not_found", "message": "No API endpoint at this path.", "details": None}}
    return JsonResponse(body, status=404)
