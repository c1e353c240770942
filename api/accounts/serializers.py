"""Auth API serializers: input validation and output shape only; the rules are in accounts.services."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer, TokenRefreshSerializer
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from commerce.accounts.models import Address
from commerce.accounts.tokens import token_issued_before_password_change

User = get_user_model()


class UserSerializer(serializers.ModelSerializer):
    """The customer's own profile. Email, staff flags and groups are not writable here."""

    phone = PhoneNumberField(required=False, allow_blank=True, help_text="E.164, e.g. +14155550123")

    class Meta:
        model = User
        fields = ["id", "email", "first_name", "last_name", "phone", "date_joined"]
        read_only_fields = ["id", "email", "date_joined"]


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    phone = PhoneNumberField(required=False, allow_blank=True, default="", help_text="E.164, e.g. +14155550123")


class EmailTokenObtainPairSerializer(TokenObtainPairSerializer):
    """Login with email + password; the email is matched case-insensitively by the user manager."""


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(read_only=True)
    refresh = serializers.CharField(read_only=True)


class ShopTokenRefreshSerializer(TokenRefreshSerializer):
    """simplejwt's rotation, plus: tokens older than the last password change are refused, and
    the old token is blacklisted with a plain INSERT so two racing refreshes cannot both rotate it."""

    default_error_messages = {
        "no_active_account": _("No active account found for the given token."),
        "password_changed": _("The password changed after this token was issued; log in again."),
        "token_reused": _("Token is blacklisted"),
    }

    def validate(self, attrs):
        refresh = self.token_class(attrs["refresh"])  # signature, expiry, type and blacklist
        user_id = refresh.payload.get(jwt_settings.USER_ID_CLAIM)
        user = User.objects.filter(**{jwt_settings.USER_ID_FIELD: user_id}).first() if user_id else None
        if user is None or not jwt_settings.USER_AUTHENTICATION_RULE(user):
            raise AuthenticationFailed(self.error_messages["no_active_account"], "no_active_account")
        if token_issued_before_password_change(
            password_changed_at=user.password_changed_at, issued_at=refresh.payload.get("iat")
        ):
            raise AuthenticationFailed(self.error_messages["password_changed"], "password_changed")

        data = {"access": str(refresh.access_token)}
        outstanding, _ = refresh.outstand()
        _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
        if not created:  # a concurrent refresh of the same token won
            raise AuthenticationFailed(self.error_messages["token_reused"], "token_not_valid")
        refresh.set_jti()
        refresh.set_exp()
        refresh.set_iat()
        refresh.outstand()
        data["refresh"] = str(refresh)
        return data


class LogoutSerializer(serializers.Serializer):
    refresh = serializers.CharField(help_text="The refresh token to revoke.")

    def validate(self, attrs):
        try:
            attrs["token"] = RefreshToken(attrs["refresh"])
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        return attrs


class AddressSerializer(serializers.ModelSerializer):
    phone = PhoneNumberField(help_text="E.164, e.g. +14155550123")
    is_default = serializers.BooleanField(
        required=False, help_text="Send true to make this the default; the previous default is unset."
    )

    class Meta:
        model = Address
        fields = [
            "id",
            "full_name",
            "phone",
            "line1",
            "line2",
            "city",
            "region",
            "postal_code",
            "country",
            "is_default",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"country": {"help_text": "ISO 3166-1 alpha-2 code, e.g. US"}}


class PasswordChangeSerializer(serializers.Serializer):
    old_password = serializers.CharField(write_only=True, style={"input_type": "password"})
    new_password = serializers.CharField(write_only=True, style={"input_type": "password"})


class PasswordResetSerializer(serializers.Serializer):
    email = serializers.EmailField()


class PasswordResetConfirmSerializer(serializers.Serializer):
    uid = serializers.CharField(help_text="The `uid` from the reset email.")
    token = serializers.CharField(help_text="The `token` from the reset email.")
    new_password = serializers.CharField(write_only=True, style={"input_type": "password"})


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
