"""A resident's photo, made safe before it is kept anywhere: the site's checks, then a clean JPEG.

It goes through the checks of the photo pipeline (size, format by content, pixel count, and
here also the length of each side, so a decompression bomb is refused before it is decoded)
and is decoded the way the site build decodes it: upright and in sRGB. Then it is written as a
new JPEG of at most 2400 pixels wide, without any metadata — no EXIF with the GPS position of
someone's home, no XMP, no comments.
The site build later makes its own variants from this file.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..photos import PhotoError, _prepare, flatten, open_photo
from ..settings import PhotoSettings

FILE_NAME = "foto.jpg"
MAX_WIDTH = 2400
JPEG_QUALITY = 85
# Each side at most this many pixels, checked before decoding (JPEG itself stops at 65,500).
MAX_SIDE = 20_000

log = logging.getLogger("aanhetwoord.intake")


@dataclass(frozen=True)
class PreparedPhoto:
    path: Path
    width: int
    height: int


def prepare(upload: Path, target: Path, settings: PhotoSettings) -> PreparedPhoto:
    """Check ``upload`` and write the clean photo to ``target``; a bad photo raises PhotoError."""
    try:
        image = open_photo(upload, settings)
        with image:
            # Read from the header, before any pixel is decoded: a 1 × 39,000,000 PNG is within
            # the megapixel limit, but costs seconds and memory to decode and cannot be a JPEG.
            width, height = image.size
            if max(width, height) > MAX_SIDE:
                raise PhotoError(
                    f"De foto is {_number(width)} × {_number(height)} pixels. "
                    f"Een kant mag hoogstens {_number(MAX_SIDE)} pixels lang zijn"
                )
            # The same decoding as the site build (photos._prepare), so a photo accepted here
            # is accepted there: upright, sRGB, and a JPEG decoded at a reduced scale as long as
            # it stays at least as wide as the site's largest variant (a 12 MP photo: 2000 px).
            prepared = _prepare(image, max(settings.widths))
        if prepared.width > MAX_WIDTH:
            height = max(1, round(prepared.height * MAX_WIDTH / prepared.width))
            prepared = prepared.resize((MAX_WIDTH, height), Image.LANCZOS, reducing_gap=3.0)
        prepared = flatten(prepared)
        prepared.info = {}  # nothing of the original file is written along
        scratch = target.with_name(f".{target.name}.tmp")
        try:
            prepared.save(scratch, "JPEG", quality=JPEG_QUALITY, optimize=True)
            os.replace(scratch, target)
        finally:
            scratch.unlink(missing_ok=True)
    except PhotoError as error:
        raise PhotoError(_sentence(str(error))) from None
    except Exception as error:  # noqa: BLE001 - image decoders raise many kinds on crafted files
        # A crafted file can make Pillow's decoders raise nearly anything (struct.error,
        # IndexError, EOFError, MemoryError…); to the resident it is one thing: a broken photo.
        log.info("refused a photo that could not be decoded: %s", type(error).__name__)
        raise PhotoError("De foto is beschadigd of niet compleet.") from None
    return PreparedPhoto(target, prepared.width, prepared.height)


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # Dutch: 20.000


def _sentence(message: str) -> str:
    message = message[:1].upper() + message[1:]
    return message if message.endswith(".") else f"{message}."
