from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from cms_pages.selectors import banners_live

from .serializers import BannerQuerySerializer, BannerSerializer


class BannerListView(APIView):
    """Live banners, of one placement or of all, in display order."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="banners_list",
        summary="Live banners, optionally of one placement",
        description="Banners that are live now (published, past go_live_at and before expire_at) "
        "for one placement (or every placement when none is given), in display order. Image URLs are 1200x400 renditions.",
        parameters=[BannerQuerySerializer],
        responses={200: BannerSerializer(many=True)},
        tags=["content"],
    )
    def get(self, request):
        query = BannerQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        banners = banners_live(placement=query.validated_data.get("placement"))
        return Response(BannerSerializer(banners, many=True, context={"request": request}).data)
