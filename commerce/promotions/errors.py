"""Why a coupon code is refused: one error code per reason, so that a frontend can word it."""

from commerce.core.errors import ApplicationError


class CouponError(ApplicationError):
    code = "coupon_invalid"


def coupon_unknown() -> CouponError:
    # Also for inactive and unpublished coupons: a draft campaign's code must not leak.
    return CouponError("This coupon code does not exist.", code="coupon_unknown")


def coupon_not_yet_valid(starts_at) -> CouponError:
    return CouponError(
        "This coupon is not valid yet.", code="coupon_not_yet_valid", details={"starts_at": starts_at.isoformat()}
    )


def coupon_expired(ends_at) -> CouponError:
    return CouponError("This coupon has expired.", code="coupon_expired", details={"ended_at": ends_at.isoformat()})


def coupon_below_minimum(minimum, subtotal) -> CouponError:
    return CouponError(
        f"This coupon needs a subtotal of at least {minimum}.",
        code="coupon_below_minimum",
        details={"min_subtotal": str(minimum), "subtotal": str(subtotal)},
    )


def coupon_exhausted() -> CouponError:
    return CouponError("This coupon has been used up.", code="coupon_exhausted", http_status=409)


def coupon_already_used() -> CouponError:
    return CouponError(
        "You have already used this coupon as many times as allowed.", code="coupon_already_used", http_status=409
    )


def coupon_not_applicable() -> CouponError:
    return CouponError("This coupon does not apply to anything in your cart.", code="coupon_not_applicable")
