"""The order desk in the Wagtail admin.

wagtail-modeladmin is in maintenance mode upstream, so everything that touches it lives in this one
module; moving to Wagtail's ModelViewSet later means rewriting this file only. The desk holds no
rules: every button posts to a view that calls the order services and reports the outcome as a
message. Orders are never edited or deleted here; they move through the workflow.

Per screen, what it is built on and why:
- The list: ModelAdmin's IndexView. It already gives the filters, search, sorting and pagination a
  desk needs; the columns (customer, items, payment label, fulfilment) are annotations on its
  queryset, so the list stays one query per page whatever the orders hold.
- The order page: ModelAdmin's InspectView with our own template. The view only reads (one
  prefetching selector, a constant number of queries), the permission helper already answers who
  may look, and the template lays out the summary header, customer, lines, payment, fulfilment,
  returns and timeline panels.
- The actions (confirm, ship some lines, refund, returns, notes, invoice): small custom admin views
  (InstanceSpecificView) that take a POST, call one service and redirect back to the order page. A
  form that fails (ship, refund) is shown again on its own page with its errors. Destructive ones
  (cancel, mark returned, refund, reject a return, bulk actions) answer a first POST without
  `confirmed` with a confirmation page; on the order page a dialog asks first and sends `confirmed`.
- Documents (invoice, packing slips, credit notes): plain views that answer a PDF; a file is not a page.

Permissions: orders.view_order to look; orders.change_order_status to move orders, ship and mark
paid; orders.add_order_note for notes; orders.refund_order to refund; orders.manage_returns for
returns.
"""

import logging
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse, HttpResponseForbidden, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from wagtail.models import ModelLogEntry
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView, InspectView, InstanceSpecificView, WMABaseView

from commerce.core.errors import ApplicationError
from commerce.core.money import format_money
from commerce.core.renditions import rendition_or_none

from . import invoices, refunds, returns, services
from .line_quantities import parse_line_quantities
from .models import Fulfilment, FulfilmentLine, Order, OrderLine, ReturnRequest
from .payments import payment_provider_label, payment_providers
from .selectors import order_get_with_operations

logger = logging.getLogger(__name__)

MOVE_PERMISSION = "orders.change_order_status"
NOTE_PERMISSION = "orders.add_order_note"
REFUND_PERMISSION = "orders.refund_order"
RETURNS_PERMISSION = "orders.manage_returns"
VIEW_PERMISSIONS = ("orders.view_order", "orders.change_order", MOVE_PERMISSION, NOTE_PERMISSION)
MONEY_PERMISSIONS = (REFUND_PERMISSION, MOVE_PERMISSION)


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

    def inspect_button(self, pk, classnames_add=None, classnames_exclude=None):
        button = super().inspect_button(pk, classnames_add, classnames_exclude)
        button["label"] = "Open"
        return button


# --- forms --------------------------------------------------------------------------------------
class NoteField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("widget", forms.TextInput(attrs={"placeholder": "Note for the timeline (optional)"}))
        super().__init__(**kwargs)


class StatusActionForm(forms.Form):
    note = NoteField(label="Note (optional)")


class ShipForm(forms.Form):
    courier = forms.CharField(max_length=100)
    tracking_number = forms.CharField(max_length=100)
    note = NoteField(label="Note (optional)")


class NoteForm(forms.Form):
    note = forms.CharField(max_length=2000, label="Note", widget=forms.Textarea(attrs={"rows": 2}))


def _quantities(post, prefix: str) -> tuple[dict[int, int], dict[str, str]]:
    """{line id: units} from inputs named <prefix>-qty-<line id> (an empty input is 0 units); errors
    for what is not a whole number, read by the same rule the services apply."""
    start = f"{prefix}-qty-"
    raw = {key[len(start):]: (value or "").strip() or "0" for key, value in post.items() if key.startswith(start)}
    return parse_line_quantities(raw)


# --- actions --------------------------------------------------------------------------------------
def _move(to_status):
    def run(*, order_id, by, data, post):
        return services.order_status_change(order_id=order_id, to_status=to_status, by=by, note=data.get("note", ""))

    return run


