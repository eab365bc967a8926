"""Communities: which names are one community, where its page lives, and names that look alike.

Communities are not registered, so their addresses are made from their names. An address
depends only on the name itself, never on which other names exist or on the order or dates
of stories, so a new story cannot take over or move an existing community's page:

- Names that differ only in case, accents, spacing or punctuation are one community
  ("!Vrouwengroep Yasmine" is "Vrouwengroep Yasmine"): its key keeps the words (runs of
  letters and digits), without accents and in lower case. Latin letters with a stroke or other
  non-decomposing variant (ı, ł, ø, æ) count as their plain letters, like accents do.
- A key of plain a–z and 0–9 words is its own address: "vrouwengroep-yasmine". That mapping is
  one-to-one, so two such communities never share an address.
- Any other key (another script, emoji or punctuation only, or longer than a slug may be) gets a
  readable part, transliterated with anyascii, plus "--" and the start of the key's SHA-256:
  "msjd-lhdyh--3f1c0a9b2e". Plain addresses never contain "--", so these can never take a plain
  one; a look-alike in Cyrillic letters has its own address, and ``check`` warns about it.
- Should two keys ever share such an address (odds about n²/2⁴¹ for n such names), both get the
  whole SHA-256 instead: neither takes the other's page.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from pathlib import Path

from anyascii import anyascii

from .model import Severity, Story
from .problems import Problem
from .text import match_key, slugify, strip_invisible

SLUG_MAX = 80
HASH_LENGTH = 10
FALLBACK = "gemeenschap"
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 ")


@lru_cache(maxsize=65536)
def community_key(name: str) -> str:
    """The key under which community names are equal: case, accents, spacing and punctuation
    do not count; a name of punctuation or emoji only is kept as written, without spaces."""
    folded = "".join(_latin_letter(char) for char in match_key(strip_invisible(name)))
    words: list[str] = []
    word: list[str] = []
    for char in folded:
        if unicodedata.category(char)[0] in "LNM":
            word.append(char)
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return " ".join(words) if words else "".join(folded.split())


def _latin_letter(char: str) -> str:
    """ı → i, ł → l, ø → o, æ → ae; other characters as they are."""
    if char.isascii() or not char.isalpha() or not unicodedata.name(char, "").startswith("LATIN "):
        return char
    return anyascii(char).casefold() or char


@lru_cache(maxsize=65536)
def community_slug(key: str, hash_length: int = HASH_LENGTH) -> str:
    """The address of the community with this key (see the module's description)."""
    plain = key.replace(" ", "-")
    if key and _PLAIN.issuperset(key) and len(plain) <= SLUG_MAX:
        return plain
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:hash_length]
    base = slugify(anyascii(key), fallback=FALLBACK)[: SLUG_MAX - 2 - len(digest)].rstrip("-")
    return f"{base}--{digest}"


