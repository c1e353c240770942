"""Webhooks in the Wagtail admin: endpoints (editable) and the delivery log (read-only, redeliver)."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_http_methods
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets import ListingButton
from wagtail.permission_policies import ModelPermissionPolicy

from .events import EVENT_CHOICES
from .models import WebhookDelivery, WebhookEndpoint
from .services import UnsafeWebhookTarget, webhook_redeliver, webhook_target_resolve


class WebhookEndpointForm(WagtailAdminModelForm):
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple, help_text="Send these events to the URL"
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            webhook_target_resolve(url=url)
        except UnsafeWebhookTarget as exc:
            raise forms.ValidationError(exc.message) from exc
        return url


class WebhookEndpointViewSet(ModelViewSet):
    model = WebhookEndpoint
    icon = "link-external"
    menu_label = "Endpoints"
    url_prefix = "webhooks/endpoints"
    name = "webhook_endpoints"
    list_display = ["name", "url", Column("event_labels", label="Events"), "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "url"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("url"), FieldPanel("events"), FieldPanel("secret"), FieldPanel("is_active")],
        base_form_class=WebhookEndpointForm,
    )


class DeliveryPermissionPolicy(ModelPermissionPolicy):
    """The log is written by the system: staff may read it and redeliver, never add or edit rows."""

    def user_has_permission(self, user, action):
        if action in ("add", "change", "delete"):
            return False
        if action == "view":
            return user.has_perm("webhooks.view_webhookdelivery") or user.has_perm("webhooks.change_webhookendpoint")
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, a) for a in actions)


class DeliveryIndexView(generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        buttons.append(ListingButton(
            "Redeliver", url=reverse("webhook_deliveries:redeliver", args=[instance.pk]), icon_name="resubmit",
            priority=40,
        ))
        return buttons


class DeliveryInspectView(generic.InspectView):
    def get_fields(self):
        return ["event", "endpoint", "status", "attempts", "response_code", "duration_ms", "error",
                "response_excerpt", "created_at", "last_attempt_at", "delivered_at", "event_id"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fields"].append({
            "label": "Payload",
            "value": format_html("<pre>{}</pre>", json.dumps(self.object.payload, indent=2)),
        })
        return context


def _redeliver_view(request, pk):
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("endpoint"), pk=pk)
    if not request.user.has_perm("webhooks.change_webhookendpoint"):
        raise PermissionDenied
    if request.method == "POST":
        again = webhook_redeliver(delivery=delivery)
        messages.success(request, f"{delivery.event} queued again for {delivery.endpoint} (delivery {again.pk}).")
        return redirect("webhook_deliveries:index")
    return TemplateResponse(request, "webhooks/confirm_redeliver.html", {"delivery": delivery})


redeliver_view = require_http_methods(["GET", "POST"])(_redeliver_view)


class WebhookDeliveryViewSet(ModelViewSet):
    model = WebhookDelivery
    icon = "list-ul"
    menu_label = "Delivery log"
    url_prefix = "webhooks/deliveries"
    name = "webhook_deliveries"
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    inspect_view_enabled = True
    form_fields = []  # no add or edit form: see DeliveryPermissionPolicy
    list_display = [
        "event", "endpoint", StatusTagColumn("status", primary=lambda d: d.status == "succeeded"),
        "response_code", "attempts", Column("duration_ms", label="Time (ms)"), "created_at",
    ]
    list_filter = ["status", "event", "endpoint"]
    ordering = ["-created_at", "-id"]

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("redeliver/<int:pk>/", redeliver_view, name="redeliver")]


class WebhooksViewSetGroup(ModelViewSetGroup):
    menu_label = "Webhooks"
    menu_icon = "link-external"
    menu_order = 850
    items = (WebhookEndpointViewSet, WebhookDeliveryViewSet)
