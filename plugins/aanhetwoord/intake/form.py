"""The story form: from what a resident posted to a story file, through the project's one validator.

Field names are a contract with the form (and with anyone who builds another form on top of
this service): ``title``, ``community``, ``neighbourhoods``, ``themes`` (each may repeat),
``storytellers``, ``summary``, ``body``, ``language`` (a language code, default ``nl``),
``photo`` (a file), ``photo_alt``, ``photo_credit``, ``photo_consent``, ``consent``,
``age_confirm``, ``email`` and the honeypot ``website``.

The values are cleaned (one line where one line is meant, no control characters), turned into
front matter, written with ``yaml.safe_dump``, and the resulting text is parsed and validated
exactly as ``aanhetwoord check`` would: the text that passes is the text that is committed.
Problems come back per form field, in plain Dutch with English beside it (:mod:`wording`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from babel import Locale, UnknownLocaleError

from ..load import StorySource, parse_story_text
from ..model import Story
from ..problems import Problem
from ..registers import Register
from ..validate import SUMMARY_MAX, Registers, validate
from . import wording
from .photo import FILE_NAME, PreparedPhoto
from .upload import Post
from .wording import LABELS

FIELDS = (
    "title",
    "community",
    "neighbourhoods",
    "themes",
    "storytellers",
    "summary",
    "body",
    "language",
    "photo",
    "photo_alt",
    "photo_credit",
    "photo_consent",
    "consent",
    "age_confirm",
    "email",
    "website",
)
# Not part of the contract: the form token, and the photo kept from an earlier attempt.
SERVICE_FIELDS = ("token", "photo_kept", "photo_remove")
LONG_FIELDS = frozenset({"body"})
COMMUNITY_MAX = 200
STORYTELLERS_MAX = 500
PHOTO_ALT_MAX = 300
PHOTO_CREDIT_MAX = 200
EMAIL_MAX = 254
DEFAULT_LANGUAGE = "nl"
# The languages the form offers for a story: Dutch first, then languages many residents of Dutch
# municipalities write in. Another code is accepted too, when the validator knows it.
STORY_LANGUAGES = (
    "nl", "ar", "bg", "de", "en", "es", "fa", "fr", "pl", "pt", "ro", "so", "ti", "tr", "uk", "zgh",
)  # fmt: skip
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
# Fields the validator names as the form does.
_SAME_NAME = (
    "title",
    "community",
    "neighbourhoods",
    "themes",
    "summary",
    "storytellers",
    "consent",
    "language",
)
# The validator names some fields differently from the form.
_SUBJECTS = {
    "title": "De titel",
    "community": "De naam van jullie groep",
    "storytellers": "De namen van de vertellers",
    "summary": "De samenvatting",
    "body": "Je verhaal",
    "photo_alt": "De beschrijving van de foto",
    "photo_credit": "De naam van wie de foto maakte",
}


@dataclass
class Values:
    """Everything the resident typed, cleaned, so the form can be shown again filled in."""

    title: str = ""
    community: str = ""
    neighbourhoods: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    storytellers: str = ""
    summary: str = ""
    body: str = ""
    language: str = DEFAULT_LANGUAGE
    photo_alt: str = ""
    photo_credit: str = ""
    photo_consent: bool = False
    consent: bool = False
    age_confirm: bool = False
    email: str = ""
    website: str = ""

    @classmethod
    def from_post(cls, post: Post) -> Values:
        return cls(
            title=one_line(post.value("title")),
            community=one_line(post.value("community")),
            neighbourhoods=_choices(post.values("neighbourhoods")),
            themes=_choices(post.values("themes")),
            storytellers=one_line(post.value("storytellers")),
            summary=one_line(post.value("summary")),
            body=multi_line(post.value("body")),
            language=one_line(post.value("language")) or DEFAULT_LANGUAGE,
            photo_alt=one_line(post.value("photo_alt")),
            photo_credit=one_line(post.value("photo_credit")),
            photo_consent=_checked(post.value("photo_consent")),
            consent=_checked(post.value("consent")),
            age_confirm=_checked(post.value("age_confirm")),
            email=one_line(post.value("email")),
            website=post.value("website"),
        )

    def storyteller_names(self) -> list[str]:
        return list(
            dict.fromkeys(name for name in (one_line(part) for part in self.storytellers.split(",")) if name)
        )


@dataclass
class Errors:
    """Messages per form field ("" for the form as a whole), in the order of the form."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        messages = self.by_field.setdefault(name, [])
        if message not in messages:
            messages.append(message)

    def has(self, name: str) -> bool:
        return bool(self.by_field.get(name))

    def __bool__(self) -> bool:
        return any(self.by_field.values())

    def summary(self) -> list[tuple[str, str]]:
        """(field, message) in the order of the form, for the list at the top."""
        order = {name: index for index, name in enumerate(("", *FIELDS))}
        return [
            (name, message)
            for name in sorted(self.by_field, key=lambda name: order.get(name, len(order)))
            for message in self.by_field[name]
        ]


