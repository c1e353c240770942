"""Admin forms of the catalogue: the product form with its type's attributes, the variant grid and the
variant generator.

Design of the product form: the product type is chosen first (the "Add product" button leads to a
short "choose a product type" step, see views.ProductChooseTypeView) and is fixed from then on. That
keeps one simple rule for the editor — the form always shows exactly the attributes of this product's
type — and avoids a form that has to rebuild itself, with JavaScript, when a select changes. Each
product attribute of the type becomes one form field (choice -> select of its values, multiple choice
-> checkboxes, text / number / yes-no -> inputs); on save the answers become ProductAttributeValue
rows set on the in-memory cluster, so they ride on the product's revisions and go live on publish.
"""

from decimal import Decimal

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from commerce.core.audit import AuditAction, audit_log

from .models import Attribute, AttributeValue, ProductAttributeValue, ProductTypeAttribute, ProductVariant

ATTRIBUTE_FIELD_PREFIX = "attribute_"


def _attribute_field(attribute: Attribute, values: list[AttributeValue]) -> forms.Field:
    label = f"{attribute.name} ({attribute.unit})" if attribute.unit else attribute.name
    choices = [(v.pk, v.name) for v in values]
    if attribute.type == Attribute.Type.CHOICE:
        return forms.TypedChoiceField(
            label=label, required=False, coerce=int, choices=[("", "---------"), *choices]
        )
    if attribute.type == Attribute.Type.MULTI_CHOICE:
        return forms.TypedMultipleChoiceField(
            label=label, required=False, coerce=int, choices=choices, widget=forms.CheckboxSelectMultiple
        )
    if attribute.type == Attribute.Type.NUMBER:
        return forms.DecimalField(label=label, required=False, max_digits=14, decimal_places=4)
    if attribute.type == Attribute.Type.BOOLEAN:
        # three states: unknown / yes / no, so "not set" stays distinguishable from "no"
        return forms.NullBooleanField(label=label, required=False)
    return forms.CharField(label=label, required=False, max_length=255)


class ProductAdminForm(WagtailAdminModelForm):
    """The product form, with one field per product attribute of the product's (fixed) type."""

    PRICE_PERMISSION = "catalog.change_product_price"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "sku_code" in self.fields:
            self.fields["sku_code"].required = False
        user = getattr(self, "for_user", None)
        if "base_price" in self.fields and user is not None and not user.has_perm(self.PRICE_PERMISSION):
            # Read-only for roles without the price permission. A disabled field ignores what is
            # posted and keeps its initial value, so a forged POST cannot change the price either.
            field = self.fields["base_price"]
            field.disabled = True
            field.help_text = "Only shop managers can change prices."
            if self.instance.pk is None:
                self.initial["base_price"] = Decimal("0.00")
        self.attribute_fields: list[tuple[str, Attribute]] = []
        if not self.instance.product_type_id:
            return
        links = (
            ProductTypeAttribute.objects.filter(
                product_type_id=self.instance.product_type_id, role=ProductTypeAttribute.Role.PRODUCT
            )
            .select_related("attribute")
            .order_by("sort_order", "id")
        )
        attributes = [link.attribute for link in links]
        values_by_attribute: dict[int, list[AttributeValue]] = {a.pk: [] for a in attributes}
        for value in AttributeValue.objects.filter(attribute__in=attributes).order_by("sort_order", "id"):
            values_by_attribute[value.attribute_id].append(value)

        current: dict[int, list[ProductAttributeValue]] = {}
        for row in self.instance.attribute_values.all():
            current.setdefault(row.attribute_id, []).append(row)

        for attribute in attributes:
            name = f"{ATTRIBUTE_FIELD_PREFIX}{attribute.slug}"
            self.fields[name] = _attribute_field(attribute, values_by_attribute[attribute.pk])
            self.attribute_fields.append((name, attribute))
            rows = current.get(attribute.pk, [])
            if rows:
                self.initial[name] = self._initial_value(attribute, rows)

    @staticmethod
    def _initial_value(attribute: Attribute, rows: list[ProductAttributeValue]):
        if attribute.type == Attribute.Type.MULTI_CHOICE:
            return [r.value_id for r in rows if r.value_id]
        row = rows[0]
        if attribute.type == Attribute.Type.CHOICE:
            return row.value_id
        if attribute.type == Attribute.Type.NUMBER:
            return row.value_number
        if attribute.type == Attribute.Type.BOOLEAN:
            return row.value_boolean
        return row.value_text

    def _rows_for(self, attribute: Attribute, answer) -> list[ProductAttributeValue]:
        if answer in (None, "", []):
            return []
        if attribute.type == Attribute.Type.MULTI_CHOICE:
            return [ProductAttributeValue(attribute=attribute, value_id=v) for v in answer]
        if attribute.type == Attribute.Type.CHOICE:
            return [ProductAttributeValue(attribute=attribute, value_id=answer)]
        if attribute.type == Attribute.Type.NUMBER:
            return [ProductAttributeValue(attribute=attribute, value_number=Decimal(answer))]
        if attribute.type == Attribute.Type.BOOLEAN:
            return [ProductAttributeValue(attribute=attribute, value_boolean=answer)]
        return [ProductAttributeValue(attribute=attribute, value_text=answer.strip())]

    def save(self, commit=True):
        managed = {attribute.pk for _, attribute in self.attribute_fields}
        # Rows of attributes this form does not show (none, while the type is fixed) are kept as they are.
        rows = [row for row in self.instance.attribute_values.all() if row.attribute_id not in managed]
        for name, attribute in self.attribute_fields:
            rows += self._rows_for(attribute, self.cleaned_data.get(name))
        for order, row in enumerate(rows):
            row.sort_order = order
        # Set on the cluster, in memory: saved with the product, or kept in a draft revision.
        self.instance.attribute_values = rows
        if self.instance.pk and "base_price" in self.changed_data:
            audit_log(instance=self.instance, action=AuditAction.PRICE_CHANGE, user=getattr(self, "for_user", None),
                      data={"subject": self.instance.name, "from": self.initial.get("base_price"),
                            "to": self.cleaned_data.get("base_price")})
        return super().save(commit=commit)


