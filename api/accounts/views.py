"""Auth API: thin views over commerce.accounts.services."""

from django.db import transaction
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView

from commerce.accounts import selectors, services
from commerce.accounts.models import Address
from commerce.core.converters import BigIdConverter
from commerce.core.throttling import AnonUserRateThrottle, AtomicScopedRateThrottle, LoginRateThrottle

from .serializers import (
    AddressSerializer,
    DetailSerializer,
    EmailTokenObtainPairSerializer,
    LogoutSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    RegisterSerializer,
    ShopTokenRefreshSerializer,
    TokenPairSerializer,
    UserSerializer,
)

AUTH_TAG = ["auth"]
ERROR_400 = OpenApiResponse(description="Invalid input: `{error: {code, message, details}}`.")
ERROR_401 = OpenApiResponse(description="Missing, invalid, expired or revoked token.")
ERROR_429 = OpenApiResponse(description="Too many requests for this scope; see `details.retry_after`.")


def _token_pair(user) -> dict:
    refresh = RefreshToken.for_user(user)
    return {"access": str(refresh.access_token), "refresh": str(refresh)}


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AtomicScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        tags=AUTH_TAG,
        summary="Create a customer account",
        request=RegisterSerializer,
        responses={201: UserSerializer, 400: ERROR_400, 429: ERROR_429},
    )
    def post(self, request):
        serializer = RegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_register(**serializer.validated_data)
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    post=extend_schema(
        tags=AUTH_TAG,
        summary="Log in: obtain an access and a refresh token",
        description="Access tokens live 15 minutes. Throttled per account email and per IP (`login` scope).",
        responses={200: TokenPairSerializer, 401: ERROR_401, 429: ERROR_429},
    )
)
class LoginView(TokenObtainPairView):
    serializer_class = EmailTokenObtainPairSerializer
    throttle_classes = [LoginRateThrottle]


@extend_schema_view(
    post=extend_schema(
        tags=AUTH_TAG,
        summary="Rotate a refresh token",
        description="Returns a new access and refresh token and blacklists the one sent: sending it again "
        "gets 401, as does a refresh token issued before the last password change or reset.",
        responses={200: TokenPairSerializer, 401: ERROR_401, 429: ERROR_429},
    )
)
class RefreshView(TokenRefreshView):
    serializer_class = ShopTokenRefreshSerializer
    throttle_classes = [AnonUserRateThrottle]


class LogoutView(APIView):
    """Whoever holds a refresh token may revoke it; no access token is needed (it may have expired)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [AnonUserRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        summary="Log out: blacklist a refresh token",
        request=LogoutSerializer,
        responses={204: None, 400: ERROR_400, 401: ERROR_401},
    )
    def post(self, request):
        serializer = LogoutSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        serializer.validated_data["token"].blacklist()
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [AnonUserRateThrottle]

    @extend_schema(tags=AUTH_TAG, summary="The logged-in customer", responses={200: UserSerializer, 401: ERROR_401})
    def get(self, request):
        return Response(UserSerializer(request.user).data)

    @extend_schema(
        tags=AUTH_TAG,
        summary="Update the logged-in customer's profile",
        description="Only first_name, last_name and phone change; email, staff flags and groups are ignored.",
        request=UserSerializer,
        responses={200: UserSerializer, 400: ERROR_400, 401: ERROR_401},
    )
    def patch(self, request):
        serializer = UserSerializer(request.user, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        user = services.user_profile_update(user=request.user, data=serializer.validated_data)
        return Response(UserSerializer(user).data)


@extend_schema_view(
    list=extend_schema(tags=AUTH_TAG, summary="My addresses, default first"),
    create=extend_schema(
        tags=AUTH_TAG,
        summary="Add an address",
        description="The first address, or one sent with is_default=true, becomes the default.",
        responses={201: AddressSerializer, 400: ERROR_400, 409: OpenApiResponse(description="Address book full.")},
    ),
    retrieve=extend_schema(tags=AUTH_TAG, summary="One of my addresses", responses={200: AddressSerializer, 404: None}),
    update=extend_schema(tags=AUTH_TAG, summary="Replace one of my addresses"),
    partial_update=extend_schema(
        tags=AUTH_TAG,
        summary="Edit one of my addresses",
        description="is_default=true makes it the default and unsets the previous one in the same transaction.",
    ),
    destroy=extend_schema(
        tags=AUTH_TAG,
        summary="Delete one of my addresses",
        description="Deleting the default makes the most recently updated remaining address the default.",
    ),
)
class AddressViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = AddressSerializer
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [AnonUserRateThrottle]
    pagination_class = None  # bounded by services.MAX_ADDRESSES_PER_USER
    # the id converter's pattern: ASCII digits, at most a bigint ("١٢" is not address 12)
    lookup_value_regex = BigIdConverter.regex

    queryset = Address.objects.none()  # for the schema; requests use get_queryset

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        # only the user's own: another user's address id answers 404, like a missing one
        return selectors.address_list(user=self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.address_create(user=self.request.user, data=serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.address_update(
            user=self.request.user, address_id=serializer.instance.pk, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.address_delete(user=self.request.user, address_id=instance.pk)


class PasswordChangeView(APIView):
    permission_classes = [permissions.IsAuthenticated]
    throttle_classes = [AnonUserRateThrottle]

    @extend_schema(
        tags=AUTH_TAG,
        summary="Change my password",
        description="Every refresh token issued before the change is refused from now on; the answer carries "
        "a fresh token pair so this client stays logged in.",
        request=PasswordChangeSerializer,
        responses={200: TokenPairSerializer, 400: ERROR_400, 401: ERROR_401},
    )
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            services.user_password_change(user=request.user, **serializer.validated_data)
            tokens = _token_pair(request.user)
        return Response(tokens)


class PasswordResetView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AtomicScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        tags=AUTH_TAG,
        summary="Ask for a password reset email",
        description="Always answers 202, whether or not an account has this email, so it cannot be used to "
        "find out who has an account. The email (sent through Celery) holds `uid` and `token` for the "
        "confirm endpoint and a link to the site's reset page.",
        request=PasswordResetSerializer,
        responses={202: DetailSerializer, 400: ERROR_400, 429: ERROR_429},
    )
    def post(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.password_reset_request(
            email=serializer.validated_data["email"], base_url=request.build_absolute_uri("/")
        )
        return Response(
            {"detail": "If an account exists for this email, a reset link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [AtomicScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        tags=AUTH_TAG,
        summary="Set a new password with the uid and token from the reset email",
        description="The link works once: the token is tied to the old password. Earlier refresh tokens are refused.",
        request=PasswordResetConfirmSerializer,
        responses={200: DetailSerializer, 400: ERROR_400, 429: ERROR_429},
    )
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.password_reset_confirm(uidb64=data["uid"], token=data["token"], new_password=data["new_password"])
        return Response({"detail": "Your password has been changed. You can log in now."})
