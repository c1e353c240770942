"""Reviews of a product (`/products/{slug}/reviews/`) and the customer's wishlist (`/wishlist/`)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.pagination import ShopPageNumberPagination
from api.parsers import BoundedJSONParser
from commerce.core.errors import NotFoundError
from commerce.core.throttling import AtomicScopedRateThrottle
from commerce.reviews.models import Review
from commerce.reviews.selectors import (
    product_get_live,
    review_rating_histogram,
    reviews_approved_for_product,
    wishlist_items_for_user,
)
from commerce.reviews.services import review_create, wishlist_item_add, wishlist_item_remove

from .serializers import (
    ReviewCreateSerializer,
    ReviewListSerializer,
    ReviewSerializer,
    ReviewTextCreateSerializer,
    WishlistAddSerializer,
    WishlistItemSerializer,
    WishlistPageSerializer,
)


def _product_or_404(slug: str):
    product = product_get_live(slug=slug)
    if product is None:
        raise NotFoundError("No such product.", code="product_not_found")
    return product


class ProductReviewsView(APIView):
    parser_classes = [MultiPartParser, BoundedJSONParser]  # multipart: the review may carry image files
    throttle_scope = "review"

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "POST" else [AllowAny()]

    def get_throttles(self):
        # Only posting is throttled by the "review" scope; reading is as free as the catalogue.
        return [AtomicScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        operation_id="product_reviews_list",
        responses={200: ReviewListSerializer, 404: OpenApiResponse(description="No such product")},
        summary="Approved reviews of a product, with the rating histogram",
    )
    def get(self, request, slug: str):
        product = _product_or_404(slug)
        paginator = ShopPageNumberPagination()
        page = paginator.paginate_queryset(reviews_approved_for_product(product_id=product.pk), request, view=self)
        histogram = review_rating_histogram(product_id=product.pk)
        data = {
            "count": paginator.page.paginator.count,
            "next": paginator.get_next_link(),
            "previous": paginator.get_previous_link(),
            "rating_avg": product.rating_avg,
            "rating_count": product.rating_count,
            "rating_histogram": {str(rating): n for rating, n in histogram.items()},
            "results": page,
        }
        return Response(ReviewListSerializer(data, context={"request": request}).data)

    @extend_schema(
        operation_id="product_reviews_create",
        request={"multipart/form-data": ReviewCreateSerializer, "application/json": ReviewTextCreateSerializer},
        responses={
            201: ReviewSerializer,
            400: OpenApiResponse(
                description="Invalid fields, or an image that is not JPEG/PNG/WebP or has too many pixels"
            ),
            401: OpenApiResponse(description="Log in to review"),
            404: OpenApiResponse(description="No such product"),
            409: OpenApiResponse(description="You have already reviewed this product (review_exists)"),
            413: OpenApiResponse(description="An image is larger than 5 MB (image_too_large)"),
            429: OpenApiResponse(description="Too many reviews posted (throttle scope: review)"),
        },
        summary="Review a product (customers; moderated before it is shown)",
    )
    def post(self, request, slug: str):
        product = _product_or_404(slug)
        # images travel only in multipart bodies; a JSON body is the text of the review
        is_json = request.content_type.split(";")[0].strip().lower() == "application/json"
        serializer = (ReviewTextCreateSerializer if is_json else ReviewCreateSerializer)(data=request.data)
        serializer.is_valid(raise_exception=True)
        review = review_create(product=product, user=request.user, **serializer.validated_data)
        review = Review.objects.select_related("user").prefetch_related("images").get(pk=review.pk)
        return Response(ReviewSerializer(review, context={"request": request}).data, status=status.HTTP_201_CREATED)


class WishlistView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="wishlist_list",
        responses={200: WishlistPageSerializer},
        summary="The customer's wishlist, newest first",
    )
    def get(self, request):
        paginator = ShopPageNumberPagination()
        page = paginator.paginate_queryset(wishlist_items_for_user(user=request.user), request, view=self)
        return paginator.get_paginated_response(WishlistItemSerializer(page, many=True).data)

    @extend_schema(
        operation_id="wishlist_add",
        request=WishlistAddSerializer,
        responses={
            201: WishlistItemSerializer,
            200: OpenApiResponse(WishlistItemSerializer, description="Already on the wishlist"),
            404: OpenApiResponse(description="No such product"),
        },
        summary="Add a product (by id or slug); adding it twice keeps one item",
    )
    def post(self, request):
        serializer = WishlistAddSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        ref = serializer.validated_data["product"]
        product = product_get_live(pk=ref) if isinstance(ref, int) else product_get_live(slug=ref)
        if product is None:
            raise NotFoundError("No such product.", code="product_not_found")
        item, created = wishlist_item_add(user=request.user, product=product)
        return Response(
            WishlistItemSerializer(item).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class WishlistItemView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="wishlist_remove",
        request=None,
        responses={204: None, 404: OpenApiResponse(description="Not one of your wishlist items")},
        summary="Remove an item from your wishlist",
    )
    def delete(self, request, pk: int):
        wishlist_item_remove(user=request.user, item_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