class BulkFillForm(forms.Form):
    """The variants screen's "fill selected rows" bar; an empty field leaves that column alone."""

    price = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2,
                               widget=forms.NumberInput(attrs={"step": "0.01", "style": "width: 8em"}))
    stock_on_hand = forms.IntegerField(required=False, min_value=0, label="Stock",
                                       widget=forms.NumberInput(attrs={"style": "width: 6em"}))
    weight = forms.DecimalField(required=False, min_value=0, max_digits=8, decimal_places=3, label="Weight (kg)",
                                widget=forms.NumberInput(attrs={"step": "0.001", "style": "width: 6em"}))

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value is not None}


class VariantRowForm(forms.ModelForm):
    """One row of the variant grid. The SKU / stock rules are checked by services.variants_update."""

    class Meta:
        model = ProductVariant
        fields = ["sku", "price", "stock_on_hand", "weight", "is_active"]
        widgets = {
            "sku": forms.TextInput(attrs={"size": 18}),
            "price": forms.NumberInput(attrs={"step": "0.01", "min": "0", "style": "width: 8em"}),
            "stock_on_hand": forms.NumberInput(attrs={"min": "0", "style": "width: 6em"}),
            "weight": forms.NumberInput(attrs={"step": "0.001", "min": "0", "style": "width: 6em"}),
        }

    def validate_unique(self):
        """SKU clashes (also between rows of the same grid) are reported by the service."""


class _VariantGridBaseFormSet(forms.BaseModelFormSet):
    def validate_unique(self):
        """Duplicate SKUs between rows are reported per row by the service (see VariantRowForm)."""


VariantGridFormSet = forms.modelformset_factory(
    ProductVariant, form=VariantRowForm, formset=_VariantGridBaseFormSet, extra=0, can_delete=False
)


class GenerateVariantsForm(forms.Form):
    """Per variant attribute of the product's type, the values to combine.

    Pre-checked: the values the product's variants already use, so "generate" fills the gaps of the
    current range; on a product without variants nothing is checked, so the editor picks on purpose
    rather than multiplying every size by every colour by accident.
    """

    def __init__(
        self,
        *args,
        variant_attributes: list[Attribute],
        values: list[AttributeValue],
        used_value_ids: set[int] = frozenset(),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.variant_attributes = variant_attributes
        for attribute in variant_attributes:
            choices = [(v.pk, v.name) for v in values if v.attribute_id == attribute.pk]
            self.fields[f"values_{attribute.pk}"] = forms.TypedMultipleChoiceField(
                label=attribute.name,
                coerce=int,
                choices=choices,
                initial=[pk for pk, _ in choices if pk in used_value_ids],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"required": f"Choose at least one {attribute.name.lower()}."},
            )

    def values_by_attribute(self) -> dict[int, list[int]] | None:
        if not self.variant_attributes:
            return None
        return {a.pk: self.cleaned_data[f"values_{a.pk}"] for a in self.variant_attributes}