def _fulfil(*, order_id, by, data, post):
    quantities, errors = _quantities(post, "ship")
    if errors:
        raise ApplicationError("Some quantities are not whole numbers.", code="invalid_fulfilment", details=errors)
    if not any(key.startswith("ship-qty-") for key in post):
        quantities = None  # the small form without lines: ship everything left
    elif not quantities:
        raise ApplicationError("Choose at least one unit to ship.", code="empty_fulfilment")
    return services.order_fulfil(
        order_id=order_id, quantities=quantities, by=by, courier=data["courier"],
        tracking_number=data["tracking_number"], note=data.get("note", ""),
    )


def _mark_paid(*, order_id, by, data, post):
    return services.order_mark_paid(order_id=order_id, by=by, note=data.get("note", ""))


def _add_note(*, order_id, by, data, post):
    return services.order_note_add(order_id=order_id, by=by, note=data["note"])


def _refund(*, order_id, by, data, post):
    quantities, errors = _quantities(post, "refund")
    if errors:
        raise ApplicationError("Some quantities are not whole numbers.", code="invalid_refund", details=errors)
    try:
        shipping = Decimal((post.get("refund-shipping") or "0").strip() or "0")
    except InvalidOperation:
        raise ApplicationError("Shipping amount must be a number.", code="invalid_refund") from None
    return refunds.order_refund(
        order_id=order_id, lines=quantities, shipping=shipping, reason=post.get("refund-reason", ""),
        restock=post.get("refund-restock") == "on", by=by,
    )


def _return_id(post) -> int:
    raw = post.get("return_id", "")
    if not raw.isdigit():
        raise ApplicationError("Choose a return.", code="invalid_return")
    return int(raw)


def _return_step(step):
    def run(*, order_id, by, data, post):
        return_id = _return_id(post)
        if not ReturnRequest.objects.filter(pk=return_id, order_id=order_id).exists():
            raise ApplicationError("Not a return of this order.", code="invalid_return")
        note = post.get("note", "")
        if step == "approve":
            return returns.return_approve(return_id=return_id, by=by, note=note)
        if step == "reject":
            return returns.return_reject(return_id=return_id, by=by, note=note)
        if step == "receive":
            quantities, errors = _quantities(post, "receive")
            if errors:
                raise ApplicationError("Some quantities are not whole numbers.", code="invalid_restock", details=errors)
            restock = quantities if any(k.startswith("receive-qty-") for k in post) else None
            return returns.return_receive(return_id=return_id, restock=restock, by=by)
        return returns.return_refund(return_id=return_id, by=by, reason=post.get("reason", ""))

    return run


def _deliver_fulfilment(*, order_id, by, data, post):
    raw = post.get("fulfilment_id", "")
    if not raw.isdigit() or not Fulfilment.objects.filter(pk=int(raw), order_id=order_id).exists():
        raise ApplicationError("Not a parcel of this order.", code="invalid_fulfilment")
    return services.fulfilment_mark_delivered(fulfilment_id=int(raw), by=by)


def _issue_invoice(*, order_id, by, data, post):
    return invoices.invoice_issue(order_id=order_id, by=by)


