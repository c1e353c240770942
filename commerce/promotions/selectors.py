"""Promotion reads: which rules are in force now, frozen into `pricing.Rule`s, and coupon usage counts."""

from collections import defaultdict

from django.db.models import CharField, Count, Q, Value
from django.utils import timezone

from commerce.catalog.models import Category
from commerce.core.process_copy import ProcessCopy

from .models import AutomaticPromotion, Coupon, CouponUsage, normalize_code
from .pricing import Rule


def coupon_get_by_code(*, code: str, lock: bool = False) -> Coupon | None:
    """The coupon with this code in any letter case (one query). `lock` takes its row FOR UPDATE."""
    code = normalize_code(code)
    if not code:
        return None
    queryset = Coupon.objects.select_for_update(of=("self",)) if lock else Coupon.objects.all()
    return queryset.filter(code=code).first()


def _live_automatic_promotions() -> list[AutomaticPromotion]:
    return list(AutomaticPromotion.objects.filter(live=True, is_active=True).order_by("id"))


# Every checkout and cart preview asks for the automatic promotions; they change only when a manager
# publishes, unpublishes, edits or deletes one (all of which save or delete the row: receivers in
# apps.py). So each process keeps the live, active ones and applies the validity window itself.
_live_automatic = ProcessCopy("promotions:automatic", _live_automatic_promotions)


def automatic_promotions_changed(sender, **kwargs) -> None:
    """post_save / post_delete receiver for AutomaticPromotion."""
    _live_automatic.bump()


def automatic_promotions_in_force(*, now=None) -> list[AutomaticPromotion]:
    """Live (published), active promotions inside their validity window [starts_at, ends_at), by id.

    From the per-process copy: no query while no promotion changed. The instances are shared: read-only.
    """
    now = now or timezone.now()
    return [
        p for p in _live_automatic.get()
        if (p.starts_at is None or p.starts_at <= now) and (p.ends_at is None or p.ends_at > now)
    ]


def _restrictions_and_tree(*, coupon_ids: list[int], automatic_ids: list[int]):
    """Every rule's category and product restrictions, plus the category tree, in ONE query.

    A UNION of the four restriction tables and the category table, as (tag, owner id, target id) rows:
    checkout runs this on every order, so one round trip instead of five matters.
    """
    tables = [
        ("cc", Coupon.categories.through, "coupon_id", "category_id", coupon_ids),
        ("cp", Coupon.products.through, "coupon_id", "product_id", coupon_ids),
        ("ac", AutomaticPromotion.categories.through, "automaticpromotion_id", "category_id", automatic_ids),
        ("ap", AutomaticPromotion.products.through, "automaticpromotion_id", "product_id", automatic_ids),
    ]
    parts = [
        through.objects.filter(**{f"{owner}__in": ids})
        .annotate(tag=Value(tag, output_field=CharField()))
        .values_list("tag", owner, target)
        .order_by()
        for tag, through, owner, target, ids in tables
        if ids
    ]
    parts.append(
        Category.objects.annotate(tag=Value("tree", output_field=CharField()))
        .values_list("tag", "id", "parent_id")
        .order_by()
    )
    return list(parts[0].union(*parts[1:], all=True))


def _descendants(children: dict, root: int) -> set[int]:
    seen, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:  # the CHECK constraint stops self-parents, this stops longer cycles
                seen.add(child)
                stack.append(child)
    return seen


def rules_freeze(*, coupons: list[Coupon] = (), automatic: list[AutomaticPromotion] = ()) -> list[Rule]:
    """Model rows -> `Rule`s (automatic first, then coupons), categories widened to their sub-categories.

    One query (restrictions and category tree together), none when there is no rule at all.
    """
    if not coupons and not automatic:
        return []
    restrictions = defaultdict(lambda: (set(), set()))  # (kind, rule id) -> (category ids, product ids)
    children = defaultdict(list)
    kinds = {"cc": ("coupon", 0), "cp": ("coupon", 1), "ac": ("auto", 0), "ap": ("auto", 1)}
    for tag, owner, target in _restrictions_and_tree(
        coupon_ids=[c.pk for c in coupons], automatic_ids=[a.pk for a in automatic]
    ):
        if tag == "tree":
            children[target].append(owner)
        else:
            kind, position = kinds[tag]
            restrictions[(kind, owner)][position].add(target)

    def freeze(rule, kind: str) -> Rule:
        category_ids, product_ids = restrictions[(kind, rule.pk)]
        widened = set().union(*(_descendants(children, pk) for pk in category_ids)) if category_ids else set()
        return Rule(
            id=rule.pk,
            name=rule.name,
            kind=rule.kind,
            value=rule.value,
            code=getattr(rule, "code", ""),
            min_subtotal=rule.min_subtotal,
            max_discount=rule.max_discount,
            category_ids=frozenset(widened),
            product_ids=frozenset(product_ids),
            usage_limit=getattr(rule, "usage_limit", None),
            per_customer_limit=getattr(rule, "per_customer_limit", None),
        )

    return [freeze(rule, "auto") for rule in automatic] + [freeze(rule, "coupon") for rule in coupons]


def coupon_usage_counts(*, coupon_id: int, user_id: int | None, email: str) -> tuple[int, int]:
    """(uses in total, uses by this customer) in one query. A customer is the user, or a guest's email."""
    mine = Q(email=email.strip().lower()) if email else Q(pk__in=[])
    if user_id:
        mine |= Q(user_id=user_id)
    counts = CouponUsage.objects.filter(coupon_id=coupon_id).aggregate(total=Count("id"), mine=Count("id", filter=mine))
    return counts["total"], counts["mine"]
