"""The story form: from what a resident posted to a story file, through the project's one validator.

Field names are a contract with the form (and with anyone who builds another form on top of
this service): ``title``, ``community``, ``neighbourhoods``, ``themes`` (each may repeat),
``storytellers``, ``summary``, ``body``, ``photo`` (a file), ``photo_alt``, ``photo_credit``,
``photo_consent``, ``consent``, ``age_confirm``, ``email`` and the honeypot ``website``.

The values are cleaned (one line where one line is meant, no control characters), turned into
front matter, written with ``yaml.safe_dump``, and the resulting text is parsed and validated
exactly as ``aanhetwoord check`` would: the text that passes is the text that is committed.
Problems come back per form field, in plain Dutch.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..load import StorySource, parse_story_text
from ..model import Story
from ..problems import Problem
from ..registers import Register
from ..validate import SUMMARY_MAX, Registers, validate
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
_EMAIL = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$")
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
                errors.add(
                    "body",
                    f"In je verhaal staat een foto '{asset}'. Je kunt alleen de foto gebruiken die je "
                    f"hieronder meestuurt. Die zet je in de tekst als ![wat erop staat]({FILE_NAME}).",
                )
    if errors or story is None:
        return None
    return Accepted(text, story, photo)


def _check_fields(values: Values, photo: PreparedPhoto | None, limits: Limits, errors: Errors) -> None:
    if not values.title:
        errors.add("title", "Vul een titel in.")
    if not values.community:
        errors.add("community", "Vul de naam van jullie groep in. Geen naam? Verzin er een.")
    elif len(values.community) > COMMUNITY_MAX:
        errors.add("community", f"De naam van jullie groep mag hoogstens {COMMUNITY_MAX} tekens zijn.")
    if not values.neighbourhoods:
        errors.add("neighbourhoods", "Kies minstens één buurt.")
    if not values.themes:
        errors.add("themes", "Kies minstens één thema.")
    if len(values.storytellers) > STORYTELLERS_MAX:
        errors.add("storytellers", f"Dit mag hoogstens {STORYTELLERS_MAX} tekens zijn.")
    if not values.body:
        errors.add("body", "Schrijf hier jullie verhaal.")
    elif len(values.body) > limits.body_max_chars:
        errors.add(
            "body",
            f"Je verhaal is {len(values.body)} tekens lang. Dat mogen er hoogstens {limits.body_max_chars} "
            "zijn. Maak het wat korter.",
        )
    if photo is not None:
        if not values.photo_alt:
            errors.add("photo_alt", "Schrijf in één zin wat er op de foto te zien is.")
        if not values.photo_consent:
            errors.add(
                "photo_consent",
                "Zet hier een vinkje als iedereen op de foto het goed vindt. Anders: stuur de foto niet mee.",
            )
    if len(values.photo_alt) > PHOTO_ALT_MAX:
        errors.add("photo_alt", f"Dit mag hoogstens {PHOTO_ALT_MAX} tekens zijn.")
    if len(values.photo_credit) > PHOTO_CREDIT_MAX:
        errors.add("photo_credit", f"Dit mag hoogstens {PHOTO_CREDIT_MAX} tekens zijn.")
    if not values.consent:
        errors.add(
            "consent",
            "Zet hier een vinkje als iedereen in het verhaal het goed vindt. Zonder hun toestemming "
            "kunnen we het verhaal niet plaatsen.",
        )
    if not values.age_confirm:
        errors.add(
            "age_confirm",
            "Zet hier een vinkje als je 16 jaar of ouder bent, of als je ouder of voogd het goed vindt.",
        )
    if values.email and (len(values.email) > EMAIL_MAX or not _EMAIL.match(values.email)):
        errors.add("email", "Dit e-mailadres klopt niet. Kijk het na, of laat dit veld leeg.")


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
    if root in ("title", "community", "neighbourhoods", "themes", "summary", "storytellers", "consent"):
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
    return message if message.endswith((".", "?", "!")) else f"{message}."


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
