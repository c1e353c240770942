"""Responsive pictures for the rendered shop: AVIF, WebP and JPEG renditions with their real widths.

A `<picture>` needs, per format, a srcset of URLs with width descriptors. The descriptor must be the
rendition's actual width: Wagtail's `fill`/`max` never upscale, so a 600 px source asked for
`fill-900x900` gives a 600 px file, and two "600w" candidates would make the browser pick badly.
So candidates come from stored renditions (their `width` column), and a candidate whose width repeats
a smaller one's is dropped.

Lookups are one query of plain values for any number of images, memoised per catalogue version like
the list's thumbnails (a changed image bumps the version); renditions not made yet are made once
through Wagtail.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace

from wagtail.images import get_image_model
from wagtail.images.models import Filter

from commerce.catalog.cache import catalog_version
from commerce.core.renditions import renditions_or_empty

# format -> MIME type, in the order a <picture> offers them (the last one is the <img> fallback)
FORMATS = (("avif", "image/avif"), ("webp", "image/webp"), ("jpeg", "image/jpeg"))


@dataclass(frozen=True)
class PictureSource:
    type: str
    srcset: str


@dataclass(frozen=True)
class Picture:
    src: str  # the fallback <img src> (JPEG, the smallest candidate)
    width: int  # of the fallback, for the <img> width/height attributes (no layout shift)
    height: int
    sources: tuple[PictureSource, ...]  # AVIF and WebP <source>s
    srcset: str  # JPEG candidates for the <img> itself


@dataclass(frozen=True)
class PictureSpec:
    """A responsive picture shape: the crop operation per candidate width, e.g. fill-{w}x{w}."""

    name: str
    operations: tuple[str, ...]  # one Wagtail filter operation per candidate, smallest first

    def specs(self) -> list[str]:
        return [f"{op}|format-{fmt}" for fmt, _ in FORMATS for op in self.operations]


CARD = PictureSpec("card", ("fill-360x360", "fill-720x720"))
GALLERY = PictureSpec("gallery", ("max-600x600", "max-900x900", "max-1200x1200"))
THUMB = PictureSpec("thumb", ("fill-120x120", "fill-240x240"))
TILE = PictureSpec("tile", ("fill-480x320", "fill-960x640"))

_memo: dict = {"version": None, "renditions": {}}
MEMO_MAX_ENTRIES = 50_000


def _lookup(image_ids: set[int], specs: list[str]) -> dict[tuple[int, str], tuple[str, int, int]]:
    """{(image id, spec): (url, width, height)} from stored renditions, making any missing ones."""
    image_model = get_image_model()
    rendition_model = image_model.get_rendition_model()
    filters = {spec: Filter(spec=spec) for spec in specs}
    vary_fields = sorted({f for flt in filters.values() for op in flt.operations for f in getattr(op, "vary_fields", ())})
    storage = rendition_model._meta.get_field("file").storage
    found: dict[tuple[int, str], tuple[str, int, int]] = {}
    rows = rendition_model.objects.filter(image_id__in=image_ids, filter_spec__in=specs).values(
        "image_id", "filter_spec", "file", "width", "height", "focal_point_key", *[f"image__{f}" for f in vary_fields]
    )
    for row in rows:
        focus = SimpleNamespace(**{f: row[f"image__{f}"] for f in vary_fields})
        if row["focal_point_key"] == filters[row["filter_spec"]].get_cache_key(focus):
            found[(row["image_id"], row["filter_spec"])] = (storage.url(row["file"]), row["width"], row["height"])
    incomplete = {image_id for image_id in image_ids if any((image_id, s) not in found for s in specs)}
    if incomplete:
        for image in image_model.objects.filter(id__in=incomplete):
            for spec, rendition in renditions_or_empty(image, *specs).items():
                found[(image.id, spec)] = (rendition.url, rendition.width, rendition.height)
    return found


def _renditions(image_ids: set[int], specs: list[str]) -> dict[tuple[int, str], tuple[str, int, int]]:
    version = catalog_version()
    if _memo["version"] != version or len(_memo["renditions"]) > MEMO_MAX_ENTRIES:
        _memo.update(version=version, renditions={})
    known = _memo["renditions"]
    missing = {i for i in image_ids if any((i, s) not in known for s in specs)}
    if missing:
        known.update(_lookup(missing, specs))
    return known


def _srcset(candidates: list[tuple[str, int, int]]) -> str:
    seen, parts = set(), []
    for url, width, _ in sorted(candidates, key=lambda c: c[1]):
        if width not in seen:  # a repeated width means the source was smaller: offer it once
            seen.add(width)
            parts.append(f"{url} {width}w")
    return ", ".join(parts)


def pictures(*, image_ids: Iterable[int], spec: PictureSpec) -> dict[int, Picture]:
    """{image id: Picture} for `spec`, in at most one query (none when memoised)."""
    image_ids = {i for i in image_ids if i}
    if not image_ids:
        return {}
    specs = spec.specs()
    known = _renditions(image_ids, specs)
    result = {}
    for image_id in image_ids:
        by_format = {
            fmt: [known[(image_id, f"{op}|format-{fmt}")] for op in spec.operations if (image_id, f"{op}|format-{fmt}") in known]
            for fmt, _ in FORMATS
        }
        fallback = by_format["jpeg"]
        if not fallback:
            continue
        url, width, height = min(fallback, key=lambda c: c[1])
        result[image_id] = Picture(
            src=url,
            width=width,
            height=height,
            sources=tuple(PictureSource(type=mime, srcset=_srcset(by_format[fmt])) for fmt, mime in FORMATS[:-1] if by_format[fmt]),
            srcset=_srcset(fallback),
        )
    return result


def picture_list(*, image_ids: Sequence[int], spec: PictureSpec) -> list[Picture]:
    found = pictures(image_ids=image_ids, spec=spec)
    return [found[i] for i in image_ids if i in found]
