"""Coupon and automatic promotion factories: live, active and unlimited unless told otherwise."""

from decimal import Decimal

import factory

from commerce.promotions.models import AutomaticPromotion, Coupon


class CouponFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coupon
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"SAVE{n}")
    name = factory.LazyAttribute(lambda o: f"Coupon {o.code}")
    kind = Coupon.Kind.PERCENTAGE
    value = Decimal("10.00")
    per_customer_limit = None
    live = True

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)
            self.save()

    @factory.post_generation
    def products(self, create, extracted, **kwargs):
        if create and extracted:
            self.products.set(extracted)
            self.save()


class AutomaticPromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AutomaticPromotion
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Promotion {n}")
    kind = AutomaticPromotion.Kind.PERCENTAGE
    value = Decimal("10.00")
    live = True

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set(extracted)
            self.save()


def order_create(*, email="buyer@example.com", user=None, total=Decimal("30.00")):
    """A bare order row, enough for coupon usage (the checkout tests build real ones)."""
    from commerce.orders.models import Order

    return Order.objects.create(
        number=f"T-{Order.objects.count() + 1:06d}-{email[:6]}",
        user=user,
        email=email,
        phone="+12025550143",
        ship_full_name="Ada Buyer",
        ship_line1="1 Main Street",
        ship_city="Springfield",
        ship_country="US",
        shipping_method_name="Standard",
        currency="USD",
        subtotal=total,
        total=total,
    )
