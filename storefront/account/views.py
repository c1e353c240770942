"""Account pages of the rendered site: no JavaScript, POST for every change."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from commerce.accounts import selectors, services
from commerce.core.errors import ApplicationError
from commerce.core.throttling import ip_ident, login_idents, throttle_hit

from .forms import (
    AddressForm,
    LoginForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegisterForm,
    ServicePasswordChangeForm,
    ServiceSetPasswordForm,
    _apply_service_errors,
)

LOGIN_BLOCKED = "Too many login attempts. Please wait a minute and try again."
TOO_MANY = "Too many attempts from your network. Please try again later."


def _rate_exceeded(request, scope: str, idents: list[str]) -> bool:
    """Count one hit on the API's counters for `scope` (same keys, same rates, same client address):
    the site's forms and the API share them, so switching between them gains nothing."""
    state = throttle_hit(request=request, scope=scope, idents=idents)
    return state is not None and state.exceeded


def _login_rate_exceeded(request) -> bool:
    """Per client address and per account email, like the API's LoginRateThrottle."""
    return _rate_exceeded(request, "login", login_idents(request, request.POST.get("username", "")))


class LoginView(auth_views.LoginView):
    template_name = "account/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if _login_rate_exceeded(request):
            # refused before the password is even checked
            context = self.get_context_data(form=self.authentication_form(request), blocked_message=LOGIN_BLOCKED)
            return self.render_to_response(context, status=429)
        return super().post(request, *args, **kwargs)


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]  # Django's own LogoutView is POST-only too


def register(request):
    if request.user.is_authenticated:
        return redirect("account:overview")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and _rate_exceeded(request, "register", [ip_ident(request)]):
        form = RegisterForm(initial={"email": request.POST.get("email", "")})
        return render(request, "account/register.html", {"form": form, "blocked_message": TOO_MANY}, status=429)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if user is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Your account is ready.")
            return redirect("account:overview")
    return render(request, "account/register.html", {"form": form})