@dataclass(frozen=True)
class Accepted:
    text: str  # the story file, exactly as validated
    story: Story
    photo: PreparedPhoto | None


@dataclass(frozen=True)
class Limits:
    body_max_chars: int
    max_front_matter_bytes: int


def check(
    values: Values,
    *,
    photo: PreparedPhoto | None,
    registers: Registers,
    today: date,
    reference: str,
    folder: Path,
    limits: Limits,
    errors: Errors,
) -> Accepted | None:
    """Check the values with the resident's words first, then with the project's validator."""
    _check_fields(values, photo, limits, errors)
    front = front_matter(values, registers, today, reference, photo)
    text = story_text(front, values.body)
    # The slug is chosen later (it depends on what the repository holds); any valid one will do here.
    source = StorySource(slug="inzending", path=folder / "index.md", display_path="formulier")
    parse_story_text(source, text, limits.max_front_matter_bytes)
    story, problems = validate(source, registers, today)
    for problem in problems:
        if problem.is_error:
            name = form_field(problem.field)
            if not errors.has(name):
                errors.add(name, _message(name, problem))
    if story is not None:
        for asset in story.assets:
            if photo is None or asset != FILE_NAME:
                errors.add("body", wording.foreign_photo(asset, FILE_NAME))
    if errors or story is None:
        return None
    return Accepted(text, story, photo)


def _check_fields(values: Values, photo: PreparedPhoto | None, limits: Limits, errors: Errors) -> None:
    if not values.title:
        errors.add("title", wording.NO_TITLE)
    if not values.community:
        errors.add("community", wording.NO_COMMUNITY)
    elif len(values.community) > COMMUNITY_MAX:
        errors.add("community", wording.community_too_long(COMMUNITY_MAX))
    if not values.neighbourhoods:
        errors.add("neighbourhoods", wording.NO_NEIGHBOURHOOD)
    if not values.themes:
        errors.add("themes", wording.NO_THEME)
    if len(values.storytellers) > STORYTELLERS_MAX:
        errors.add("storytellers", wording.at_most(STORYTELLERS_MAX))
    if not values.body:
        errors.add("body", wording.NO_BODY)
    elif len(values.body) > limits.body_max_chars:
        errors.add("body", wording.body_too_long(len(values.body), limits.body_max_chars))
    if photo is not None:
        if not values.photo_alt:
            errors.add("photo_alt", wording.NO_PHOTO_ALT)
        if not values.photo_consent:
            errors.add("photo_consent", wording.NO_PHOTO_CONSENT)
    if len(values.photo_alt) > PHOTO_ALT_MAX:
        errors.add("photo_alt", wording.at_most(PHOTO_ALT_MAX))
    if len(values.photo_credit) > PHOTO_CREDIT_MAX:
        errors.add("photo_credit", wording.at_most(PHOTO_CREDIT_MAX))
    if not values.consent:
        errors.add("consent", wording.NO_CONSENT)
    if not values.age_confirm:
        errors.add("age_confirm", wording.NO_AGE)
    if values.email and (len(values.email) > EMAIL_MAX or not _EMAIL.match(values.email)):
        errors.add("email", wording.BAD_EMAIL)


