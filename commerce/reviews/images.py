"""Review image intake: sniff the real format, refuse oversize files and pixel bombs, re-encode.

Nothing of the uploaded bytes is stored: each accepted image is decoded and saved again as a fresh
image with no metadata, which drops EXIF (GPS position, camera serial), text chunks and anything
smuggled after the image data.
"""

import io
import uuid
import warnings

from django.core.files.base import ContentFile
from PIL import Image, ImageOps, UnidentifiedImageError

from commerce.core.errors import ApplicationError

MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Checked on the header, before decoding: 40 MP is beyond any phone photo, far below a bomb.
MAX_IMAGE_PIXELS = 40_000_000
MAX_STORED_EDGE = 2048
# Pillow format name -> (file extension, save options)
ACCEPTED_FORMATS = {
    "JPEG": ("jpg", {"quality": 85, "optimize": True}),
    "PNG": ("png", {"optimize": True}),
    "WEBP": ("webp", {"quality": 85}),
}


class ImageRejected(ApplicationError):
    code = "image_invalid"


def _too_large(name: str) -> ImageRejected:
    return ImageRejected(
        f"{name} is larger than 5 MB.",
        code="image_too_large",
        http_status=413,
        details={"max_bytes": MAX_IMAGE_BYTES},
    )


def image_check_size(upload, *, name: str = "The image") -> None:
    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise _too_large(name)


def image_sanitize(upload, *, name: str = "The image") -> ContentFile:
    """Return a re-encoded copy of `upload` (JPEG, PNG or WebP), or raise ImageRejected."""
    image_check_size(upload, name=name)
    upload.seek(0)
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice its limit: make that a refusal too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            # formats= limits the decoders tried: the content decides, never the file name.
            image = Image.open(upload, formats=list(ACCEPTED_FORMATS))
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ImageRejected(
                    f"{name} has too many pixels.",
                    code="image_too_many_pixels",
                    details={"max_pixels": MAX_IMAGE_PIXELS},
                )
            source_format = image.format
            image.load()
            image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ImageRejected(f"{name} has too many pixels.", code="image_too_many_pixels") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise ImageRejected(f"{name} is not a JPEG, PNG or WebP image.", code="image_invalid") from exc

    extension, options = ACCEPTED_FORMATS[source_format]
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha and source_format != "JPEG" else "RGB"
    image = image.convert(mode)
    image.thumbnail((MAX_STORED_EDGE, MAX_STORED_EDGE))
    # A brand-new image from raw pixels carries no info dict, so no EXIF, ICC or text chunks.
    clean = Image.frombytes(mode, image.size, image.tobytes())
    buffer = io.BytesIO()
    clean.save(buffer, format=source_format, **options)
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
