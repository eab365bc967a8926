"""Small text helpers shared by the whole pipeline: matching keys, slugs, shortening."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


def strip_accents(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=65536)
def match_key(value: str) -> str:
    """The key under which names are equal: case, accents and spacing do not count."""
    return _SPACES.sub(" ", strip_accents(value).casefold()).strip()


DIGITS = "0–9"


def initial(name: str) -> str:
    """The heading a name is listed under: its first letter A–Z (accents dropped, leading
    punctuation skipped, so "'t Hofje" goes under T), DIGITS, or "" for another script."""
    for char in match_key(name):
        if "a" <= char <= "z":
            return char.upper()
        if char.isdigit():
            return DIGITS
        if char.isalpha():
            return ""
    return ""


def slugify(value: str, fallback: str = "x") -> str:
    """A URL-safe slug: lowercase a–z, 0–9 and hyphens, at most 80 characters."""
    slug = _NON_SLUG.sub("-", strip_accents(value).lower()).strip("-")
    return slug[:80].rstrip("-") or fallback


def is_valid_slug(value: str) -> bool:
    return bool(SLUG_PATTERN.match(value))


def shorten(value: str, limit: int) -> str:
    """Cut ``value`` at a word boundary so it fits in ``limit`` characters, with an ellipsis."""
    value = _SPACES.sub(" ", value).strip()
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


# Characters no page or feed can carry: XML 1.0 forbids C0 controls (except tab, line feed and
# carriage return), lone surrogates and U+FFFE/U+FFFF; HTML also counts DEL, the C1 controls and
# the other noncharacters as errors. YAML escapes ("\x0b", "\ud800") can produce every one.
UNFIT_CHARACTERS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(f"{chr(plane << 16 | 0xFFFE)}{chr(plane << 16 | 0xFFFF)}" for plane in range(17))
    + "]"
)


# Of those, the ones that separate words (Word writes a line break as a vertical tab) become spaces.
_UNFIT_SPACES = re.compile("[\x0b\x0c\x1c-\x1f\x85]")


def without_unfit(value: str) -> str:
    """``value`` without the characters of :data:`UNFIT_CHARACTERS`."""
    if not UNFIT_CHARACTERS.search(value):
        return value
    return UNFIT_CHARACTERS.sub("", _UNFIT_SPACES.sub(" ", value))