def front_matter(
    values: Values, registers: Registers, today: date, reference: str, photo: PreparedPhoto | None
) -> dict[str, Any]:
    """The story's front matter; register choices are written as the register spells them."""
    # Two equal but separate date objects: for one object used twice, safe_dump would write a YAML
    # anchor and alias, which the story loader refuses.
    consent_date = date.fromordinal(today.toordinal())
    data: dict[str, Any] = {
        "title": values.title,
        "date": today,
        "community": values.community,
        "neighbourhoods": _register_names(values.neighbourhoods, registers.neighbourhoods),
        "themes": _register_names(values.themes, registers.themes),
        "consent": {
            "date": consent_date,
            "reference": reference,
            "photos": bool(photo and values.photo_consent),
        },
    }
    if values.summary:
        data["summary"] = values.summary
    # Written as chosen; the validator decides whether it is a language code it knows.
    data["language"] = values.language
    names = values.storyteller_names()
    if names:
        data["storytellers"] = names
    if photo is not None:
        data["image"] = {"src": FILE_NAME, "alt": values.photo_alt}
        if values.photo_credit:
            data["image"]["credit"] = values.photo_credit
    return data


def story_text(front: dict[str, Any], body: str) -> str:
    # safe_dump quotes whatever needs quoting; a wide line keeps every value on one line.
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{dumped}---\n\n{body}\n"


def form_field(label: str) -> str:
    """The form field a validator problem belongs to (its field label, like ``themes[1]``)."""
    if label.startswith("image.alt"):
        return "photo_alt"
    if label.startswith("image.credit"):
        return "photo_credit"
    root = re.split(r"[.\[]", label, maxsplit=1)[0]
    if root == "image":
        return "photo"
    if root == "tekst":
        return "body"
    if root in _SAME_NAME:
        return root
    return ""


def _message(name: str, problem: Problem) -> str:
    message = problem.message.strip()
    subject = _SUBJECTS.get(name)
    if subject and message.startswith(("is ", "moet ", "mag ")):
        message = f"{subject} {message}"
    elif not subject and name == "" and problem.field:
        message = f"{LABELS.get(form_field(problem.field), problem.field)}: {message}"
    message = message[:1].upper() + message[1:]
    return wording.not_accepted(message if message.endswith((".", "?", "!")) else f"{message}.", name)


def language_choices(form_language: str, chosen: str) -> list[tuple[str, str]]:
    """(code, name) for the story languages, named in the form's language and in their own.

    A code that is not in the list but was sent is offered too, so the form shows what was sent."""
    choices = [(code, language_name(code, form_language)) for code in STORY_LANGUAGES]
    if chosen and chosen not in STORY_LANGUAGES:
        choices.append((chosen, chosen))
    return choices


def language_name(code: str, form_language: str) -> str:
    """'Arabisch – العربية': the language's name in the form's language, then in its own."""
    try:
        locale = Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        return code
    theirs = locale.get_display_name(locale) or code
    ours = locale.get_display_name(form_language) or theirs
    theirs = theirs[:1].upper() + theirs[1:]
    ours = ours[:1].upper() + ours[1:]
    return ours if ours.casefold() == theirs.casefold() else f"{ours} – {theirs}"


def _register_names(chosen: list[str], register: Register) -> list[str]:
    """Known choices by the register's name; unknown ones as sent, so the validator names them."""
    return list(dict.fromkeys((entry.name if (entry := register.find(value)) else value) for value in chosen))


def _choices(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value for value in (one_line(v) for v in values) if value))[:50]


def _checked(value: str) -> bool:
    return value.strip().lower() in ("on", "ja", "yes", "true", "1")


def _drop_controls(text: str, keep: str = "") -> str:
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) not in ("Cc", "Cs", "Co"))


def one_line(text: str) -> str:
    """One line of text: no control characters, every run of white space one space."""
    # White space first (a tab between two words must not glue them), then the other controls.
    return " ".join(_drop_controls(" ".join(text.split())).split())


def multi_line(text: str) -> str:
    """A text with paragraphs: line breaks kept (as \\n), other control characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in _drop_controls(text, keep="\n\t").split("\n")]
    return "\n".join(lines).strip("\n")


__all__ = ["FIELDS", "SUMMARY_MAX", "Accepted", "Errors", "Limits", "Values", "check", "front_matter"]
