"""Server-rendered shop routes that are not Wagtail pages (cart, checkout, account, tracking...).

Each app adds its own `site_urls` module here.
"""

urlpatterns = []
