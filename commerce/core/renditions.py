"""Renditions that fail open: a picture is cosmetic, so a source file that cannot be read never takes
a page down.

Wagtail makes a missing rendition from the original file on first use. When that file is gone from
storage (a media volume not restored, an S3 object deleted) or is not an image any more, Wagtail
raises (SourceImageIOError, Pillow's UnidentifiedImageError: both OSError) in the middle of a product
page, an API list or a banner. Every place that makes renditions goes through `renditions_or_empty`:
the page is served without that picture, and the broken image is logged with its id.
"""

import logging

logger = logging.getLogger(__name__)


def renditions_or_empty(image, *specs: str) -> dict:
    """`image.get_renditions(*specs)` ({spec: rendition}), or {} when its source cannot be read."""
    try:
        return image.get_renditions(*specs)
    except OSError:
        logger.warning("Image %s: its file cannot be read; shown without it", image.pk, exc_info=True)
        return {}


def rendition_or_none(image, spec: str):
    """One rendition of `image`, or None when its source cannot be read."""
    return renditions_or_empty(image, spec).get(spec)