S = Order.Status
# action: (label, service, form class, success message, permission, needs confirmation, target status)
ACTIONS = {
    "confirm": ("Confirm", _move(S.CONFIRMED), StatusActionForm, "Order {} confirmed.", MOVE_PERMISSION, False,
                S.CONFIRMED),
    "process": ("Mark processing", _move(S.PROCESSING), StatusActionForm, "Order {} is processing.",
                MOVE_PERMISSION, False, S.PROCESSING),
    "ship": ("Ship", _fulfil, ShipForm, "Order {}: parcel shipped.", MOVE_PERMISSION, False, None),
    "deliver": ("Mark delivered", _move(S.DELIVERED), StatusActionForm, "Order {} delivered.", MOVE_PERMISSION,
                False, S.DELIVERED),
    "cancel": ("Cancel order", _move(S.CANCELLED), StatusActionForm, "Order {} cancelled.", MOVE_PERMISSION, True,
               S.CANCELLED),
    "return": ("Mark returned (restock everything)", _move(S.RETURNED), StatusActionForm, "Order {} returned.",
               MOVE_PERMISSION, True, S.RETURNED),
    "mark_paid": ("Mark paid", _mark_paid, StatusActionForm, "Order {} marked as paid.", MOVE_PERMISSION, False,
                  None),
    "add_note": ("Add note", _add_note, NoteForm, "Note added to order {}.", NOTE_PERMISSION, False, None),
    "refund": ("Refund", _refund, None, "Order {}: refund recorded.", REFUND_PERMISSION, True, None),
    "deliver_parcel": ("Mark parcel delivered", _deliver_fulfilment, None, "Order {}: parcel delivered.",
                       MOVE_PERMISSION, False, None),
    "return_approve": ("Approve return", _return_step("approve"), None, "Order {}: return approved.",
                       RETURNS_PERMISSION, False, None),
    "return_reject": ("Reject return", _return_step("reject"), None, "Order {}: return rejected.",
                      RETURNS_PERMISSION, True, None),
    "return_receive": ("Receive return", _return_step("receive"), None, "Order {}: return received.",
                       RETURNS_PERMISSION, False, None),
    "return_refund": ("Refund return", _return_step("refund"), None, "Order {}: return refunded.",
                      REFUND_PERMISSION, True, None),
    "issue_invoice": ("Issue invoice", _issue_invoice, None, "Order {}: invoice issued.", MOVE_PERMISSION, False,
                      None),
}
STATUS_BUTTONS = ("confirm", "process", "deliver", "mark_paid", "cancel", "return")


def order_desk_actions(*, order: Order, user) -> list[dict]:
    """The status buttons the order page offers for this order and this user."""
    actions = []
    if not user.has_perm(MOVE_PERMISSION):
        return actions
    allowed = services.order_allowed_transitions(status=order.status)
    for name in STATUS_BUTTONS:
        label, _run, _form, _msg, _perm, confirm, to_status = ACTIONS[name]
        if name == "mark_paid":
            if order.payment_status != Order.PaymentStatus.UNPAID or order.status == S.CANCELLED:
                continue
        elif to_status not in allowed:
            continue
        actions.append({"name": name, "label": label, "danger": confirm})
    return actions


