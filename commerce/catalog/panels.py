"""A panel that renders the product-type attribute fields ProductAdminForm builds at run time.

FieldPanel needs a field name known when the edit handler is built, but these fields depend on the
product's type, so this panel asks the bound form which attribute fields it has.
"""

from wagtail.admin.panels import Panel


class ProductAttributesPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "catalog/admin/product_attributes_panel.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["fields"] = [self.form[name] for name, _ in getattr(self.form, "attribute_fields", [])]
            context["product_type"] = self.instance.product_type if self.instance.product_type_id else None
            return context