def community_slugs(keys: Iterable[str], hash_length: int = HASH_LENGTH) -> dict[str, str]:
    """The address of each key; keys whose short addresses coincide get the whole hash."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for key in dict.fromkeys(keys):
        by_slug[community_slug(key, hash_length)].append(key)
    slugs: dict[str, str] = {}
    for slug, shared in by_slug.items():
        for key in shared:
            slugs[key] = slug if len(shared) == 1 else community_slug(key, 64)
    return slugs


def first_use(story: Story) -> tuple[date, str]:
    return story.date, story.slug


def display_names(stories: Iterable[Story]) -> dict[str, str]:
    """Per community key, the spelling shown: the one most stories use, then the one of the
    earliest story, then the first in code point order. Only the shown name can change when
    stories change; the address never does."""
    uses: dict[str, dict[str, tuple[int, tuple[date, str]]]] = defaultdict(dict)
    for story in stories:
        for name in dict.fromkeys(story.communities):
            spellings = uses[community_key(name)]
            count, first = spellings.get(name, (0, first_use(story)))
            spellings[name] = (count + 1, min(first, first_use(story)))
    return {
        key: min(spellings, key=lambda name: (-spellings[name][0], spellings[name][1], name))
        for key, spellings in uses.items()
    }


# Look-alikes -------------------------------------------------------------------------------

# Dutch names of the scripts whose letters most often pass for Latin ones.
_SCRIPTS = {
    "CYRILLIC": "Cyrillische",
    "GREEK": "Griekse",
    "ARMENIAN": "Armeense",
}


@lru_cache(maxsize=65536)
def _latin_look_alikes(key: str) -> tuple[tuple[int, str, str], ...]:
    """(position in the key, letter, the Latin letter it looks like) for letters of other scripts."""
    if key.isascii():
        return ()
    from confusable_homoglyphs import categories, confusables  # its tables load in ~40 ms: only when used

    found = confusables.is_confusable(key, greedy=True, preferred_aliases=["latin"]) or []
    table: dict[str, str] = {}
    for item in found:
        char = item["character"]
        if not char.isalpha():
            continue  # digits and signs: only letters from other scripts are looked at
        latin = [glyph["c"] for glyph in item["homoglyphs"] if categories.alias(glyph["c"]) == "LATIN"]
        if latin:
            table[char] = min(latin, key=lambda glyph: (not glyph.isascii(), glyph))
    return tuple((index, char, table[char]) for index, char in enumerate(key) if char in table)


def skeleton(name: str) -> str:
    """What a name looks like: its key with other scripts' look-alike letters replaced by the
    Latin ones (after Unicode's confusables, UTS #39) and without spaces."""
    key = community_key(name)
    chars = list(key)
    for index, _, latin in _latin_look_alikes(key):
        chars[index] = latin
    return "".join("".join(chars).casefold().split())


def lookalike_problems(stories: Iterable[Story], display: dict[Path, str]) -> list[Problem]:
    """Warnings for community names that look like another one: written with letters of another
    script, or with other punctuation or spacing. Every story that uses one of the spellings is
    told which other spelling it looks like and where that one is used, so a check on one new
    story shows it too."""
    # Spellings that differ in case, accents or spacing only are one spelling here: they are the
    # ordinary variation of a name, and one community already.
    uses: dict[str, list[tuple[Story, int]]] = defaultdict(list)
    for story in stories:
        for index, name in enumerate(story.communities):
            uses[name].append((story, index))
    groups: dict[str, dict[str, list[tuple[Story, int]]]] = defaultdict(lambda: defaultdict(list))
    for name, found in uses.items():
        groups[skeleton(name)][match_key(name)].extend(found)

    problems: list[Problem] = []
    for spellings in groups.values():
        if len(spellings) < 2:
            continue
        ranked = sorted(
            spellings.values(),
            key=lambda found: (-len(found), min(first_use(story) for story, _ in found)),
        )
        for found in ranked:
            other = next(candidate for candidate in ranked if candidate is not found)
            story, index = min(other, key=lambda use: first_use(use[0]))
            other_name = story.communities[index]
            where = f"{display.get(story.source, story.source.as_posix())}:{_line(story, index)}"
            for own, own_index in found:
                name = own.communities[own_index]
                problems.append(
                    Problem(
                        display.get(own.source, own.source.as_posix()),
                        _line(own, own_index),
                        "community",
                        _message(name, other_name, where),
                        Severity.WARNING,
                    )
                )
    return problems


def _line(story: Story, index: int) -> int:
    return story.community_lines[index] if index < len(story.community_lines) else 1


def _message(name: str, other: str, where: str) -> str:
    if community_key(name) == community_key(other):
        return (
            f"'{name}' is anders geschreven dan de gemeenschap '{other}' ({where}): alleen leestekens "
            "of spaties verschillen, dus het verhaal komt bij die gemeenschap. Schrijf de naam precies "
            "hetzelfde, of kies een echt andere naam als het een andere groep is."
        )
    own, theirs = _foreign_letter(name), _foreign_letter(other)
    if own:
        reason = f"{own[0]} is {own[1]}"
    elif theirs:
        reason = f"in die naam is {theirs[0]} {theirs[1]}"
    else:
        reason = "alleen leestekens of spaties verschillen"
    return (
        f"'{name}' lijkt op de gemeenschap '{other}' ({where}), maar het is een andere naam: {reason}. "
        "Het verhaal komt op een eigen pagina. Is het dezelfde groep? Schrijf de naam dan precies hetzelfde."
    )


def _foreign_letter(name: str) -> tuple[str, str] | None:
    """The first look-alike letter, as ("het 20e teken", "een Cyrillische е, geen gewone e")."""
    clean = strip_invisible(name)
    for position, char in enumerate(clean, start=1):
        folded = community_key(char)
        look_alikes = _latin_look_alikes(folded) if folded else ()
        if look_alikes:
            from confusable_homoglyphs import categories

            script = _SCRIPTS.get(categories.alias(char), "")
            kind = f"een {script} {char}" if script else f"de letter {char} uit een ander schrift"
            return f"het {position}e teken", f"{kind}, geen gewone {look_alikes[0][2]}"
    return None
