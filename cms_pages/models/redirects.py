from django.db import models


class ProductSlugRedirect(models.Model):
    """A slug a product used to have: /shop/product/<old>/ answers with a permanent redirect.

    Written by a pre_save signal (cms_pages.signals) whenever a product's slug changes, so links
    shared before the rename and search engines' copies keep working.
    """

    old_slug = models.SlugField(max_length=220, unique=True)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.old_slug} -> {self.product_id}"
