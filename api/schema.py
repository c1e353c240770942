def exclude_wagtail_endpoints(endpoints):
    """drf-spectacular preprocessing hook: the schema documents the shop's API only.

    Wagtail's public API v2 (/api/v1/cms/) and its admin API (/admin/api/) are Wagtail's contract,
    not ours, and they are left out.
    """
    return [
        ep for ep in endpoints if ep[0].startswith("/api/v1/") and not ep[0].startswith("/api/v1/cms/")
    ]