class ForbiddenNotRedirectMixin:
    """A POST without the permission answers 403 instead of Wagtail's redirect to the dashboard:
    nothing happened, and a script or a stale form should be told so plainly."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not self.check_action_permitted(request.user):
            return HttpResponseForbidden("You do not have permission to do this to orders.")
        return super().dispatch(request, *args, **kwargs)


# --- the list ----------------------------------------------------------------------------------
def desk_list_queryset(queryset):
    """The list's columns as annotations: items, units shipped, customer's name; one query a page."""
    units = OrderLine.objects.filter(order=OuterRef("pk")).values("order").annotate(n=Sum("quantity")).values("n")
    shipped = (FulfilmentLine.objects.filter(fulfilment__order=OuterRef("pk")).values("fulfilment__order")
               .annotate(n=Sum("quantity")).values("n"))
    return queryset.annotate(
        desk_units=Coalesce(Subquery(units, output_field=IntegerField()), Value(0)),
        desk_shipped=Coalesce(Subquery(shipped, output_field=IntegerField()), Value(0)),
    )


class PaymentMethodFilter(admin.SimpleListFilter):
    """Payment methods by their names ("Cash on delivery"), not their codes."""

    title = "payment method"
    parameter_name = "payment_method"

    def lookups(self, request, model_admin):
        return [(provider.code, provider.label) for provider in payment_providers()]

    def queryset(self, request, queryset):
        return queryset.filter(payment_method=self.value()) if self.value() else queryset


class OrderIndexView(IndexView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_url"] = self.url_helper.get_action_url("bulk")
        context["user_can_move"] = self.permission_helper.user_can_move(self.request.user)
        return context


# --- the order page -------------------------------------------------------------------------------
def _thumbnails(order: Order) -> dict[int, object]:
    """{product id: a 64x64 rendition of its first image}: two queries whatever the number of lines."""
    from commerce.catalog.models import ProductImage

    product_ids = {line.product_id for line in order.lines.all() if line.product_id}
    if not product_ids:
        return {}
    first = {}
    images = (ProductImage.objects.filter(product_id__in=product_ids).order_by("product_id", "sort_order", "pk")
              .select_related("image").prefetch_related("image__renditions"))
    for product_image in images:
        first.setdefault(product_image.product_id, product_image.image)
    thumbnails = {}
    for product_id, image in first.items():
        thumbnail = rendition_or_none(image, "fill-64x64")  # a missing file must not take the page down
        if thumbnail is not None:
            thumbnails[product_id] = thumbnail
    return thumbnails


def desk_customer_panel(order: Order) -> dict:
    """Other orders of the same customer (account, else email) and the lifetime value, two queries."""
    same = Q(user=order.user_id) if order.user_id else Q(email__iexact=order.email, user__isnull=True)
    others = Order.objects.filter(same).exclude(pk=order.pk)
    totals = Order.objects.filter(same).exclude(status=S.CANCELLED).aggregate(
        count=Count("pk"),
        value=Coalesce(Sum("total"), Value(Decimal("0")), output_field=DecimalField()),
        refunded=Coalesce(Sum("amount_refunded"), Value(Decimal("0")), output_field=DecimalField()),
    )
    recent = list(others.only("pk", "number", "created_at", "status", "total", "currency").order_by("-created_at")[:5])
    return {
        "orders_count": totals["count"],
        "lifetime_value": format_money(totals["value"] - totals["refunded"], currency=order.currency),
        "recent": recent,
        "other_count": max(totals["count"] - (0 if order.status == S.CANCELLED else 1), 0),
    }


def desk_timeline(order: Order) -> list[dict]:
    """Timeline rows from the audit trail (Wagtail's log) plus the checkout's "placed" entry.

    Orders from before the audit trail keep their OrderStatusLog rows up to the first audit entry.
    """
    entries = list(
        ModelLogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Order), object_id=str(order.pk)
        ).select_related("user").order_by("timestamp", "id")
    )
    # OrderStatusLog rows written in the same transaction as an audit entry are a few milliseconds
    # older than it; only rows clearly older than the first audit entry are history it lacks
    first_audit = entries[0].timestamp - timedelta(seconds=5) if entries else None
    rows = []
    placed_logged = False
    for log in order.status_log.all():
        if not log.from_status:
            placed_logged = True
            rows.append({"at": log.created_at, "what": "Placed", "who": order.user.email if order.user else "guest",
                         "note": "", "kind": "placed"})
        elif first_audit is None or log.created_at < first_audit:
            what = "Note" if log.from_status == log.to_status else (
                f"{log.get_from_status_display()} → {log.get_to_status_display()}")
            rows.append({"at": log.created_at, "what": what, "who": log.changed_by.email if log.changed_by else "system",
                         "note": log.note, "kind": "legacy"})
    if not placed_logged:
        rows.insert(0, {"at": order.created_at, "what": "Placed", "kind": "placed", "note": "",
                        "who": order.user.email if order.user else "guest"})
    for log in entries:
        note = (log.data or {}).get("note", "") if log.action != "cartwheel.order.note" else ""
        rows.append({"at": log.timestamp, "what": log.message, "who": log.user_display_name, "note": note,
                     "kind": log.action.rsplit(".", 1)[-1]})
    rows.sort(key=lambda row: row["at"])
    return rows


class OrderInspectView(InspectView):
    def __init__(self, model_admin, instance_pk):
        super().__init__(model_admin, instance_pk)
        self.instance = order_get_with_operations(pk=self.instance.pk)

    def get_page_title(self):
        return f"Order {self.instance.number}"

    def get_page_subtitle(self):
        return f"{self.instance.get_status_display()} · {format_money(self.instance.total, currency=self.instance.currency)}"

    def get_context_data(self, **kwargs):
        order, user = self.instance, self.request.user
        cur = order.currency

        def money(amount):
            return format_money(amount, currency=cur)

        shipped = {}
        for fulfilment in order.fulfilments.all():
            for fl in fulfilment.lines.all():
                shipped[fl.order_line_id] = shipped.get(fl.order_line_id, 0) + fl.quantity
        can_refund = user.has_perm(REFUND_PERMISSION) and order.payment_status in refunds.PAID_STATUSES
        refundable = refunds.order_refundable(order=order) if can_refund else None
        thumbnails = _thumbnails(order)
        lines = []
        for line in order.lines.all():
            left = refundable["lines"][line.pk] if refundable else None
            lines.append({
                "line": line, "thumbnail": thumbnails.get(line.product_id),
                "unit_price": money(line.unit_price), "line_total": money(line.line_total),
                "shipped": shipped.get(line.pk, 0), "to_ship": line.quantity - shipped.get(line.pk, 0),
                "refundable": left["quantity"] if left else 0,
                "refundable_amount": money(left["amount"]) if left else "",
            })
        can_move = user.has_perm(MOVE_PERMISSION)
        can_ship = can_move and order.status in (S.CONFIRMED, S.PROCESSING, S.PARTIALLY_SHIPPED)
        invoice = getattr(order, "invoice", None)
        context = {
            "order": order,
            "money": {name: money(getattr(order, name))
                      for name in ("subtotal", "discount", "shipping", "tax", "total", "amount_refunded")},
            "paid_left": money(order.total - order.amount_refunded),
            "payment_label": payment_provider_label(code=order.payment_method),
            "lines": lines,
            "units": sum(line.quantity for line in order.lines.all()),
            "units_shipped": sum(shipped.values()),
            "timeline": desk_timeline(order),
            "customer": desk_customer_panel(order),
            "actions": order_desk_actions(order=order, user=user),
            "can_ship": can_ship,
            "can_refund": can_refund,
            "refund_shipping_left": refundable["shipping"] if refundable else Decimal("0"),
            "can_manage_returns": user.has_perm(RETURNS_PERMISSION),
            "can_refund_returns": user.has_perm(REFUND_PERMISSION),
            "can_note": self.permission_helper.user_can_add_note(user),
            "can_move": can_move,
            "invoice": invoice,
            "can_issue_invoice": can_move and invoice is None and order.status in invoices.INVOICEABLE,
            "ship_form": ShipForm(prefix="ship"),
            "note_form": NoteForm(prefix="add_note"),
        }
        context["urls"] = {name: self.url_helper.get_action_url(name, self.pk_quoted)
                           for name in (*ACTIONS, "invoice_pdf", "packing_slip_pdf", "credit_note_pdf")}
        for action in context["actions"]:
            action["url"] = context["urls"][action["name"]]
        for other in context["customer"]["recent"]:
            other.desk_url = self.url_helper.get_action_url("inspect", other.pk)
        context.update(kwargs)
        return super().get_context_data(**context)


class OrderActionView(ForbiddenNotRedirectMixin, InstanceSpecificView):
    """POST-only (ship also answers GET): run one service on one order, report as a message."""

    template_name = "orders/desk/action_form.html"
    action = ""

    def __init__(self, model_admin, instance_pk, action):
        super().__init__(model_admin, instance_pk)
        self.action = action
        (self.label, self.run, self.form_class, self.success, self.permission, self.needs_confirmation,
         _to) = ACTIONS[action]

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

    def render_form(self, form, status=200, confirm=False):
        context = self.get_context_data(
            form=form, action_label=self.label, inspect_url=self.inspect_url, confirm=confirm,
            posted=[(k, v) for k, vs in self.request.POST.lists() if k != "csrfmiddlewaretoken" for v in vs],
            danger=self.needs_confirmation,
        )
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def post(self, request, *args, **kwargs):
        form = self.form_class(request.POST, prefix=self.action) if self.form_class else None
        if form is not None and not form.is_valid():
            if self.action == "ship":
                return self.render_form(form, status=400)
            for field, errors in form.errors.items():
                messages.error(request, f"{field}: {' '.join(errors)}")
            return HttpResponseRedirect(self.inspect_url)
        if self.needs_confirmation and request.POST.get("confirmed") != "yes":
            # nothing happens without an explicit "yes": the order page's dialog sends it, and
            # without JavaScript this page asks the same question
            return self.render_form(None, confirm=True)
        try:
            self.run(order_id=self.instance.pk, by=request.user, data=form.cleaned_data if form else {},
                     post=request.POST)
        except ApplicationError as exc:
            detail = ""
            if isinstance(exc.details, dict):
                detail = " " + "; ".join(f"{k}: {v}" for k, v in exc.details.items() if isinstance(v, str))
            messages.error(request, exc.message + detail)
        else:
            messages.success(request, self.success.format(self.instance.number))
        return HttpResponseRedirect(self.inspect_url)


class OrderDocumentView(InstanceSpecificView):
    """Invoice, packing slip (whole order or one parcel) and credit note PDFs for staff."""

    document = ""

    def __init__(self, model_admin, instance_pk, document):
        super().__init__(model_admin, instance_pk)
        self.document = document

    def check_action_permitted(self, user):
        return self.permission_helper.user_can_list(user)

    def get(self, request, *args, **kwargs):
        if not self.check_action_permitted(request.user):
            return HttpResponseForbidden("You do not have permission to see orders.")
        # the PDF library (fpdf2 and fontTools, ~8 MB) loads on the first document, not in every web worker
        from . import documents

        order = order_get_with_operations(pk=self.instance.pk)
        if self.document == "invoice_pdf":
            invoice = getattr(order, "invoice", None)
            if invoice is None:
                raise Http404("No invoice issued for this order yet.")
            name, pdf = invoice.number, documents.invoice_pdf(order=order, invoice=invoice)
        elif self.document == "packing_slip_pdf":
            fulfilment = None
            if request.GET.get("fulfilment", "").isdigit():
                fulfilment = next((f for f in order.fulfilments.all() if f.pk == int(request.GET["fulfilment"])), None)
                if fulfilment is None:
                    raise Http404("No such parcel.")
            name = f"packing-slip-{fulfilment.number if fulfilment else order.number}"
            pdf = documents.packing_slip_pdf(order=order, fulfilment=fulfilment)
        else:
            refund = next((r for r in order.refunds.all() if str(r.pk) == request.GET.get("refund", "")), None)
            if refund is None:
                raise Http404("No such refund.")
            name, pdf = refund.credit_note_number, documents.credit_note_pdf(order=order, refund=refund)
        response = HttpResponse(pdf, content_type="application/pdf")
        disposition = "inline" if request.GET.get("inline") else "attachment"
        response["Content-Disposition"] = f'{disposition}; filename="{name}.pdf"'
        return response


BULK_ACTIONS = {
    # name: (label, what it does to each order, destructive, done)
    "confirm": ("Confirm", lambda order_id, by: services.order_confirm(order_id=order_id, by=by), False,
                "Confirmed"),
    "mark_paid": ("Mark paid", lambda order_id, by: services.order_mark_paid(order_id=order_id, by=by), False,
                  "Marked paid"),
    "cancel": ("Cancel", lambda order_id, by: services.order_cancel(order_id=order_id, by=by), True, "Cancelled"),
}


@method_decorator(require_POST, name="dispatch")
class OrderBulkView(ForbiddenNotRedirectMixin, WMABaseView):
    """Bulk actions on the ticked orders: a confirmation page first, then each order in its own
    transaction (one refusal does not undo the others)."""

    template_name = "orders/desk/bulk_confirm.html"

    def check_action_permitted(self, user):
        return user.has_perm(MOVE_PERMISSION)

    def get_page_title(self):
        return "Orders: bulk action"

    def post(self, request, *args, **kwargs):
        ids = sorted({int(pk) for pk in request.POST.getlist("order_ids") if pk.isdigit()})
        action = request.POST.get("action", "confirm")
        if action not in BULK_ACTIONS:
            messages.error(request, "Unknown bulk action.")
            return HttpResponseRedirect(self.index_url)
        label, run, _destructive, done_label = BULK_ACTIONS[action]
        if not ids:
            messages.warning(request, "Tick the orders first.")
            return HttpResponseRedirect(self.index_url)
        if request.POST.get("confirmed") != "yes":
            orders = list(Order.objects.filter(pk__in=ids).only("pk", "number", "status", "email", "total",
                                                                  "currency").order_by("-created_at"))
            context = self.get_context_data(orders=orders, action=action, action_label=label,
                                            destructive=_destructive, index_url=self.index_url)
            return TemplateResponse(request, self.template_name, context)
        done, errors = [], {}
        for order_id in ids:
            try:
                done.append(run(order_id, request.user))
            except ApplicationError as exc:
                errors[order_id] = exc.message
        if done:
            messages.success(request, f"{done_label} {len(done)} order(s): " + ", ".join(o.number for o in done) + ".")
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
    list_display = ("number_display", "select_box", "placed", "customer", "items", "total_display",
                    "status_badge", "payment", "fulfilment")
    list_filter = ("status", "payment_status", PaymentMethodFilter, "created_at")
    search_fields = ("number", "phone", "email", "ship_full_name")
    list_per_page = 50
    ordering = ["-created_at"]

    def get_queryset(self, request):
        return desk_list_queryset(super().get_queryset(request))

    def number_display(self, obj):
        return format_html('<span class="desk-nowrap">{}</span>', obj.number)

    number_display.short_description = "Order"
    number_display.admin_order_field = "number"

    def select_box(self, obj):
        # lives outside the bulk form element, joined to it by the form= attribute
        return format_html(
            '<input type="checkbox" name="order_ids" value="{}" form="order-bulk" aria-label="Select order {}">',
            obj.pk, obj.number,
        )

    select_box.short_description = "Select"

    def placed(self, obj):
        return format_html('<span class="desk-nowrap">{}</span><br><small>{}</small>',
                           date_format(timezone.localtime(obj.created_at), "j M Y"),
                           date_format(timezone.localtime(obj.created_at), "H:i"))

    placed.short_description = "Placed"
    placed.admin_order_field = "created_at"

    def customer(self, obj):
        return format_html('<span class="desk-customer"><span class="desk-nowrap">{}</span><br><small>{}</small></span>',
                           obj.ship_full_name, obj.email)

    customer.short_description = "Customer"

    def items(self, obj):
        return obj.desk_units

    items.short_description = "Items"

    def status_badge(self, obj):
        return format_html('<span class="desk-badge desk-status-{}">{}</span>', obj.status, obj.get_status_display())

    status_badge.short_description = "Status"
    status_badge.admin_order_field = "status"

    def payment(self, obj):
        return format_html('<span class="desk-nowrap">{}</span><br><small class="desk-nowrap">{}</small>',
                           obj.get_payment_status_display(), payment_provider_label(code=obj.payment_method))

    payment.short_description = "Payment"
    payment.admin_order_field = "payment_status"

    def fulfilment(self, obj):
        if obj.status in (S.PENDING, S.CANCELLED):
            return "—"
        if obj.desk_shipped == 0:
            text = "Unfulfilled"
        elif obj.desk_shipped >= obj.desk_units:
            text = "Fulfilled"
        else:
            text = f"{obj.desk_shipped} of {obj.desk_units} shipped"
        return format_html('<span class="desk-nowrap">{}</span>', text)

    fulfilment.short_description = "Fulfilment"

    def total_display(self, obj):
        return format_html('<span class="desk-nowrap">{}</span> <small>{}</small>',
                           format_money(obj.total, currency=obj.currency), obj.currency)

    total_display.short_description = "Total"
    total_display.admin_order_field = "total"

    def action_view(self, request, instance_pk, action):
        return OrderActionView.as_view(model_admin=self, instance_pk=instance_pk, action=action)(request)

    def document_view(self, request, instance_pk, document):
        return OrderDocumentView.as_view(model_admin=self, instance_pk=instance_pk, document=document)(request)

    def bulk_view(self, request):
        return OrderBulkView.as_view(model_admin=self)(request)

    def get_admin_urls_for_registration(self):
        urls = super().get_admin_urls_for_registration()
        base = self.url_helper.base_url_path
        extra = [
            re_path(self.url_helper.get_action_url_pattern(action), self.action_view, {"action": action},
                    name=self.url_helper.get_action_url_name(action))
            for action in ACTIONS
        ]
        extra += [
            re_path(self.url_helper.get_action_url_pattern(document), self.document_view, {"document": document},
                    name=self.url_helper.get_action_url_name(document))
            for document in ("invoice_pdf", "packing_slip_pdf", "credit_note_pdf")
        ]
        extra.append(re_path(rf"^{base}/bulk/$", self.bulk_view, name=self.url_helper.get_action_url_name("bulk")))
        # the old bulk-confirm address keeps working (bookmarks, scripts): same view, action=confirm
        extra.append(re_path(rf"^{base}/bulk_confirm/$", self.bulk_view,
                             name=self.url_helper.get_action_url_name("bulk_confirm")))
        return (*urls, *extra)
