"""The catalogue in the Wagtail admin: snippet viewsets (registered in wagtail_hooks.py), the
"choose a product type" step before adding a product, and the product's variant screen."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.generic import TemplateView
from wagtail.admin.panels import (
    FieldPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    PublishingPanel,
    TitleFieldPanel,
)
from wagtail.admin.ui.tables import BooleanColumn, Column, LiveStatusTagColumn
from wagtail.admin.utils import set_query_params
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import Button
from wagtail.admin.widgets.button import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views.snippets import (
    CreateView,
    EditView,
    IndexView,
    PreviewOnCreateView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from commerce.core.errors import ApplicationError

from .forms import BulkFillForm, GenerateVariantsForm, ProductAdminForm, VariantGridFormSet
from .models import Attribute, AttributeValue, Category, Product, ProductType, ProductTypeAttribute, ProductVariant
from .panels import ProductAttributesPanel, ProductEditHandler, ProductVariantsPanel
from .services import variants_generate, variants_update

# --- Categories, attributes, product types -----------------------------------------------------


class CategoryViewSet(SnippetViewSet):
    model = Category
    admin_url_namespace = "catalog_category"
    base_url_path = "catalogue/categories"
    icon = "folder-open-inverse"
    menu_label = "Categories"
    list_display = ["name", "parent", "slug", BooleanColumn("is_active", label="Active"), "sort_order"]
    list_filter = ["parent", "is_active"]
    search_fields = ["name", "slug", "description"]
    search_backend_name = None
    ordering = ["parent__name", "sort_order", "name"]
    panels = [
        TitleFieldPanel("name"),  # fills the slug as the editor types
        FieldPanel("slug"),
        FieldPanel("parent"),
        FieldPanel("description"),
        FieldPanel("image"),
        FieldPanel("sort_order"),
        FieldPanel("is_active"),
        MultiFieldPanel([FieldPanel("seo_title"), FieldPanel("search_description")], heading="SEO"),
    ]


class AttributeViewSet(SnippetViewSet):
    model = Attribute
    admin_url_namespace = "catalog_attribute"
    base_url_path = "catalogue/attributes"
    icon = "list-ul"
    menu_label = "Attributes"
    list_display = ["name", "slug", "type", "unit", BooleanColumn("filterable")]
    list_filter = ["type", "filterable"]
    search_fields = ["name", "slug"]
    search_backend_name = None
    panels = [
        TitleFieldPanel("name"),  # fills the slug as the editor types
        FieldPanel("slug"),
        FieldPanel("type"),
        FieldPanel("unit"),
        FieldPanel("filterable"),
        FieldPanel("sort_order"),
        InlinePanel(
            "values",
            heading="Values",
            label="Value",
            help_text="For choice and multiple-choice attributes. The code goes into variant SKUs.",
            panels=[FieldPanel("name"), FieldPanel("slug"), FieldPanel("code")],
        ),
    ]


class ProductTypeViewSet(SnippetViewSet):
    model = ProductType
    admin_url_namespace = "catalog_producttype"
    base_url_path = "catalogue/product-types"
    icon = "form"
    menu_label = "Product types"
    list_display = ["name", "slug", BooleanColumn("is_shipping_required", label="Shipped")]
    list_filter = ["is_shipping_required"]
    search_fields = ["name", "slug"]
    search_backend_name = None
    panels = [
        TitleFieldPanel("name"),  # fills the slug as the editor types
        FieldPanel("slug"),
        FieldPanel("is_shipping_required"),
        InlinePanel(
            "attribute_links",
            heading="Attributes",
            label="Attribute",
            help_text="In order. Variant attributes make the variants; their order is the order of the SKU parts.",
            panels=[FieldPanel("attribute"), FieldPanel("role")],
        ),
    ]


# --- Products ---------------------------------------------------------------------------------


def _chosen_product_type(request) -> ProductType | None:
    type_id = request.GET.get("product_type", "")
    return ProductType.objects.filter(pk=type_id).first() if type_id.isdigit() else None


class ProductCreateView(CreateView):
    """Adding a product starts with its type (see forms.py): without one, ask for it first."""

    def setup(self, request, *args, **kwargs):
        self.product_type = _chosen_product_type(request)
        super().setup(request, *args, **kwargs)

    def dispatch(self, request, *args, **kwargs):
        if self.product_type is None:
            return redirect("catalog_product:choose_type")
        return super().dispatch(request, *args, **kwargs)

    def get_initial_form_instance(self):
        return Product(product_type=self.product_type)

    def get_add_url(self):
        return set_query_params(super().get_add_url(), {"product_type": self.product_type.pk})

    def get_preview_url(self):
        url = super().get_preview_url()
        return url and set_query_params(url, {"product_type": self.product_type.pk})

    def get_page_subtitle(self):
        return f"{self.product_type.name} product"


class ProductPreviewOnCreateView(PreviewOnCreateView):
    def get_object(self):
        return Product(product_type=_chosen_product_type(self.request))


def _variants_button(product: Product, user) -> Button | None:
    if not user.has_perm("catalog.change_productvariant"):
        return None
    return Button(
        "Variants",
        url=reverse("catalog_product:variants", args=[product.pk]),
        icon_name="list-ul",
        priority=5,
    )


class ProductEditView(EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if button := _variants_button(self.object, self.request.user):
            buttons.insert(0, button)
        return buttons


class ProductIndexView(IndexView):
    def get_list_buttons(self, instance):
        buttons = super().get_list_buttons(instance)
        if self.request.user.has_perm("catalog.change_productvariant"):
            buttons.insert(
                0,
                ListingButton(
                    "Variants",
                    url=reverse("catalog_product:variants", args=[instance.pk]),
                    icon_name="list-ul",
                    attrs={"aria-label": f"Variants of '{instance}'"},
                ),
            )
        return buttons


class ProductChooseTypeView(WagtailAdminTemplateMixin, TemplateView):
    """Step one of adding a product: pick its type, which decides the attributes on the form."""

    template_name = "catalog/admin/choose_product_type.html"
    page_title = "New product"
    page_subtitle = "Choose a product type"
    header_icon = "pick"

    def dispatch(self, request, *args, **kwargs):
        if not ModelPermissionPolicy(Product).user_has_permission(request.user, "add"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("catalog_product:list"), "label": "Products"},
            {"url": "", "label": "New product"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        add_url = reverse("catalog_product:add")
        links = ProductTypeAttribute.objects.select_related("attribute").order_by("sort_order", "id")
        by_type: dict[int, list[ProductTypeAttribute]] = {}
        for link in links:
            by_type.setdefault(link.product_type_id, []).append(link)
        context["product_types"] = [
            {
                "product_type": product_type,
                "url": set_query_params(add_url, {"product_type": product_type.pk}),
                "product_attributes": [x.attribute for x in by_type.get(product_type.pk, []) if x.role == "product"],
                "variant_attributes": [x.attribute for x in by_type.get(product_type.pk, []) if x.role == "variant"],
            }
            for product_type in ProductType.objects.order_by("name")
        ]
        context["product_type_add_url"] = reverse("catalog_producttype:add")
        return context


class ProductVariantsView(WagtailAdminTemplateMixin, TemplateView):
    """One screen for a product's variants: the grid (SKU, price, stock, weight, active) and the generator.

    Variants are not ParentalKey children of the product (see models.py), so they are saved straight
    away, not through the product's revisions.
    """

    template_name = "catalog/admin/product_variants.html"
    header_icon = "list-ul"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("catalog.change_productvariant"):
            raise PermissionDenied
        self.product = get_object_or_404(Product.objects.select_related("product_type"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_title(self):
        return "Variants"

    def get_page_subtitle(self):
        return self.product.name

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("catalog_product:list"), "label": "Products"},
            {"url": reverse("catalog_product:edit", args=[self.product.pk]), "label": self.product.name},
            {"url": "", "label": "Variants"},
        ]

    def _variants(self):
        return (
            ProductVariant.objects.filter(product=self.product)
            .prefetch_related("attribute_values__attribute")
            .order_by("sort_order", "id")
        )

    def _generate_form(self, data=None) -> GenerateVariantsForm:
        attributes = list(self.product.product_type.variant_attributes())
        values = list(AttributeValue.objects.filter(attribute__in=attributes).order_by("sort_order", "id"))
        used = set(
            ProductVariant.attribute_values.through.objects.filter(productvariant__product=self.product).values_list(
                "attributevalue_id", flat=True
            )
        )
        return GenerateVariantsForm(
            data, variant_attributes=attributes, values=values, used_value_ids=used, prefix="generate"
        )

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        if "generate" in request.POST:
            return self._post_generate()
        if "bulk_fill" in request.POST:
            return self._post_bulk_fill()
        return self._post_grid()

    def _post_bulk_fill(self):
        """Set the same price / stock / weight on every ticked row (empty fill fields are left alone)."""
        form = BulkFillForm(self.request.POST, prefix="fill")
        ids = [int(i) for i in self.request.POST.getlist("selected") if i.isdigit()]
        if not form.is_valid() or not ids:
            messages.error(self.request, "Tick the variants to fill and enter a valid price, stock or weight."
                           if ids else "Tick at least one variant to fill.")
            return self.render_to_response(self.get_context_data(fill_form=form))
        values = form.values()
        if not values:
            messages.error(self.request, "Enter a price, a stock or a weight to fill in.")
            return self.render_to_response(self.get_context_data(fill_form=form))
        try:
            with transaction.atomic():
                saved = variants_update(product=self.product, changes=dict.fromkeys(ids, values))
        except ApplicationError as error:
            details = error.details if isinstance(error.details, dict) else {}
            problems = "; ".join(f"{m}" for row in details.values() for m in row.values()) or error.message
            messages.error(self.request, f"Nothing was changed: {problems}")
            return self.render_to_response(self.get_context_data(fill_form=form))
        messages.success(self.request, f"{len(ids)} variants filled ({len(saved)} changed).")
        return redirect(self.request.path)

    def _post_generate(self):
        if not self.request.user.has_perm("catalog.add_productvariant"):
            raise PermissionDenied
        form = self._generate_form(self.request.POST)
        if form.is_valid():
            try:
                created = variants_generate(product=self.product, values_by_attribute=form.values_by_attribute())
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                if created:
                    messages.success(self.request, f"{len(created)} variants created. Set their prices and stock below.")
                else:
                    messages.info(self.request, "Every chosen combination already has a variant: nothing to add.")
                return redirect(self.request.path)
        return self.render_to_response(self.get_context_data(generate_form=form))

    def _post_grid(self):
        formset = VariantGridFormSet(self.request.POST, queryset=self._variants(), prefix="variants")
        if formset.is_valid():
            changes = {form.instance.pk: form.cleaned_data for form in formset.forms if form.has_changed()}
            try:
                with transaction.atomic():
                    saved = variants_update(product=self.product, changes=changes, by=self.request.user)
            except ApplicationError as error:
                self._attach_errors(formset, error)
            else:
                messages.success(self.request, f"Variants saved ({len(saved)} changed).")
                return redirect(self.request.path)
        messages.error(self.request, "The variants could not be saved: see the errors below. Nothing was changed.")
        return self.render_to_response(self.get_context_data(formset=formset))

    @staticmethod
    def _attach_errors(formset, error: ApplicationError):
        forms_by_id = {form.instance.pk: form for form in formset.forms}
        if not isinstance(error.details, dict):
            formset._non_form_errors = formset.error_class([error.message])
            return
        for variant_id, field_errors in error.details.items():
            for field, message in field_errors.items():
                forms_by_id[variant_id].add_error(field, message)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        formset = kwargs.get("formset") or VariantGridFormSet(queryset=self._variants(), prefix="variants")
        base = self.product.base_price
        for form in formset.forms:  # an empty price falls back to the base price: show it in place
            form.fields["price"].widget.attrs["placeholder"] = f"{base} (base)"
        context.update(
            product=self.product,
            formset=formset,
            fill_form=kwargs.get("fill_form") or BulkFillForm(prefix="fill"),
            rows=[
                {
                    "form": form,
                    "variant": form.instance,
                    "combination": ", ".join(
                        f"{v.attribute.name}: {v.name}"
                        for v in sorted(form.instance.attribute_values.all(), key=lambda v: v.attribute.sort_order)
                    ),
                }
                for form in formset.forms
            ],
            generate_form=kwargs.get("generate_form") or self._generate_form(),
            can_generate=self.request.user.has_perm("catalog.add_productvariant"),
            edit_url=reverse("catalog_product:edit", args=[self.product.pk]),
        )
        return context


class ProductViewSet(SnippetViewSet):
    model = Product
    admin_url_namespace = "catalog_product"
    base_url_path = "catalogue/products"
    icon = "tag"
    menu_label = "Products"
    add_view_class = ProductCreateView
    edit_view_class = ProductEditView
    index_view_class = ProductIndexView
    preview_on_add_view_class = ProductPreviewOnCreateView
    copy_view_enabled = False
    list_display = [
        "name",
        Column("product_type", label="Type"),
        "category",
        Column("base_price", label="Base price"),
        LiveStatusTagColumn(),
        "updated_at",
    ]
    list_filter = ["product_type", "category", "live", "is_featured"]
    list_per_page = 50
    search_fields = ["name", "slug", "sku_code"]
    search_backend_name = None  # plain database search: exact and immediate, no index to keep up to date

    edit_handler = ProductEditHandler(
        [
            ObjectList(
                [
                    TitleFieldPanel("name"),
                    FieldPanel("slug"),
                    FieldPanel("sku_code"),
                    FieldPanel("category"),
                    FieldPanel("base_price"),
                    FieldPanel("description"),
                    FieldPanel("is_featured"),
                ],
                heading="Product",
            ),
            ObjectList([ProductAttributesPanel(heading="Attributes")], heading="Attributes"),
            ObjectList(
                [
                    InlinePanel(
                        "images",
                        heading="Images",
                        label="Image",
                        help_text="The first image is the main one.",
                        panels=[FieldPanel("image"), FieldPanel("alt_text")],
                    )
                ],
                heading="Images",
            ),
            ObjectList([ProductVariantsPanel(heading="Variants")], heading="Variants"),
            ObjectList([FieldPanel("seo_title"), FieldPanel("search_description")], heading="SEO"),
            ObjectList([PublishingPanel()], heading="Publishing"),
        ],
        base_form_class=ProductAdminForm,
    )

    def get_queryset(self, request):
        return Product.objects.select_related("product_type", "category")

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("choose-type/", ProductChooseTypeView.as_view(), name="choose_type"),
            path("<int:pk>/variants/", ProductVariantsView.as_view(), name="variants"),
        ]


class CatalogueViewSetGroup(SnippetViewSetGroup):
    menu_label = "Catalogue"
    menu_icon = "tag"
    menu_order = 200
    items = (ProductViewSet, CategoryViewSet, ProductTypeViewSet, AttributeViewSet)
