"""The plugin's options in the site's configuration file: each declared once, with its type,
default and check.

The site build (through the engine's adapter), the command-line tools, the pull-request check
and the web form all read the options through :func:`check_options`, so a wrong value gets the
same message wherever it is read. Values are taken as YAML gives them and never converted: a
number in quotes is text, and is refused with a message that says how to write it.
"""

from __future__ import annotations

import difflib
import enum
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from .settings import MEGABYTE, MEGAPIXEL, PhotoSettings, Settings, UrlWords
from .text import shorten

PLUGIN_NAME = "aanhetwoord"


class Kind(enum.StrEnum):
    TEXT = "text"
    WHOLE = "whole number"
    NUMBER = "number"
    YES_NO = "true or false"
    DATE = "date"  # a YAML date, or text that the build reads as one (see config_file)


@dataclass(frozen=True)
class Option:
    name: str
    kind: Kind
    default: Any = None
    # For numbers: the smallest and largest value; ``above`` makes the smallest one excluded.
    low: float | None = None
    high: float | None = None
    above: bool = False


OPTIONS: tuple[Option, ...] = (
    Option("stories", Kind.TEXT, "stories"),
    Option("neighbourhoods", Kind.TEXT),
    Option("themes", Kind.TEXT),
    Option("language", Kind.TEXT),  # default: the theme's language, else nl
    Option("templates", Kind.TEXT),
    Option("url_stories", Kind.TEXT, UrlWords.stories),
    Option("url_neighbourhoods", Kind.TEXT, UrlWords.neighbourhoods),
    Option("url_themes", Kind.TEXT, UrlWords.themes),
    Option("url_communities", Kind.TEXT, UrlWords.communities),
    Option("url_page", Kind.TEXT, UrlWords.page),
    Option("url_api", Kind.TEXT, UrlWords.api),
    Option("pagination_per_page", Kind.WHOLE, Settings.per_page, low=1),
    Option("home_count", Kind.WHOLE, Settings.home_count, low=0),
    Option("related_max", Kind.WHOLE, Settings.related_max, low=0),
    Option("share_url", Kind.TEXT, Settings.share_url),
    Option("cache_dir", Kind.TEXT),
    Option("photo_max_megapixels", Kind.NUMBER, PhotoSettings.max_pixels // MEGAPIXEL, 0, 1000, above=True),
    Option("photo_max_megabytes", Kind.NUMBER, PhotoSettings.max_bytes // MEGABYTE, 0, 1000, above=True),
    Option("security_contact", Kind.TEXT),
    Option("security_expires", Kind.DATE),
    # The municipality's house style: files in docs_dir, colours as #rrggbb (checked in brand.py).
    Option("logo", Kind.TEXT),
    Option("favicon", Kind.TEXT),
    Option("color_primary", Kind.TEXT),
    Option("color_accent", Kind.TEXT),
    Option("color_text", Kind.TEXT),
    # The footer's links: site-relative paths, full addresses or mailto:.
    Option("about_url", Kind.TEXT, Settings.about_url),
    Option("privacy_url", Kind.TEXT, Settings.privacy_url),
    Option("accessibility_url", Kind.TEXT, Settings.accessibility_url),
    Option("contact_url", Kind.TEXT),
    Option("generator_credit", Kind.YES_NO, Settings.generator_credit),
    # Every MkDocs plugin has this switch; the engine takes it before the plugin sees its options.
    Option("enabled", Kind.YES_NO, True),
)
_WHOLE = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
BY_NAME = {option.name: option for option in OPTIONS}
ENGINE_OPTIONS = frozenset({"enabled"})


def check_options(raw: Any) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Every option's value (its default when it is not given or empty), and the problems as
    (option, message). ``raw`` is the plugin's block from the configuration file, as YAML read it."""
    values = {option.name: option.default for option in OPTIONS}
    if raw is None:
        return values, []
    if not isinstance(raw, Mapping):
        return values, [
            (
                PLUGIN_NAME,
                f"hier horen instellingen met een naam en een waarde, zoals 'stories: stories', "
                f"geen {_describe(raw)}",
            )
        ]
    problems: list[tuple[str, str]] = []
    for name, value in raw.items():
        option = BY_NAME.get(name) if isinstance(name, str) else None
        if option is None:
            problems.append((_shown(name), _unknown(name)))
            continue
        if value is None:
            continue  # written without a value: the default, as MkDocs does
        message = _check(option, value)
        if message is None:
            values[option.name] = value
        else:
            problems.append((option.name, message))
    return values, problems


def _check(option: Option, value: Any) -> str | None:
    """Why ``value`` cannot be this option's value, or None."""
    if option.kind is Kind.TEXT:
        if isinstance(value, str):
            return None
        if isinstance(value, (list, Mapping)):
            return f"hier hoort tekst, geen {_describe(value)}"
        return f"hier hoort tekst, geen {_describe(value)}. Zet de waarde tussen aanhalingstekens: '{value}'"
    if option.kind is Kind.YES_NO:
        if isinstance(value, bool):
            return None
        if isinstance(value, str) and value.strip().lower() in ("true", "false", "yes", "no", "on", "off"):
            return (
                f"'{_shown(value)}' staat tussen aanhalingstekens, en is dan tekst. "
                "Schrijf true of false zonder aanhalingstekens"
            )
        return f"hier hoort true of false, geen {_describe(value)}"
    if option.kind is Kind.DATE:
        if isinstance(value, (str, date)):
            return None
        return f"hier hoort een datum zoals 2027-01-31, geen {_describe(value)}"
    return _check_number(option, value)


def _check_number(option: Option, value: Any) -> str | None:
    whole = option.kind is Kind.WHOLE
    wanted = f"{'een heel getal' if whole else 'een getal'}, zoals {option.default}"
    if isinstance(value, str):
        if _is_number(value.strip(), whole):
            return (
                f"'{_shown(value)}' staat tussen aanhalingstekens, en is dan tekst. "
                f"Schrijf {value.strip()} zonder aanhalingstekens"
            )
        if _reads_as_number(value):
            # Such as 1e5 or inf: Python reads a number, YAML (1.1) reads text.
            return (
                f"'{_shown(value)}' is voor YAML tekst, geen getal. "
                f"Schrijf een gewoon getal, zoals {option.default}"
            )
        return f"hier hoort {wanted}, geen tekst"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"hier hoort {wanted}, geen {_describe(value)}"
    if isinstance(value, float) and math.isnan(value):
        return f"hier hoort {wanted}"
    if whole and not isinstance(value, int):
        return f"hier hoort {wanted}, zonder komma of punt"
    low, high = option.low, option.high
    if (low is not None and (value <= low if option.above else value < low)) or (
        high is not None and value > high
    ):
        return f"kies {_range(option)}"
    return None


def _range(option: Option) -> str:
    what = "een heel getal" if option.kind is Kind.WHOLE else "een getal"
    low = f"{option.low:g}" if option.low is not None else ""
    if option.high is None:
        return f"{what} van {low} of meer"
    if option.above:
        return f"{what} groter dan {low} en hoogstens {option.high:g}"
    return f"{what} van {low} tot en met {option.high:g}"


def _is_number(text: str, whole: bool) -> bool:
    """Whether YAML reads ``text`` as such a number once the quotes are gone."""
    return bool((_WHOLE if whole else _DECIMAL).fullmatch(text))


def _reads_as_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _describe(value: Any) -> str:
    """What kind of value this is, in words."""
    if isinstance(value, bool):
        return "true of false"
    if isinstance(value, (int, float)):
        return "getal"
    if isinstance(value, str):
        return "tekst"
    if isinstance(value, date):
        return "datum"
    if isinstance(value, list):
        return "lijst"
    if isinstance(value, Mapping):
        return "groep instellingen"
    return "waarde van dit soort"


def _unknown(name: Any) -> str:
    close = difflib.get_close_matches(str(name), list(BY_NAME), n=1, cutoff=0.6)
    hint = f" Bedoel je '{close[0]}'?" if close else " Kijk of de naam goed geschreven is."
    return f"dit is geen instelling van {PLUGIN_NAME}.{hint}"


def _shown(value: Any) -> str:
    """A value as a message quotes it: one line, not too long."""
    return shorten(value if isinstance(value, str) else repr(value), 60)
