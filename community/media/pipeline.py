"""Decode an upload by its content, orient it, drop every byte of metadata and re-encode it.

Only pixels survive: EXIF (GPS above all), XMP, IPTC, ICC profiles and comments are never copied,
because each size is a new image saved without them.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageFile, ImageOps

try:  # HEIC/HEIF (iPhone photos) through the pillow-heif plugin, when it is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the installation
    HEIF_SUPPORTED = False

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000
DISPLAY_SIZE = 1280
THUMB_SIZE = 320

# Pillow's own bomb guard (warns above, refuses at twice this); we check explicitly as well.
Image.MAX_IMAGE_PIXELS = DEFAULT_MAX_PIXELS
ImageFile.LOAD_TRUNCATED_IMAGES = False

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}


class PhotoError(ValueError):
    """An upload we refuse; the message is for the member, in plain Japanese."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


MSG_NOT_IMAGE = _l(
    "This file is not a photo we can use. Please choose a JPEG, PNG, WebP or HEIC picture "
    "(PDFs and other documents cannot be attached)."
)
MSG_BROKEN = _l("This photo could not be read to the end; the file may be broken or only partly copied. Please choose it again.")
MSG_EMPTY = _l("The photo file is empty. Please choose it again.")


def sniff(head: bytes) -> str | None:
    """The format by magic bytes; the file name and the browser's content type are ignored."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if HEIF_SUPPORTED and head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "HEIF"
    return None


def megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


@dataclass
class Encoded:
    data: bytes
    width: int
    height: int


@dataclass
class ProcessedPhoto:
    extension: str
    display: Encoded
    thumb: Encoded


def _encode(image: Image.Image, longest: int, fmt: str) -> Encoded:
    copy = image.copy()
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS)
    copy.info = {}  # nothing of the original's metadata may ride along
    out = io.BytesIO()
    if fmt == "WEBP":
        copy.save(out, "WEBP", quality=85, method=4)
    else:
        copy.save(out, "JPEG", quality=85, optimize=True, progressive=True)
    return Encoded(out.getvalue(), copy.width, copy.height)


def process(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pixels: int = DEFAULT_MAX_PIXELS) -> ProcessedPhoto:
    if not data:
        raise PhotoError(MSG_EMPTY)
    if len(data) > max_bytes:
        raise PhotoError(_too_large(len(data), max_bytes))
    kind = sniff(data[:16])
    if kind is None:
        raise PhotoError(MSG_NOT_IMAGE)
    formats = [kind] if kind != "HEIF" else ["HEIF", "AVIF"]
    try:
        with warnings.catch_warnings():
            # Pillow refuses outright above twice its limit; below that, our own check (with the
            # picture's size in the message) decides.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=formats)
            width, height = image.size
            # Checked from the header, before a single pixel is decoded.
            if width * height > max_pixels:
                raise PhotoError(_too_many_pixels(width, height, max_pixels))
            image.load()
            image = ImageOps.exif_transpose(image)
    except PhotoError:
        raise
    except Image.DecompressionBombError as error:
        raise PhotoError(_too_many_pixels(0, 0, max_pixels)) from error
    except (OSError, SyntaxError, ValueError, EOFError, Image.UnidentifiedImageError) as error:
        raise PhotoError(MSG_BROKEN) from error

    has_alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    if has_alpha:
        image = image.convert("RGBA")
        fmt, extension = "WEBP", "webp"
    else:
        image = image.convert("RGB")
        fmt, extension = "JPEG", "jpg"
    return ProcessedPhoto(extension, _encode(image, DISPLAY_SIZE, fmt), _encode(image, THUMB_SIZE, fmt))


def _too_large(size: int, limit: int):
    return _l("This photo is too large (%(size)s). Photos may be up to %(limit)s each.",
              size=megabytes(size), limit=megabytes(limit))


def _too_many_pixels(width: int, height: int, max_pixels: int):
    if not width:
        return _l("This picture has too many pixels. Please use a picture of up to %(megapixels)s million pixels.",
                  megapixels=max_pixels // 1_000_000)
    return _l(
        "This picture is too big in size (%(width)s × %(height)s pixels). "
        "Please use a picture of up to %(megapixels)s million pixels.",
        width=f"{width:,}", height=f"{height:,}", megapixels=max_pixels // 1_000_000,
    )
