"""Image intake: content sniffing, size and pixel limits, re-encoding without EXIF."""

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from commerce.reviews.images import MAX_IMAGE_BYTES, ImageRejected, image_sanitize

from .factories import image_bytes, jpeg_with_exif, png_bomb


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_image_sanitize_accepts_and_reencodes_each_format(fmt):
    cleaned = image_sanitize(SimpleUploadedFile("x.bin", image_bytes(fmt)))
    assert Image.open(io.BytesIO(cleaned.read())).format == fmt
    assert cleaned.name.endswith({"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}[fmt])


def test_image_sanitize_strips_exif():
    assert Image.open(io.BytesIO(jpeg_with_exif())).getexif()  # the upload does carry EXIF
    cleaned = Image.open(io.BytesIO(image_sanitize(SimpleUploadedFile("p.jpg", jpeg_with_exif())).read()))
    assert not cleaned.getexif()
    assert "exif" not in cleaned.info


def test_image_sanitize_rejects_text_named_jpg():
    with pytest.raises(ImageRejected) as info:
        image_sanitize(SimpleUploadedFile("photo.jpg", b"just some text, not an image\n" * 10))
    assert (info.value.code, info.value.http_status) == ("image_invalid", 400)


def test_image_sanitize_rejects_gif_even_with_image_extension():
    with pytest.raises(ImageRejected):
        image_sanitize(SimpleUploadedFile("photo.png", image_bytes("GIF")))


def test_image_sanitize_rejects_over_5mb_with_413():
    with pytest.raises(ImageRejected) as info:
        image_sanitize(SimpleUploadedFile("big.jpg", b"\xff" * (MAX_IMAGE_BYTES + 1)))
    assert (info.value.code, info.value.http_status) == ("image_too_large", 413)


def test_image_sanitize_rejects_decompression_bomb_fast():
    bomb = png_bomb()
    started = time.monotonic()
    with pytest.raises(ImageRejected) as info:
        image_sanitize(SimpleUploadedFile("bomb.png", bomb))
    assert time.monotonic() - started < 1.0
    assert (info.value.code, info.value.http_status) == ("image_too_many_pixels", 400)


def test_image_sanitize_rejects_moderate_bomb_under_pillows_own_limit():
    # 9000 x 9000 = 81 MP: below Pillow's default limit, above ours.
    with pytest.raises(ImageRejected) as info:
        image_sanitize(SimpleUploadedFile("big.png", png_bomb(9000, 9000)))
    assert info.value.code == "image_too_many_pixels"


def test_image_sanitize_shrinks_large_images():
    cleaned = image_sanitize(SimpleUploadedFile("wide.png", image_bytes("PNG", size=(4000, 1000))))
    assert Image.open(io.BytesIO(cleaned.read())).size == (2048, 512)
