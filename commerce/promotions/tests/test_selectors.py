"""automatic_promotions_in_force: a per-process copy that follows every publish, edit and delete."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commerce.promotions.selectors import automatic_promotions_in_force

from .factories import AutomaticPromotionFactory

pytestmark = pytest.mark.django_db


def test_automatic_promotions_in_force_reads_no_query_while_unchanged(django_assert_num_queries):
    promo = AutomaticPromotionFactory()
    automatic_promotions_in_force()
    with django_assert_num_queries(0):
        assert [p.pk for p in automatic_promotions_in_force()] == [promo.pk]


def test_automatic_promotions_in_force_follows_edits_unpublish_and_delete():
    first, second = AutomaticPromotionFactory(), AutomaticPromotionFactory()
    assert [p.pk for p in automatic_promotions_in_force()] == [first.pk, second.pk]
    first.value = Decimal("25.00")
    first.save()
    assert automatic_promotions_in_force()[0].value == Decimal("25.00")
    first.unpublish()
    assert [p.pk for p in automatic_promotions_in_force()] == [second.pk]
    second.is_active = False
    second.save()
    assert automatic_promotions_in_force() == []
    AutomaticPromotionFactory().delete()
    assert automatic_promotions_in_force() == []


def test_automatic_promotions_in_force_applies_the_validity_window():
    now = timezone.now()
    AutomaticPromotionFactory(starts_at=now + timedelta(hours=1))
    AutomaticPromotionFactory(ends_at=now)
    running = AutomaticPromotionFactory(starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    assert [p.pk for p in automatic_promotions_in_force(now=now)] == [running.pk]
    assert len(automatic_promotions_in_force(now=now + timedelta(hours=2))) == 1  # the one not yet started
