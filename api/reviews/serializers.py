"""Review and wishlist API shapes.

Input serializers name only what a customer may set: `status`, `verified`, `rating_avg` or `user` in a
request body are not fields here, so they are ignored (mass assignment changes nothing).
"""

from rest_framework import serializers

from api.fields import StrictIntegerField
from commerce.core.validation import InvalidInput, parse_id_or_slug
from commerce.reviews.models import MAX_REVIEW_IMAGES
from commerce.reviews.selectors import review_author_name


class ReviewTextCreateSerializer(serializers.Serializer):
    """A review without pictures: what a JSON body can carry."""

    rating = StrictIntegerField(min_value=1, max_value=5)
    title = serializers.CharField(max_length=150)
    body = serializers.CharField(max_length=5000)


class ReviewCreateSerializer(ReviewTextCreateSerializer):
    """A review with its pictures (multipart/form-data)."""

    images = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        required=False,
        default=list,
        max_length=MAX_REVIEW_IMAGES,
        help_text="Up to 5 JPEG, PNG or WebP images of at most 5 MB each (multipart, repeat the field)",
    )


class ReviewImageSerializer(serializers.Serializer):
    url = serializers.SerializerMethodField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()

    def get_url(self, obj) -> str:
        request = self.context.get("request")
        url = obj.image.url
        return request.build_absolute_uri(url) if request else url


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rating = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    author = serializers.SerializerMethodField()
    verified = serializers.BooleanField(help_text="The author has a delivered order with this product")
    status = serializers.CharField(help_text="Always approved in lists; pending right after posting")
    created_at = serializers.DateTimeField()
    images = ReviewImageSerializer(many=True)

    def get_author(self, obj) -> str:
        return review_author_name(obj)


class ReviewListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    rating_avg = serializers.DecimalField(max_digits=3, decimal_places=2)
    rating_count = serializers.IntegerField()
    rating_histogram = serializers.DictField(
        child=serializers.IntegerField(), help_text='Approved reviews per rating: {"1": 0, ..., "5": 12}'
    )
    results = ReviewSerializer(many=True)


class WishlistProductSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()
    base_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    rating_avg = serializers.DecimalField(max_digits=3, decimal_places=2)
    url = serializers.CharField(source="get_absolute_url")


class WishlistItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    product = WishlistProductSerializer()
    created_at = serializers.DateTimeField()


_TRIMMED_SPACE = r"[ \t\n\r\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"


class WishlistAddSerializer(serializers.Serializer):
    # the pattern documents what is taken: ASCII digits (an id) or an ASCII slug, around which the
    # whitespace DRF trims may stand, except the controls every text field refuses (\v, \f, \x1c-\x1f)
    product = serializers.RegexField(
        rf"^{_TRIMMED_SPACE}*[-a-zA-Z0-9_]+{_TRIMMED_SPACE}*$", max_length=220, help_text="The product's id or slug"
    )

    def validate_product(self, value: str) -> int | str:
        """An int (an id in ASCII digits) or a slug: "²" or "١٢" is a 400, never a crash or product 12."""
        try:
            return parse_id_or_slug(value, field="product")
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.details["product"])


class WishlistPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = WishlistItemSerializer(many=True)
