"""Review image files leave storage with their rows.

A ReviewImage row goes when its review is deleted (by the customer, a moderator, or a product's
deletion cascading), and Django never deletes the file behind a FileField. The file is deleted only
once the deleting transaction commits: a rolled-back delete keeps a row whose file must still exist.
"""

import logging

from django.db.models.signals import post_delete
from django.dispatch import receiver

from commerce.core.after_commit import on_commit_fail_open

from .models import ReviewImage

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=ReviewImage, dispatch_uid="reviews_image_file_delete")
def review_image_file_delete(sender, instance: ReviewImage, **kwargs) -> None:
    name, storage = instance.image.name, instance.image.storage
    if not name:
        return

    def delete_file() -> None:
        try:
            storage.delete(name)
        except OSError:  # the row is gone either way; a stray file is only wasted space
            logger.warning("could not delete review image file %s", name, exc_info=True)

    on_commit_fail_open(delete_file, what=f"delete review image file {name}")
