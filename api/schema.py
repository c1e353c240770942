def exclude_wagtail_endpoints(endpoints):
    """drf-spectacular preprocessing hook: Wagtail's API v2 under /api/v1/cms/ is not the shop's contract."""
    return [ep for ep in endpoints if not ep[0].startswith("/api/v1/cms/")]
