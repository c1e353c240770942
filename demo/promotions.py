"""The demo shop's coupon, announced on the home page's banner so that a visitor can try it."""

from decimal import Decimal

from commerce.promotions.models import Coupon

DEMO_COUPON_CODE = "WELCOME10"


def seed_demo_coupon() -> Coupon:
    coupon = Coupon.objects.filter(code__iexact=DEMO_COUPON_CODE).first()
    if coupon is None:
        coupon = Coupon.objects.create(
            name="Welcome: 10% off",
            code=DEMO_COUPON_CODE,
            kind=Coupon.Kind.PERCENTAGE,
            value=Decimal("10"),
            max_discount=Decimal("50.00"),
            is_active=True,
        )
    return coupon
