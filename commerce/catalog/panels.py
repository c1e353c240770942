"""A panel that renders the product-type attribute fields ProductAdminForm builds at run time.

FieldPanel needs a field name known when the edit handler is built, but these fields depend on the
product's type, so this panel asks the bound form which attribute fields it has.
"""

from django.utils.safestring import mark_safe
from wagtail.admin.panels import Panel, TabbedInterface


class ProductAttributesPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "catalog/admin/product_attributes_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["fields"] = [self.form[name] for name, _ in getattr(self.form, "attribute_fields", [])]
            context["product_type"] = self.instance.product_type if self.instance.product_type_id else None
            return context


class ProductVariantsPanel(Panel):
    """The product form's Variants tab: the variants at a glance and the way to the variants screen."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "catalog/admin/product_variants_panel.html"

        def get_context_data(self, parent_context=None):
            from django.urls import reverse

            context = super().get_context_data(parent_context)
            product = self.instance
            if product.pk:
                context["variants"] = list(product.variants.order_by("sort_order", "id"))
                context["variants_url"] = reverse("catalog_product:variants", args=[product.pk])
            context["product"] = product
            return context


class ProductEditHandler(TabbedInterface):
    """The product form's tabs. The attribute fields are rendered by ProductAttributesPanel; without
    this, Wagtail would render them a second time at the bottom as "fields no panel claimed"."""

    class BoundPanel(TabbedInterface.BoundPanel):
        def render_missing_fields(self):
            claimed = set(self.panel.get_form_options().get("fields", []))
            claimed.update(name for name, _ in getattr(self.form, "attribute_fields", []))
            return mark_safe(  # noqa: S308 - Django's own rendering of bound fields
                "".join(str(self.form[name]) for name in self.form.fields if name not in claimed)
            )
