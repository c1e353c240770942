"""Account writes: registration, profile, password changes and the address book.

Every password change goes through `user_password_set`, which stamps `password_changed_at` and
blacklists the user's outstanding refresh tokens in the same transaction, so a stolen refresh token
stops working the moment its owner changes or resets the password.
"""

import phonenumbers
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from commerce.core.errors import ApplicationError, ConflictError, NotFoundError

from .models import Address

User = get_user_model()

# Fields a customer may set on their own profile; everything else (is_staff, groups...) is not theirs.
PROFILE_FIELDS = ("first_name", "last_name", "phone")
ADDRESS_FIELDS = ("full_name", "phone", "line1", "line2", "city", "region", "postal_code", "country")


# Enough for home, work and a few gift recipients; bounds the list the API returns unpaginated.
MAX_ADDRESSES_PER_USER = 20
EMAIL_TAKEN = "An account with this email already exists."


class InvalidResetLink(ApplicationError):
    code = "invalid_reset_link"


def email_normalize(email: str) -> str:
    """Emails are stored and compared lower-cased: one address, one account."""
    return User.objects.normalize_email(email.strip()).lower()


def _validate_password(password: str, *, user) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


@transaction.atomic
def user_register(*, email: str, password: str, first_name: str = "", last_name: str = "", phone=""):
    """Create a customer account; ValidationError for a taken email or a weak password."""
    email = email_normalize(email)
    candidate = User(email=email, first_name=first_name, last_name=last_name, phone=phone)
    _validate_password(password, user=candidate)
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [EMAIL_TAKEN]})
    try:
        with transaction.atomic():  # savepoint: a racing twin registration hits the unique index
            return User.objects.create_user(
                email=email, password=password, first_name=first_name, last_name=last_name, phone=phone
            )
    except IntegrityError as exc:
        raise ValidationError({"email": [EMAIL_TAKEN]}) from exc


def user_profile_update(*, user, data: dict):
    """Update the customer's own profile. Only PROFILE_FIELDS are read from `data`."""
    changed = [field for field in PROFILE_FIELDS if field in data]
    for field in changed:
        setattr(user, field, data[field])
    if changed:
        user.save(update_fields=changed)
    return user


def user_refresh_tokens_revoke(*, user) -> int:
    """Blacklist every outstanding refresh token of `user`; returns how many were newly blacklisted."""
    outstanding = OutstandingToken.objects.filter(user=user, blacklistedtoken__isnull=True)
    tokens = [BlacklistedToken(token=token) for token in outstanding]
    BlacklistedToken.objects.bulk_create(tokens, ignore_conflicts=True)
    return len(tokens)


@transaction.atomic
def user_password_set(*, user, password: str) -> None:
    """Set a new (validated) password and refuse every refresh token issued before it."""
    _validate_password(password, user=user)
    user.set_password(password)  # also stamps user.password_changed_at
    user.save(update_fields=["password", "password_changed_at"])
    user_refresh_tokens_revoke(user=user)


def user_password_change(*, user, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": ["The current password is not correct."]})
    user_password_set(user=user, password=new_password)


def password_reset_link(*, user) -> tuple[str, str, str]:
    """(uid, token, site URL) for a reset link; the token dies once the password changes."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("account:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return uid, token, path


@transaction.atomic
def password_reset_request(*, email: str, base_url: str) -> None:
    """Email a reset link if an active account has this address; say nothing either way.

    Callers answer the same whether or not the account exists, so the endpoint cannot be used to
    find out who has an account. `base_url` is the scheme and host the link points at.
    """
    from commerce.notifications.services import notification_send

    user = User.objects.filter(email__iexact=email_normalize(email), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    uid, token, path = password_reset_link(user=user)
    notification_send(
        event="password_reset",
        recipient=user.email,
        context={
            "email": user.email,
            "first_name": user.first_name,
            "uid": uid,
            "token": token,
            "reset_url": f"{base_url.rstrip('/')}{path}",
        },
    )


def password_reset_user(*, uidb64: str, token: str):
    """The user a reset link belongs to, or InvalidResetLink if the link is wrong, used or expired."""
    try:
        user = User.objects.get(pk=force_str(urlsafe_base64_decode(uidb64)), is_active=True)
    except (TypeError, ValueError, OverflowError, User.DoesNotExist, ValidationError):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise InvalidResetLink("This password reset link is invalid or has expired.")
    return user


def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> None:
    user = password_reset_user(uidb64=uidb64, token=token)
    user_password_set(user=user, password=new_password)


# --- Address book ---------------------------------------------------------------------------------


def _lock_address_book(*, user) -> None:
    """Serialise default-address changes of one user: the user's row is the lock."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk", flat=True).first()


def _address_validate(address: Address) -> None:
    address.country = (address.country or "").strip().upper()
    address.full_clean(exclude=["user"])
    # phonenumbers knows every ISO 3166 region it can dial, which is every country we can ship to
    if address.country not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError({"country": ["Enter a two-letter ISO 3166 country code, such as US or DE."]})


def _make_default(*, address: Address) -> None:
    # unset the old default first: the partial unique index allows one default per user at any time
    Address.objects.filter(user_id=address.user_id, is_default=True).exclude(pk=address.pk).update(is_default=False)
    if not address.is_default:
        address.is_default = True
        address.save(update_fields=["is_default", "updated_at"])


@transaction.atomic
def address_create(*, user, data: dict) -> Address:
    """Add an address. The first one, or one sent with is_default, becomes the default."""
    _lock_address_book(user=user)
    count = Address.objects.filter(user=user).count()
    if count >= MAX_ADDRESSES_PER_USER:
        raise ConflictError(
            f"An address book holds at most {MAX_ADDRESSES_PER_USER} addresses.", code="address_book_full"
        )
    address = Address(user=user, **{field: data[field] for field in ADDRESS_FIELDS if field in data})
    _address_validate(address)
    make_default = bool(data.get("is_default")) or count == 0
    address.save()
    if make_default:
        _make_default(address=address)
    return address


def address_get(*, user, address_id: int) -> Address:
    # someone else's address answers exactly like a missing one
    address = Address.objects.filter(user=user, pk=address_id).first()
    if address is None:
        raise NotFoundError("Address not found.")
    return address


@transaction.atomic
def address_update(*, user, address_id: int, data: dict) -> Address:
    _lock_address_book(user=user)
    address = address_get(user=user, address_id=address_id)
    for field in ADDRESS_FIELDS:
        if field in data:
            setattr(address, field, data[field])
    _address_validate(address)
    address.save()
    if data.get("is_default"):
        _make_default(address=address)
    return address


@transaction.atomic
def address_set_default(*, user, address_id: int) -> Address:
    _lock_address_book(user=user)
    address = address_get(user=user, address_id=address_id)
    _make_default(address=address)
    return address


@transaction.atomic
def address_delete(*, user, address_id: int) -> None:
    """Delete an address; if it was the default, the most recently updated remaining one takes over."""
    _lock_address_book(user=user)
    address = address_get(user=user, address_id=address_id)
    was_default = address.is_default
    address.delete()
    if was_default:
        successor = Address.objects.filter(user=user).order_by("-updated_at", "-pk").first()
        if successor is not None:
            _make_default(address=successor)
