"""Rendered-site pages for reviews and the wishlist. Thin: parse the form, call a service, redirect."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from commerce.core.errors import ApplicationError
from commerce.core.validation import parse_int_or_none
from commerce.reviews.selectors import product_get_live, wishlist_items_for_user
from commerce.reviews.services import review_create, wishlist_item_add, wishlist_item_remove

from .forms import ReviewForm


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


@login_required
def review_write(request, slug: str):
    """GET shows the form on its own page; POST (also from the product page) creates a pending review."""
    product = product_get_live(slug=slug)
    if product is None:
        raise Http404
    form = ReviewForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                review_create(product=product, user=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error("images" if exc.code.startswith("image") else None, exc.message)
                status = exc.http_status
            else:
                messages.success(request, "Thank you! Your review will appear once it has been checked.")
                return redirect(product.get_absolute_url() + "#reviews")
    return render(request, "reviews/review_form.html", {"product": product, "form": form}, status=status)


@login_required
def wishlist_page(request):
    return render(request, "wishlist/wishlist.html", {"items": list(wishlist_items_for_user(user=request.user))})


@login_required
@require_POST
def wishlist_add(request):
    # "product_id" from the product page's button beside add-to-cart, "product" from older forms
    product_id = parse_int_or_none(request.POST.get("product_id") or request.POST.get("product", ""), min_value=1)
    product = product_get_live(pk=product_id) if product_id is not None else None
    if product is None:
        raise Http404
    wishlist_item_add(user=request.user, product=product)
    messages.success(request, f"{product.name} is on your wishlist.")
    return redirect(_next_url(request, "/wishlist/"))


@login_required
@require_POST
def wishlist_remove(request, pk: int):
    try:
        wishlist_item_remove(user=request.user, item_id=pk)
    except ApplicationError as exc:
        raise Http404 from exc
    messages.success(request, "Removed from your wishlist.")
    return redirect(_next_url(request, "/wishlist/"))
