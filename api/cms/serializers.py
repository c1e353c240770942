from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cms_pages.models import Banner
from cms_pages.selectors import BANNER_RENDITION
from commerce.core.renditions import rendition_or_none


class BannerQuerySerializer(serializers.Serializer):
    placement = serializers.ChoiceField(
        choices=Banner.Placement.choices, required=False, help_text="Only this placement; all placements when omitted"
    )


class BannerImageSerializer(serializers.Serializer):
    url = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()


class BannerSerializer(serializers.ModelSerializer):
    image = serializers.SerializerMethodField()

    class Meta:
        model = Banner
        fields = ["id", "title", "placement", "text", "link_url", "link_label", "image", "go_live_at", "expire_at"]

    @extend_schema_field(BannerImageSerializer(allow_null=True))
    def get_image(self, banner: Banner) -> dict | None:
        if banner.image is None:
            return None
        rendition = rendition_or_none(banner.image, BANNER_RENDITION)
        if rendition is None:  # its file cannot be read: the banner goes out without a picture
            return None
        request = self.context.get("request")
        url = request.build_absolute_uri(rendition.url) if request else rendition.url
        return {"url": url, "width": rendition.width, "height": rendition.height}
