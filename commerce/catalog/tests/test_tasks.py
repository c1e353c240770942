from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.catalog.models import Product
from commerce.catalog.tasks import publish_scheduled
from commerce.catalog.tests.factories import ProductFactory


@pytest.mark.django_db
def test_publish_scheduled_publishes_a_product_whose_time_has_come():
    product = ProductFactory(live=False)
    revision = product.save_revision()
    revision.approved_go_live_at = timezone.now() - timedelta(minutes=1)
    revision.save()

    publish_scheduled.delay()

    assert Product.objects.get(pk=product.pk).live
