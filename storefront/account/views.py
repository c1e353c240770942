"""Account pages of the rendered site: no JavaScript, POST for every change."""

import hashlib

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from api.throttling import hit_counter
from commerce.accounts import selectors, services
from commerce.core.errors import ApplicationError

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


def _rate_exceeded(scope: str, *idents: str) -> bool:
    """Count one hit per ident on the API's atomic counters for `scope` (same keys, same rates).

    The site's forms and the API share the counters, so switching between them gains nothing.
    """
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if not rate:
        return False
    num_requests, duration = SimpleRateThrottle.parse_rate(None, rate)
    return max(hit_counter(f"{scope}:{ident}", window_seconds=duration) for ident in idents) > num_requests


def _ip(request) -> str:
    # DRF's client-address rule (REMOTE_ADDR, or X-Forwarded-For per NUM_PROXIES), as the API uses
    return f"ip:{BaseThrottle().get_ident(request)}"


def _login_rate_exceeded(request) -> bool:
    """Per IP and per account email, like api.accounts.throttling.LoginRateThrottle."""
    idents = [_ip(request)]
    email = request.POST.get("username", "").strip().lower()
    if email:
        idents.append(f"email:{hashlib.sha256(email.encode()).hexdigest()}")
    return _rate_exceeded("login", *idents)


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
    if request.method == "POST" and _rate_exceeded("register", _ip(request)):
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
    if request.method == "POST" and _rate_exceeded("password_reset", _ip(request)):
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


@login_required
def order_detail(request, number: str):
    from commerce.orders.selectors import order_get_for_customer

    try:
        order = order_get_for_customer(user=request.user, number=number)
    except ApplicationError as exc:  # someone else's order is "not found" too
        raise Http404(exc.message) from exc
    return render(request, "account/order_detail.html", {"order": order})


def _customer_order(request, number: str):
    from commerce.orders.selectors import order_get_for_customer

    try:
        return order_get_for_customer(user=request.user, number=number)
    except ApplicationError as exc:  # someone else's order is "not found" too
        raise Http404(exc.message) from exc


@login_required
@require_POST
def order_cancel(request, number: str):
    """Cancel a pending order through the same service as the API (it refuses once confirmed)."""
    from commerce.orders.services import order_cancel_by_customer

    order = _customer_order(request, number)
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

    order = _customer_order(request, number)
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
