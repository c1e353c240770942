"""Promotion reads: which rules are in force now, frozen into `pricing.Rule`s, and coupon usage counts."""

from collections import defaultdict

from django.db.models import Count, Q
from django.utils import timezone

from commerce.catalog.models import Category

from .models import AutomaticPromotion, Coupon, CouponUsage, PromotionRule, normalize_code
from .pricing import Rule


def rules_in_force_q(now) -> Q:
    """Live (published), active and inside the validity window."""
    return (
        Q(live=True, is_active=True)
        & (Q(starts_at__isnull=True) | Q(starts_at__lte=now))
        & (Q(ends_at__isnull=True) | Q(ends_at__gt=now))
    )


def coupon_get_by_code(*, code: str) -> Coupon | None:
    """The coupon with this code in any letter case, with its restrictions (three queries at most)."""
    code = normalize_code(code)
    if not code:
        return None
    return Coupon.objects.filter(code=code).prefetch_related("categories", "products").first()


def automatic_promotions_in_force(*, now=None) -> list[AutomaticPromotion]:
    now = now or timezone.now()
    return list(
        AutomaticPromotion.objects.filter(rules_in_force_q(now))
        .prefetch_related("categories", "products")
        .order_by("id")
    )


def category_descendants_map() -> dict[int, set[int]]:
    """Each category id -> itself and every category below it (one query; the tree is small)."""
    children = defaultdict(list)
    for pk, parent_id in Category.objects.values_list("id", "parent_id"):
        children[parent_id].append(pk)
    result: dict[int, set[int]] = {}

    def collect(root: int) -> set[int]:
        seen, stack = {root}, [root]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:  # the CHECK constraint stops self-parents, this stops longer cycles
                    seen.add(child)
                    stack.append(child)
        return seen

    for pk in list(children.get(None, [])) + [c for kids in children.values() for c in kids]:
        if pk not in result:
            result[pk] = collect(pk)
    return result


def rules_freeze(rules: list[PromotionRule]) -> list[Rule]:
    """Model rows (restrictions prefetched) -> `Rule`s, with categories widened to their sub-categories."""
    descendants = None
    frozen = []
    for rule in rules:
        category_ids = frozenset(c.pk for c in rule.categories.all())
        if category_ids:
            if descendants is None:
                descendants = category_descendants_map()
            category_ids = frozenset().union(*(descendants.get(pk, {pk}) for pk in category_ids))
        frozen.append(
            Rule(
                id=rule.pk,
                name=rule.name,
                kind=rule.kind,
                value=rule.value,
                code=getattr(rule, "code", ""),
                min_subtotal=rule.min_subtotal,
                max_discount=rule.max_discount,
                category_ids=category_ids,
                product_ids=frozenset(p.pk for p in rule.products.all()),
            )
        )
    return frozen


def coupon_usage_counts(*, coupon_id: int, user_id: int | None, email: str) -> tuple[int, int]:
    """(uses in total, uses by this customer) in one query. A customer is the user, or a guest's email."""
    mine = Q(email=email.strip().lower()) if email else Q(pk__in=[])
    if user_id:
        mine |= Q(user_id=user_id)
    counts = CouponUsage.objects.filter(coupon_id=coupon_id).aggregate(
        total=Count("id"), mine=Count("id", filter=mine)
    )
    return counts["total"], counts["mine"]
