"""The municipality's house style: logo, favicon and colours, checked for contrast.

Colours are refused when text in them would be hard to read: WCAG 2.x asks a contrast of at
least 4.5:1 for normal text. The site and the web form both take their colours from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .problems import Problem

WHITE = (255, 255, 255)
# Material's dark (slate) background at its default hue: hsl(225, 15%, 14%).
SLATE = (30, 33, 41)
MIN_CONTRAST = 4.5
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg", ".webp", ".ico", ".gif")
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")

Rgb = tuple[int, int, int]


@dataclass(frozen=True)
class Brand:
    """The house style as the site's configuration gives it; empty means Material's own."""

    logo: str = ""  # path inside the docs folder, as Material's ``theme.logo``
    favicon: str = ""
    primary: str = ""  # the header, buttons and links; white text goes on it
    accent: str = ""  # links under the pointer
    text: str = ""  # running text on the white page

    @property
    def has_colours(self) -> bool:
        return bool(self.primary or self.accent or self.text)


def parse_colour(value: str) -> Rgb | None:
    """``#1f5f3f`` or ``#fff`` (the ``#`` may be left out) as RGB, or None."""
    match = _HEX.fullmatch(value.strip())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def hex_colour(rgb: Rgb) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def luminance(rgb: Rgb) -> float:
    """WCAG 2.x relative luminance."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(value) for value in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgb, b: Rgb) -> float:
    """WCAG 2.x contrast ratio, from 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def blend(colour: Rgb, alpha: float, ground: Rgb) -> Rgb:
    """``colour`` at ``alpha`` opacity over ``ground``."""
    return tuple(round(c * alpha + g * (1 - alpha)) for c, g in zip(colour, ground, strict=True))  # type: ignore[return-value]


def readable_on(colour: Rgb, ground: Rgb) -> Rgb:
    """``colour`` mixed with white just enough to reach 4.5:1 on a dark ``ground``."""
    for step in range(101):
        mixed = blend(WHITE, step / 100, colour)
        if contrast(mixed, ground) >= MIN_CONTRAST:
            return mixed
    return WHITE


def _ratio(value: float) -> str:
    """A ratio the Dutch way: 4,48:1 (rounded down, so 4,499 never reads as 4,50)."""
    return f"{int(value * 100) / 100:.2f}".replace(".", ",") + ":1"


# The pairs that must be readable, per option: (what the colour is for, the text and ground).
_PAIRS = {
    "color_primary": "witte tekst in de kopbalk op deze kleur, en links in deze kleur op wit",
    "color_accent": "links in deze kleur op wit (als je er met de muis op staat)",
    "color_text": "tekst in deze kleur op wit",
}


def problems(brand: Brand, docs_dir: Path | None, path: str, lines: dict[str, int]) -> list[Problem]:
    """What is wrong with the house style, as problems at its lines in the configuration file."""
    found: list[Problem] = []

    def add(key: str, message: str) -> None:
        found.append(Problem(path, lines.get(key, 1), key, message))

    for key, value in (
        ("color_primary", brand.primary),
        ("color_accent", brand.accent),
        ("color_text", brand.text),
    ):
        if not value:
            continue
        rgb = parse_colour(value)
        if rgb is None:
            add(key, f"'{value}' is geen kleurcode. Schrijf de kleur zoals #1f5f3f (een # en 6 tekens).")
            continue
        ratio = contrast(rgb, WHITE)
        if ratio < MIN_CONTRAST:
            add(
                key,
                f"de kleur {hex_colour(rgb)} is niet goed te lezen: {_PAIRS[key]} heeft een contrast van "
                f"{_ratio(ratio)}. Dat moet minstens 4,5:1 zijn (WCAG). Kies een donkerdere kleur.",
            )
    for key, value in (("logo", brand.logo), ("favicon", brand.favicon)):
        if not value:
            continue
        if Path(value).suffix.lower() not in IMAGE_SUFFIXES:
            add(key, f"'{value}' is geen afbeelding. Gebruik een SVG-, PNG-, JPEG-, WebP- of ICO-bestand.")
        elif docs_dir is not None and resolve(docs_dir, value) is None:
            add(
                key,
                f"het bestand '{value}' staat niet in de map {docs_dir.name}/. Zet het daar neer en "
                "schrijf het pad vanaf die map, zoals assets/logo.svg.",
            )
    return found


