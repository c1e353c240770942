"""The order desk in the Wagtail admin, built with wagtail-modeladmin.

wagtail-modeladmin is in maintenance mode upstream, so everything that touches it lives in this one
module; moving to Wagtail's ModelViewSet later means rewriting this file only. The desk holds no
rules: every button posts to a view that calls commerce.orders.services and reports the outcome as
a message. Orders are never edited or deleted here; they move through the workflow.

Permissions: orders.view_order to look, orders.change_order_status to move orders (and mark paid),
orders.add_order_note to add notes.
"""

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpResponseForbidden, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import re_path
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView, InspectView, InstanceSpecificView, WMABaseView

from commerce.core.errors import ApplicationError
from commerce.core.money import format_money

from . import services
from .models import Order, OrderLine, OrderStatusLog

MOVE_PERMISSION = "orders.change_order_status"
NOTE_PERMISSION = "orders.add_order_note"
VIEW_PERMISSIONS = ("orders.view_order", "orders.change_order", MOVE_PERMISSION, NOTE_PERMISSION)


class OrderPermissionHelper(PermissionHelper):
    """Look with view (or any order permission), act with the workflow permissions, never edit."""

    def user_can_list(self, user):
        return any(user.has_perm(p) for p in VIEW_PERMISSIONS)

    def user_can_inspect_obj(self, user, obj):
        return self.user_can_list(user)

    def user_can_create(self, user):
        return False  # orders come from checkout

    def user_can_edit_obj(self, user, obj):
        return False  # totals, lines and address are snapshots; status moves through the buttons

    def user_can_delete_obj(self, user, obj):
        return False

    def user_can_move(self, user) -> bool:
        return user.has_perm(MOVE_PERMISSION)

    def user_can_add_note(self, user) -> bool:
        return user.has_perm(NOTE_PERMISSION)


class OrderButtonHelper(ButtonHelper):
    inspect_button_classnames = ["button-small", "button-secondary"]


# --- forms --------------------------------------------------------------------------------------
class NoteField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(**kwargs)


class StatusActionForm(forms.Form):
    note = NoteField(label="Note for the timeline (optional)")


class ShipForm(forms.Form):
    courier = forms.CharField(max_length=100)
    tracking_number = forms.CharField(max_length=100)
    note = NoteField(label="Note for the timeline (optional)")


class NoteForm(forms.Form):
    note = NoteField(required=True, label="Note")


# --- actions: (url name, label, service, form) ------------------------------------------------------
def _move(to_status):
    def run(*, order_id, by, data):
        return services.order_status_change(order_id=order_id, to_status=to_status, by=by, note=data.get("note", ""))

    return run


def _ship(*, order_id, by, data):
    return services.order_ship(
        order_id=order_id, by=by, courier=data["courier"], tracking_number=data["tracking_number"],
        note=data.get("note", ""),
    )


def _mark_paid(*, order_id, by, data):
    return services.order_mark_paid(order_id=order_id, by=by, note=data.get("note", ""))


def _add_note(*, order_id, by, data):
    return services.order_note_add(order_id=order_id, by=by, note=data["note"])


S = Order.Status
STATUS_ACTIONS = {
    # action: (label, target status, service, form class, success message)
    "confirm": ("Confirm", S.CONFIRMED, _move(S.CONFIRMED), StatusActionForm, "Order {} confirmed."),
    "process": ("Mark processing", S.PROCESSING, _move(S.PROCESSING), StatusActionForm, "Order {} is processing."),
    "ship": ("Ship", S.SHIPPED, _ship, ShipForm, "Order {} shipped."),
    "deliver": ("Mark delivered", S.DELIVERED, _move(S.DELIVERED), StatusActionForm, "Order {} delivered."),
    "cancel": ("Cancel order", S.CANCELLED, _move(S.CANCELLED), StatusActionForm, "Order {} cancelled."),
    "return": ("Mark returned", S.RETURNED, _move(S.RETURNED), StatusActionForm, "Order {} returned."),
}
OTHER_ACTIONS = {
    "mark_paid": ("Mark paid", _mark_paid, StatusActionForm, "Order {} marked as paid.", MOVE_PERMISSION),
    "add_note": ("Add note", _add_note, NoteForm, "Note added to order {}.", NOTE_PERMISSION),
}