def password_reset_request(request):
    form = PasswordResetRequestForm(request.POST or None)
    if request.method == "POST" and _rate_exceeded(request, "password_reset", [ip_ident(request)]):
        context = {"form": PasswordResetRequestForm(), "blocked_message": TOO_MANY}
        return render(request, "account/password_reset_form.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        # the same answer whether or not the account exists
        services.password_reset_request(email=form.cleaned_data["email"], base_url=request.build_absolute_uri("/"))
        return redirect("account:password_reset_done")
    return render(request, "account/password_reset_form.html", {"form": form})


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "account/password_reset_confirm.html"
    form_class = ServiceSetPasswordForm
    success_url = reverse_lazy("account:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "account/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "account/password_change.html"
    form_class = ServicePasswordChangeForm
    success_url = reverse_lazy("account:overview")

    def form_valid(self, form):
        messages.success(self.request, "Your password has been changed.")
        return super().form_valid(form)


@login_required
def overview(request):
    user = request.user
    form = ProfileForm(
        request.POST or None,
        initial={"first_name": user.first_name, "last_name": user.last_name, "phone": user.phone},
    )
    if request.method == "POST" and form.is_valid():
        services.user_profile_update(user=user, data=form.cleaned_data)
        messages.success(request, "Your details have been saved.")
        return redirect("account:overview")
    context = {
        "form": form,
        "default_address": selectors.address_default(user=user),
        "recent_orders": _orders_for(user)[:3],
    }
    return render(request, "account/overview.html", context)


@login_required
def address_list(request):
    return render(request, "account/address_list.html", {"addresses": selectors.address_list(user=request.user)})


def _address_form_page(request, *, address=None):
    form = AddressForm(request.POST or None, instance=address)
    if request.method == "POST" and form.is_valid():
        data = {field: form.cleaned_data[field] for field in form.Meta.fields}
        try:
            if address is None:
                services.address_create(user=request.user, data=data)
            else:
                services.address_update(user=request.user, address_id=address.pk, data=data)
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Address saved.")
            return redirect("account:addresses")
    return render(request, "account/address_form.html", {"form": form, "address": address})


def _own_address(request, address_id):
    try:
        return services.address_get(user=request.user, address_id=address_id)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc


@login_required
def address_add(request):
    return _address_form_page(request)


@login_required
def address_edit(request, address_id: int):
    return _address_form_page(request, address=_own_address(request, address_id))


@login_required
def address_delete(request, address_id: int):
    address = _own_address(request, address_id)
    if request.method == "POST":
        services.address_delete(user=request.user, address_id=address.pk)
        messages.success(request, "Address deleted.")
        return redirect("account:addresses")
    return render(request, "account/address_confirm_delete.html", {"address": address})


@login_required
@require_POST
def address_make_default(request, address_id: int):
    address = _own_address(request, address_id)
    services.address_set_default(user=request.user, address_id=address.pk)
    messages.success(request, "Default address changed.")
    return redirect("account:addresses")


def _orders_for(user):
    # imported here: orders depends on accounts (Order.user), not the other way round at import time
    from commerce.orders.selectors import orders_for_customer

    return orders_for_customer(user=user)


@login_required
def order_list(request):
    page = Paginator(_orders_for(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "account/order_list.html", {"page": page, "orders": page.object_list})


def _own_order_with_operations(request, number: str):
    from commerce.orders.selectors import order_get_for_customer_documents

    try:
        return order_get_for_customer_documents(user=request.user, number=number)
    except ApplicationError as exc:  # someone else's order is "not found" too
        raise Http404(exc.message) from exc


def _return_rows(order):
    from commerce.orders.returns import order_return_deadline, order_returnable

    returnable = order_returnable(order=order)
    deadline = order_return_deadline(order=order)
    open_window = deadline is not None and timezone.now() <= deadline
    rows = [{"line": line, "returnable": returnable.get(line.pk, 0)} for line in order.lines.all()]
    return rows, deadline, open_window and any(r["returnable"] for r in rows)


@login_required
def order_detail(request, number: str):
    order = _own_order_with_operations(request, number)
    rows, deadline, can_return = _return_rows(order)
    return render(request, "account/order_detail.html", {
        "order": order, "invoice": getattr(order, "invoice", None), "can_return": can_return,
        "return_deadline": deadline,
    })


@login_required
def order_invoice(request, number: str):
    from commerce.orders.selectors import order_invoice_pdf_for_customer

    try:
        filename, pdf = order_invoice_pdf_for_customer(user=request.user, number=number)
    except ApplicationError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def order_return_request(request, number: str):
    """Ask to return delivered items: a quantity per line and a reason (same service as the API)."""
    from commerce.orders.returns import return_request_create

    order = _own_order_with_operations(request, number)
    rows, deadline, can_return = _return_rows(order)
    errors, reason = {}, ""
    if request.method == "POST":
        reason = request.POST.get("reason", "").strip()[:2000]
        lines = {}
        for row in rows:
            raw = request.POST.get(f"qty_{row['line'].pk}", "0").strip() or "0"
            if not raw.isdigit():
                errors[str(row["line"].pk)] = "Enter a whole number."
            elif int(raw):
                lines[row["line"].pk] = int(raw)
        if not errors:
            try:
                return_request = return_request_create(order_id=order.pk, lines=lines, reason=reason, by=request.user)
            except ApplicationError as exc:
                errors = exc.details if isinstance(exc.details, dict) else {}
                errors["__all__"] = exc.message
            else:
                messages.success(request, f"Return {return_request.number} requested. We will email you.")
                return redirect("account:order_detail", number=order.number)
    for row in rows:
        row["error"] = errors.get(str(row["line"].pk), "")
    return render(request, "account/order_return.html", {
        "order": order, "rows": rows, "deadline": deadline, "can_return": can_return, "reason": reason,
        "form_error": errors.get("__all__", "") or errors.get("reason", ""),
    }, status=400 if errors else 200)


@login_required
@require_POST
def order_cancel(request, number: str):
    """Cancel a pending order through the same service as the API (it refuses once confirmed)."""
    from commerce.orders.services import order_cancel_by_customer

    order = _own_order_with_operations(request, number)
    try:
        order_cancel_by_customer(order_id=order.pk, by=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Order {order.number} is cancelled.")
    return redirect("account:order_detail", number=order.number)


@login_required
@require_POST
def order_reorder(request, number: str):
    """Put an earlier order's items back in the cart, each line on its own: what is sold out or
    gone is named, the rest is added."""
    from commerce.cart.services import cart_line_add
    from storefront.cart.views import session_cart

    order = _own_order_with_operations(request, number)
    cart = session_cart(request, create=True)
    added, missed = 0, []
    for line in order.lines.all():
        try:
            cart_line_add(cart=cart, sku=line.sku, quantity=line.quantity)
        except ApplicationError:
            missed.append(line.product_name)
        else:
            added += line.quantity
    if added:
        messages.success(request, f"{added} item{'s' if added != 1 else ''} from order {order.number} added to your cart.")
    if missed:
        messages.warning(request, "Not available any more: " + ", ".join(missed) + ".")
    return redirect("cart:detail")