def resolve(docs_dir: Path, value: str) -> Path | None:
    """The file ``value`` inside ``docs_dir``, or None when it is missing or outside that folder."""
    folder = docs_dir.resolve()
    target = (folder / value).resolve()
    if not target.is_relative_to(folder) or not target.is_file():
        return None
    return target


def stylesheet(brand: Brand, scheme_selectors: bool = True) -> str:
    """CSS custom properties for the colours that are set and readable; "" without any.

    With ``scheme_selectors`` the properties override Material's palette (which sets them on the
    body per colour scheme); without, they are plain ``:root`` variables for the web form."""
    primary = parse_colour(brand.primary) if brand.primary else None
    accent = parse_colour(brand.accent) if brand.accent else None
    text = parse_colour(brand.text) if brand.text else None
    primary = primary if primary and contrast(primary, WHITE) >= MIN_CONTRAST else None
    accent = accent if accent and contrast(accent, WHITE) >= MIN_CONTRAST else None
    text = text if text and contrast(text, WHITE) >= MIN_CONTRAST else None
    if not scheme_selectors:
        lines = [
            f"--accent: {hex_colour(primary)};" if primary else "",
            f"--link: {hex_colour(primary)};" if primary else "",
            f"--link-hover: {hex_colour(accent)};" if accent else "",
            f"--tekst: {hex_colour(text)};" if text else "",
        ]
        body = " ".join(line for line in lines if line)
        return f":root {{ {body} }}\n" if body else ""
    rules: list[str] = []
    if primary or accent:
        both = []
        if primary:
            colour = hex_colour(primary)
            both += [
                f"--md-primary-fg-color: {colour};",
                f"--md-primary-fg-color--light: {colour};",
                f"--md-primary-fg-color--dark: {colour};",
                "--md-primary-bg-color: #ffffff;",
                "--md-primary-bg-color--light: #ffffffcc;",
            ]
        if accent:
            both += [f"--md-accent-fg-color: {hex_colour(accent)};", "--md-accent-bg-color: #ffffff;"]
        rules.append(f":root, body[data-md-color-primary] {{ {' '.join(both)} }}")
    light: list[str] = []
    if primary:
        light.append(f"--md-typeset-a-color: {hex_colour(primary)};")
    if text:
        light += [
            f"--md-default-fg-color: {hex_colour(text)};",
            f"--md-default-fg-color--light: {hex_colour(_lightest_readable(text))};",
            f"--md-typeset-color: {hex_colour(text)};",
        ]
    if light:
        rules.append(f':root, body[data-md-color-scheme="default"] {{ {" ".join(light)} }}')
    dark: list[str] = []
    if primary:
        dark.append(f"--md-typeset-a-color: {hex_colour(readable_on(primary, SLATE))};")
    if accent:
        dark.append(f"--md-accent-fg-color: {hex_colour(readable_on(accent, SLATE))};")
    if dark:
        rules.append(f'body[data-md-color-scheme="slate"][data-md-color-primary] {{ {" ".join(dark)} }}')
    # On screen only: paper is black on white (see the print rules in aanhetwoord.css).
    return "@media screen {\n" + "\n".join(rules) + "\n}\n" if rules else ""


def _lightest_readable(text: Rgb) -> Rgb:
    """The text colour faded as Material fades secondary text (54 %), but never below 4.5:1."""
    for percent in range(54, 101):
        faded = blend(text, percent / 100, WHITE)
        if contrast(faded, WHITE) >= MIN_CONTRAST:
            return faded
    return text