def order_desk_actions(*, order: Order, user) -> list[dict]:
    """The buttons the inspect view offers for this order and this user."""
    actions = []
    if user.has_perm(MOVE_PERMISSION):
        allowed = services.order_allowed_transitions(status=order.status)
        for name, (label, to_status, _run, form_class, _msg) in STATUS_ACTIONS.items():
            if to_status in allowed:
                actions.append({"name": name, "label": label, "form": form_class(prefix=name),
                                "danger": to_status in (S.CANCELLED, S.RETURNED)})
        if order.payment_status != Order.PaymentStatus.PAID and order.status != S.CANCELLED:
            actions.append({"name": "mark_paid", "label": "Mark paid", "form": StatusActionForm(prefix="mark_paid"),
                            "danger": False})
    return actions


class ForbiddenNotRedirectMixin:
    """A POST without the permission answers 403 instead of Wagtail's redirect to the dashboard:
    nothing happened, and a script or a stale form should be told so plainly."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.check_action_permitted(request.user):
            return HttpResponseForbidden("You do not have permission to do this to orders.")
        return super().dispatch(request, *args, **kwargs)


# --- views --------------------------------------------------------------------------------------
class OrderIndexView(IndexView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_confirm_url"] = self.url_helper.get_action_url("bulk_confirm")
        context["user_can_move"] = self.permission_helper.user_can_move(self.request.user)
        return context


class OrderInspectView(InspectView):
    def __init__(self, model_admin, instance_pk):
        super().__init__(model_admin, instance_pk)
        # one read for the lines and the timeline with who changed what
        self.instance = (
            Order.objects.filter(pk=self.instance.pk)
            .select_related("user")
            .prefetch_related(
                Prefetch("lines", queryset=OrderLine.objects.order_by("id")),
                Prefetch("status_log", queryset=OrderStatusLog.objects.select_related("changed_by")),
            )
            .get()
        )

    def get_context_data(self, **kwargs):
        order, user = self.instance, self.request.user
        money = {
            name: format_money(getattr(order, name), currency=order.currency)
            for name in ("subtotal", "discount", "shipping", "tax", "total")
        }
        lines = [
            {"line": line, "unit_price": format_money(line.unit_price, currency=order.currency),
             "line_total": format_money(line.line_total, currency=order.currency)}
            for line in order.lines.all()
        ]
        actions = order_desk_actions(order=order, user=user)
        for action in actions:
            action["url"] = self.url_helper.get_action_url(action["name"], self.pk_quoted)
        context = {
            "order": order,
            "money": money,
            "lines": lines,
            "timeline": order.status_log.all(),
            # checkout logs the creation ("" -> pending); older or imported orders may not have it
            "creation_logged": any(not entry.from_status for entry in order.status_log.all()),
            "actions": actions,
            "note_form": NoteForm(prefix="add_note") if self.permission_helper.user_can_add_note(user) else None,
            "note_url": self.url_helper.get_action_url("add_note", self.pk_quoted),
        }
        context.update(kwargs)
        return super().get_context_data(**context)


class OrderActionView(ForbiddenNotRedirectMixin, InstanceSpecificView):
    """POST-only (the ship form also answers GET): run one service on one order, report as a message."""

    action = ""
    template_name = "orders/desk/action_form.html"

    def __init__(self, model_admin, instance_pk, action):
        super().__init__(model_admin, instance_pk)
        self.action = action
        if action in STATUS_ACTIONS:
            self.label, _to, self.run, self.form_class, self.success = STATUS_ACTIONS[action]
            self.permission = MOVE_PERMISSION
        else:
            self.label, self.run, self.form_class, self.success, self.permission = OTHER_ACTIONS[action]

    def check_action_permitted(self, user):
        return user.has_perm(self.permission)

    @property
    def inspect_url(self):
        return self.url_helper.get_action_url("inspect", self.pk_quoted)

    def get_page_title(self):
        return f"{self.label}: order {self.instance.number}"

    def get(self, request, *args, **kwargs):
        if self.action != "ship":
            return HttpResponseNotAllowed(["POST"])
        return self.render_form(self.form_class(prefix=self.action))

    def render_form(self, form, status=200):
        context = self.get_context_data(form=form, action_label=self.label, inspect_url=self.inspect_url)
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, prefix=self.action)
        if not form.is_valid():
            if self.action == "ship":
                return self.render_form(form, status=400)
            for field, errors in form.errors.items():
                messages.error(request, f"{field}: {' '.join(errors)}")
            return HttpResponseRedirect(self.inspect_url)
        try:
            self.run(order_id=self.instance.pk, by=request.user, data=form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, self.success.format(self.instance.number))
        return HttpResponseRedirect(self.inspect_url)


@method_decorator(require_POST, name="dispatch")
class OrderBulkConfirmView(ForbiddenNotRedirectMixin, WMABaseView):
    """Confirm the orders ticked in the list; each order is its own transaction."""

    def check_action_permitted(self, user):
        return user.has_perm(MOVE_PERMISSION)

    def post(self, request, *args, **kwargs):
        ids = [int(pk) for pk in request.POST.getlist("order_ids") if pk.isdigit()]
        if not ids:
            messages.warning(request, "Tick the orders to confirm first.")
            return HttpResponseRedirect(self.index_url)
        confirmed, errors = services.order_confirm_many(order_ids=ids, by=request.user)
        if confirmed:
            messages.success(request, f"Confirmed {len(confirmed)} order(s): "
                                      + ", ".join(o.number for o in confirmed) + ".")
        numbers = dict(Order.objects.filter(pk__in=errors).values_list("pk", "number"))
        for order_id, message in errors.items():
            messages.error(request, f"{numbers.get(order_id, order_id)}: {message}")
        return HttpResponseRedirect(self.index_url)


# --- the ModelAdmin -------------------------------------------------------------------------------
class OrderAdmin(ModelAdmin):
    model = Order
    menu_label = "Orders"
    menu_icon = "list-ul"
    menu_order = 200
    add_to_admin_menu = True
    inspect_view_enabled = True
    permission_helper_class = OrderPermissionHelper
    button_helper_class = OrderButtonHelper
    index_view_class = OrderIndexView
    inspect_view_class = OrderInspectView
    index_template_name = "orders/desk/index.html"
    inspect_template_name = "orders/desk/inspect.html"
    list_display = ("number", "select_box", "created_at", "status_badge", "payment_status", "email", "phone",
                    "total_display")
    list_filter = ("status", "payment_status", "created_at")
    search_fields = ("number", "phone", "email")
    list_per_page = 50
    ordering = ["-created_at"]

    def select_box(self, obj):
        # lives outside the bulk form element, joined to it by the form= attribute
        return format_html(
            '<input type="checkbox" name="order_ids" value="{}" form="order-bulk-confirm" '
            'aria-label="Select order {}">', obj.pk, obj.number,
        )

    select_box.short_description = "Select for bulk confirm"

    def status_badge(self, obj):
        return format_html('<span class="status-tag primary">{}</span>', obj.get_status_display())

    status_badge.short_description = "Status"
    status_badge.admin_order_field = "status"

    def total_display(self, obj):
        return format_money(obj.total, currency=obj.currency)

    total_display.short_description = "Total"
    total_display.admin_order_field = "total"

    def action_view(self, request, instance_pk, action):
        return OrderActionView.as_view(model_admin=self, instance_pk=instance_pk, action=action)(request)

    def bulk_confirm_view(self, request):
        return OrderBulkConfirmView.as_view(model_admin=self)(request)

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration()
        base = self.url_helper.base_url_path
        extra = [
            re_path(
                self.url_helper.get_action_url_pattern(action),
                self.action_view,
                {"action": action},
                name=self.url_helper.get_action_url_name(action),
            )
            for action in (*STATUS_ACTIONS, *OTHER_ACTIONS)
        ]
        extra.append(
            re_path(rf"^{base}/bulk_confirm/$", self.bulk_confirm_view,
                    name=self.url_helper.get_action_url_name("bulk_confirm"))
        )
        return (*urls, *extra)
