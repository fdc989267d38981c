"""Image uploads: validation with clear errors, and responsive renditions (django-imagekit)."""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.db.models.fields.files import FieldFile
from django.dispatch import receiver
from django.utils.translation import gettext as _
from imagekit import ImageSpec
from imagekit.cachefiles import ImageCacheFile
from PIL import Image
from pilkit.processors import ResizeToFit

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
RENDITION_WIDTHS = (480, 800, 1200, 1600)
RENDITION_FORMATS = ("WEBP", "JPEG")


def _too_many_pixels(width: int, height: int) -> ValidationError:
    return ValidationError(
        _("The image is %(width)s×%(height)s pixels, more than the %(max)s million pixels allowed.")
        % {
            "width": width,
            "height": height,
            "max": round(settings.KIOSQUE_IMAGE_MAX_PIXELS / 1_000_000, 1),
        },
        code="image_too_many_pixels",
    )


def _rewind(file: Any) -> None:
    with contextlib.suppress(AttributeError, OSError, ValueError):
        file.seek(0)


def validate_image_upload(file: Any) -> None:
    """Refuse files too heavy, not an accepted image, truncated, or decompression bombs."""
    if getattr(file, "_committed", False):
        # Already in storage, so validated when it was uploaded: re-saving the row must not
        # re-read (or fail on) every stored image.
        return
    max_bytes = settings.KIOSQUE_IMAGE_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            _("The image is too large (%(size)s MB); the maximum is %(max)s MB.")
            % {"size": round(size / 1_048_576, 1), "max": round(max_bytes / 1_048_576, 1)},
            code="image_too_large",
        )
    invalid = ValidationError(
        _("The file is not a valid image (JPEG, PNG, WebP or GIF)."), code="invalid_image"
    )
    _rewind(file)
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its own limit; ours is stricter and checked first.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Image.open reads the header only: format and size are known before any decoding.
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                if image_format not in ALLOWED_FORMATS:
                    raise ValidationError(
                        _("Images must be JPEG, PNG, WebP or GIF (this one is %(format)s).")
                        % {"format": image_format or "?"},
                        code="image_format",
                    )
                if width * height > settings.KIOSQUE_IMAGE_MAX_PIXELS:
                    raise _too_many_pixels(width, height)
                image.verify()
            # verify() checks the structure but not every pixel (a truncated JPEG passes it):
            # decoding is the only complete check. JPEG can decode at 1/8 scale to save memory.
            _rewind(file)
            with Image.open(file) as image:
                image.draft(image.mode, (max(1, width // 8), max(1, height // 8)))
                image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(
            _("The image has too many pixels to be processed safely."), code="image_bomb"
        ) from exc
    except Image.UnidentifiedImageError as exc:
        raise ValidationError(
            _(
                "This file is not an image we accept. Upload a JPEG, PNG, WebP or GIF "
                "(SVG and other formats are refused)."
            ),
            code="invalid_image",
        ) from exc
    except Exception as exc:  # Pillow raises many kinds of errors on broken files.
        raise invalid from exc
    finally:
        _rewind(file)


class Rendition(ImageSpec):
    """One width in one format of a source image."""

    def __init__(self, source: FieldFile, width: int, image_format: str) -> None:
        self.processors = [ResizeToFit(width=width, upscale=False)]
        self.format = image_format
        self.options = (
            {"quality": 80} if image_format == "WEBP" else {"quality": 82, "progressive": True}
        )
        super().__init__(source=source)


@dataclass(frozen=True)
class RenditionSet:
    """The URLs a ``<picture>`` element needs for one source image."""

    webp_srcset: str
    jpeg_srcset: str
    fallback_url: str
    width: int | None
    height: int | None


def _widths_for(source_width: int | None) -> list[int]:
    if not source_width:
        return list(RENDITION_WIDTHS)
    widths = [w for w in RENDITION_WIDTHS if w <= source_width]
    return widths or [RENDITION_WIDTHS[0]]


def _cachefile(source: FieldFile, width: int, image_format: str) -> ImageCacheFile:
    return ImageCacheFile(Rendition(source, width, image_format))


# A rendition's URL is a function of the source's name (uploads never reuse a name), the width,
# the format and the storage settings (unless URLs are signed); imagekit computes it by hashing
# the pickled spec, which was a third of the home page's time (80 renditions). Bounded, and
# forgotten on a settings change.
_URLS_MAX = 8192
_urls: dict[tuple[str, int, str], str] = {}


def _rendition_url(source: FieldFile, width: int, image_format: str) -> str:
    if settings.AWS_QUERYSTRING_AUTH:
        return _cachefile(source, width, image_format).url  # signed URLs expire: never kept
    key = (source.name or "", width, image_format)
    url = _urls.get(key)
    if url is None:
        url = _cachefile(source, width, image_format).url
        if len(_urls) >= _URLS_MAX:
            _urls.clear()
        _urls[key] = url
    return url


@receiver(setting_changed)
def _forget_urls(*, setting: str, **kwargs: Any) -> None:
    if setting in ("MEDIA_URL", "STORAGES", "IMAGEKIT_CACHEFILE_DIR", "IMAGEKIT_CACHEFILE_NAMER"):
        _urls.clear()


def renditions_generate(*, source: FieldFile, source_width: int | None) -> int:
    """Write every rendition of ``source`` to storage; return how many were written."""
    if not source:
        return 0
    count = 0
    for width in _widths_for(source_width):
        for image_format in RENDITION_FORMATS:
            _cachefile(source, width, image_format).generate(force=True)
            count += 1
    return count


def rendition_set(
    source: FieldFile, source_width: int | None, source_height: int | None
) -> RenditionSet | None:
    """Build srcset strings without touching storage (renditions exist once generated)."""
    if not source:
        return None
    widths = _widths_for(source_width)
    srcsets = {}
    for image_format in RENDITION_FORMATS:
        srcsets[image_format] = ", ".join(
            f"{_rendition_url(source, w, image_format)} {min(w, source_width or w)}w"
            for w in widths
        )
    fallback_width = widths[min(1, len(widths) - 1)]
    return RenditionSet(
        webp_srcset=srcsets["WEBP"],
        jpeg_srcset=srcsets["JPEG"],
        fallback_url=_rendition_url(source, fallback_width, "JPEG"),
        width=source_width,
        height=source_height,
    )


def rendition_url(
    source: FieldFile, source_width: int | None, *, max_width: int, image_format: str = "JPEG"
) -> str | None:
    """URL of the widest rendition not wider than ``max_width`` (without touching storage)."""
    if not source:
        return None
    widths = [w for w in _widths_for(source_width) if w <= max_width] or [RENDITION_WIDTHS[0]]
    return _rendition_url(source, widths[-1], image_format)
