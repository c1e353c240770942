"""JWT authentication that also refuses access tokens issued before the user's last password change.

simplejwt already loads the user for every request, so the check costs no extra query. Without it an
access token stolen before a password change would keep working for up to its 15-minute lifetime.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.authentication import JWTAuthentication

from commerce.accounts.tokens import token_issued_before_password_change


class ShopJWTAuthentication(JWTAuthentication):
    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if token_issued_before_password_change(
            password_changed_at=user.password_changed_at, issued_at=validated_token.get("iat")
        ):
            raise AuthenticationFailed(_("The password changed after this token was issued."), code="password_changed")
        return user


class ShopJWTScheme(SimpleJWTScheme):
    """The OpenAPI `jwtAuth` bearer scheme for it (defined here so it registers whenever the class loads)."""

    target_class = ShopJWTAuthentication
