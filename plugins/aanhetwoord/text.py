"""Small text helpers shared by the whole pipeline: matching keys, slugs, shortening."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"\s+")
_NON_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?$")


def plural(number: int, one: str, many: str) -> str:
    """``number`` with the word that fits it: "1 verhaal", "3 verhalen"."""
    return f"{number} {one if number == 1 else many}"


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


# Characters that show nothing but still make two names differ: besides the format characters
# (category Cf: zero-width space, joiners, bidi controls, soft hyphen, word joiner, BOM, tags),
# the combining grapheme joiner, Hangul fillers and Khmer's invisible vowels.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")
_JOINERS = frozenset("\u200c\u200d")


def _is_variation_selector(char: str) -> bool:
    return "\ufe00" <= char <= "\ufe0f" or "\U000e0100" <= char <= "\U000e01ef"


def strip_invisible(value: str, *, name: bool = True) -> str:
    """``value`` without invisible characters, so look-alike names and titles cannot be made
    with them and bidi controls cannot reorder what follows.

    A name loses every one of them. Running text (``name=False``) keeps a zero-width joiner or
    non-joiner between two visible characters, where Persian words and emoji sequences need them,
    and variation selectors (emoji presentation).
    """
    if value.isascii():
        return value
    kept = []
    last = len(value) - 1
    for index, char in enumerate(value):
        if char in _JOINERS and not name and 0 < index < last:
            if not (value[index - 1].isspace() or value[index + 1].isspace()):
                kept.append(char)
            continue
        if unicodedata.category(char) == "Cf" or char in _INVISIBLE:
            continue
        if name and _is_variation_selector(char):
            continue
        kept.append(char)
    return "".join(kept)


def is_valid_slug(value: str) -> bool:
    return bool(SLUG_PATTERN.match(value))


SLUG_MAX = 80


def slug_fault(value: str) -> str:
    """What is wrong with ``value`` as a slug, in plain Dutch; "" when it is a good slug."""
    if is_valid_slug(value):
        return ""
    if not value:
        return "de naam is leeg"
    for char in value:
        if char.isspace():
            return "er staat een spatie in"
        if char.isupper():
            return f"er staat een hoofdletter in ('{char}')"
        if not char.isascii() and char.isalpha():
            plain = strip_accents(char)
            if plain.isascii() and plain.isalpha():
                return f"er staat een letter met een accent in ('{char}'); schrijf '{plain.lower()}'"
            return f"de letter '{char}' kan niet"
        if not (char.isascii() and (char.isalnum() or char == "-")):
            shown = char if char.isprintable() else f"U+{ord(char):04X}"
            return f"het teken '{shown}' kan niet"
    if value.startswith("-"):
        return "de naam begint met een '-'"
    if value.endswith("-"):
        return "de naam eindigt op een '-'"
    if len(value) > SLUG_MAX:
        return f"de naam is {len(value)} tekens lang"
    return "de naam klopt niet"


def shorten(value: str, limit: int) -> str:
    """Cut ``value`` at a word boundary so it fits in ``limit`` characters, with an ellipsis."""
    value = _SPACES.sub(" ", value).strip()
    if len(value) <= limit:
        return value
    cut = value[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,.;:") + "…"


# "Tekening: Sanne", "Foto en tekst: Jan": the credit already says what kind of picture it is.
# A web address ("https://…") is not a label.
_LABELLED = re.compile(r"^\s*[^\W\d_][^\W_]*(?:[ -][^\W\d_][^\W_]*){0,3}\s*:(?!//)", re.UNICODE)


def credit_caption(credit: str, label: str) -> str:
    """A photo's caption: "Foto: Jan", but "Tekening: Sanne" as it is, never "Foto: Tekening: Sanne"."""
    credit = credit.strip()
    return credit if _LABELLED.match(credit) else f"{label}: {credit}"


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


# The same characters below U+0080: a small set is much quicker to search for.
_ASCII_UNFIT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_unfit(value: str) -> bool:
    """Whether ``value`` has a character of :data:`UNFIT_CHARACTERS`; quick for plain text."""
    if value.isascii():
        return _ASCII_UNFIT.search(value) is not None
    # Every unfit character is unprintable: text that is printable apart from its tabs and line
    # breaks has none. The full search is slow on long texts, so it is left for the rest.
    if value.replace("\n", "").replace("\t", "").replace("\r", "").isprintable():
        return False
    return UNFIT_CHARACTERS.search(value) is not None


def without_unfit(value: str) -> str:
    """``value`` without the characters of :data:`UNFIT_CHARACTERS`."""
    if not has_unfit(value):
        return value
    return UNFIT_CHARACTERS.sub("", _UNFIT_SPACES.sub(" ", value))
