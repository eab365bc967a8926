"""Validate: turn a story source into a :class:`Story`, or say plainly what is wrong and where.

One validator serves the plugin, the CLI, the pull-request check and the web form. It
reports every problem at once; a story with an error is left out, the others go on.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from babel import Locale, UnknownLocaleError

from . import markdown
from .communities import lookalike_problems
from .load import StorySource
from .load import field_label as _label
from .model import Consent, Image, RegisterEntry, Severity, Status, Story, TermKind, Update
from .problems import Problem
from .registers import Register
from .text import SLUG_MAX, is_valid_slug, shorten, slug_fault, slugify, strip_invisible, without_unfit

KNOWN_KEYS = (
    "title",
    "date",
    "community",
    "neighbourhoods",
    "themes",
    "consent",
    "summary",
    "storytellers",
    "recorded_by",
    "image",
    "language",
    "status",
    "updates",
    "pinned",
    "translation_of",
)
# Keys the site engine itself understands; allowed so staff can tune a page.
ENGINE_KEYS = ("hide", "search", "template")
TITLE_MAX = 120
SUMMARY_MAX = 300
NAME_MAX = 200  # a community, storyteller, neighbourhood or theme name
# The story text: a book chapter fits; more would only slow every build (Markdown of 500,000
# characters takes up to half a minute to render in the worst case).
BODY_MAX = 500_000
LANGUAGE_MAX = 35  # the longest language tag anyone writes, like 'sr-Latn-ME'
# Every list a story may hold, and how long it may be. Each community, neighbourhood and theme
# gets a page that lists the story with all its names, so output grows with the square of a list.
LIST_MAX = {
    "community": 10,
    "neighbourhoods": 10,
    "themes": 10,
    "storytellers": 20,
    "updates": 50,
}
CONSENT_KEYS = ("date", "reference", "photos")
IMAGE_KEYS = ("src", "alt", "credit")
UPDATE_KEYS = ("date", "text")
# Fields that name people or groups: they lose every invisible character (see strip_invisible).
NAME_KEYS = ("community", "storytellers", "recorded_by")
# The sentence ``aanhetwoord new`` puts where the story goes; a story that still has it is unfinished.
PLACEHOLDER = "Hier komt jullie verhaal. Haal deze zin weg als je gaat schrijven."
_PLACEHOLDER_SENTENCES = tuple(f"{part.strip()}." for part in PLACEHOLDER.split(".") if part.strip())
# An HTML tag as a writer types it ('<b>', '</div>', '<img src=…>', '<br/>'): story Markdown shows it as text.
_HTML_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>")
# A link the parser refused, left as text: '[tekst](javascript:…)' or '<javascript:…>'.
_LINK_TEXT = re.compile(r"\]\(\s*<?([^\s)>]+)|<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>")
# What to write instead of a tag, in Markdown.
_MARKDOWN_FOR = {
    "b": "**vet**",
    "strong": "**vet**",
    "i": "*schuin*",
    "em": "*schuin*",
    "a": "[tekst](https://adres)",
    "img": "![wat er op de foto te zien is](foto.jpg)",
    "br": "een lege regel",
    "p": "een lege regel",
}


@dataclass(frozen=True)
class Registers:
    neighbourhoods: Register
    themes: Register


class _Checker:
    """Collects the problems of one story while its fields are read."""

    def __init__(self, source: StorySource) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def error(self, field_path: str, message: str, severity: Severity = Severity.ERROR) -> None:
        line = self.source.line_of(field_path)
        self.problems.append(Problem(self.source.display_path, line, _label(field_path), message, severity))

    def warn(self, field_path: str, message: str) -> None:
        self.error(field_path, message, Severity.WARNING)

    # Typed readers. Each returns None (and reports) when the value is unusable.

    def text(
        self, key: str, value: Any, *, required: bool = False, limit: int | None = None, one_line: bool = True
    ) -> str | None:
        """Text from a field; ``one_line`` joins lines and runs of spaces, since a line break in a title
        or name means nothing on a page (and some, like U+2029, stop the drawing of preview images)."""
        if isinstance(value, str):
            visible = strip_invisible(value, name=key.split(".")[0] in NAME_KEYS)
            if value.strip() and not visible.strip():
                self.error(key, "bevat alleen onzichtbare tekens")
                return None
            value = visible
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(key, "is verplicht en mag niet leeg zijn")
            return None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = _number_text(value)
        if not isinstance(value, str):
            self.error(key, "moet tekst zijn")
            return None
        # The loader already dropped these with a warning; other callers may not have.
        value = without_unfit(value)
        value = " ".join(value.split()) if one_line else value.strip()
        if not value:
            if required:
                self.error(key, "is verplicht en mag niet leeg zijn")
            return None
        if limit is not None and len(value) > limit:
            self.error(key, f"is {len(value)} tekens lang; het mag hoogstens {limit} tekens zijn")
            return None
        return value

    def texts(self, key: str, value: Any, *, required: bool = False) -> list[str] | None:
        """A list of texts; a single text counts as a list of one."""
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(key, "is verplicht: noem er minstens één")
            return None
        items = [value] if isinstance(value, (str, int, float)) and not isinstance(value, bool) else value
        if not isinstance(items, list):
            self.error(key, "moet een tekst of een lijst van teksten zijn")
            return None
        if not self.at_most(key, items):
            return None
        result = []
        for index, item in enumerate(items):
            text = self.text(f"{key}.{index}", item, limit=NAME_MAX)
            if text is None:
                if item is None or (isinstance(item, str) and not item.strip()):
                    self.error(f"{key}.{index}", "een leeg item in de lijst")
                continue
            result.append(text)
        return result

    def at_most(self, key: str, items: list) -> bool:
        most = LIST_MAX[key]
        if len(items) > most:
            self.error(key, f"noemt er {len(items)}; dat mogen er hoogstens {most} zijn")
            return False
        return True

    def date(self, key: str, value: Any, *, required: bool = False) -> date | None:
        if value is None or value == "":
            if required:
                self.error(key, "is verplicht, als JJJJ-MM-DD (bijvoorbeeld 2026-05-01)")
            return None
        if type(value) is date:  # not a datetime: stories have days, and the two cannot be compared
            return value
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.error(key, "moet een datum zijn, als JJJJ-MM-DD (bijvoorbeeld 2026-05-01)")
            return None
        text = shorten(_number_text(value) if isinstance(value, int) else value, 40)
        try:
            if len(text) != 10:
                raise ValueError
            return date.fromisoformat(text)
        except ValueError:
            pass
        if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.replace("-", "").isdigit():
            self.error(key, f"'{text}' bestaat niet als datum")
        else:
            self.error(key, f"'{text}' is geen datum; schrijf JJJJ-MM-DD, bijvoorbeeld 2026-05-01")
        return None

    def flag(self, key: str, value: Any) -> bool | None:
        if value is None:
            return None
        if not isinstance(value, bool):
            self.error(key, "moet true of false zijn")
            return None
        return value

    def mapping(self, key: str, value: Any, allowed: Iterable[str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.error(key, "moet velden bevatten (zie het voorbeeld in de handleiding)")
            return None
        allowed = tuple(allowed)
        for sub in value:
            if sub not in allowed:
                self.warn(f"{key}.{sub}", _unknown_key_message(sub, allowed))
        return value


def validate(source: StorySource, registers: Registers, today: date) -> tuple[Story | None, list[Problem]]:
    """Check one story source. Returns the story (None if it has errors) and every problem found."""
    check = _Checker(source)
    check.problems.extend(source.problems)
    if any(problem.is_error for problem in source.problems):
        return None, check.problems  # the file could not be read
    data = source.data

    if not is_valid_slug(source.slug):
        better = slugify(source.slug, fallback="")
        check.error(
            "",
            f"'{source.slug}' is geen goede naam voor een verhaal: {slug_fault(source.slug)}."
            f" Gebruik alleen kleine letters a-z, cijfers en '-', hoogstens {SLUG_MAX} tekens"
            + (f", bijvoorbeeld '{better}'" if better else ""),
        )

    for key in data:
        if key not in KNOWN_KEYS and key not in ENGINE_KEYS:
            check.warn(str(key), _unknown_key_message(key, KNOWN_KEYS))

    status = _status(check, data.get("status"))
    if status is Status.WITHDRAWN:
        # A withdrawn story needs nothing else: withdrawing must never be blocked by a typo.
        story = Story(
            slug=source.slug,
            source=source.path,
            title="",
            date=date.min,
            communities=(),
            neighbourhoods=(),
            themes=(),
            body="",
            status=Status.WITHDRAWN,
        )
        errors = [p for p in check.problems if p.is_error]
        return (None if errors else story), check.problems

    title = check.text("title", data.get("title"), required=True, limit=TITLE_MAX)
    published = check.date("date", data.get("date"), required=True)
    communities = check.texts("community", data.get("community"), required=True)
    neighbourhoods = _register_entries(
        check, "neighbourhoods", data.get("neighbourhoods"), registers.neighbourhoods
    )
    themes = _register_entries(check, "themes", data.get("themes"), registers.themes)
    consent = _consent(check, data.get("consent"), required=status is not Status.DRAFT)
    summary = check.text("summary", data.get("summary"), limit=SUMMARY_MAX)
    storytellers = check.texts("storytellers", data.get("storytellers")) or []
    recorded_by = check.text("recorded_by", data.get("recorded_by"), limit=NAME_MAX) or ""
    image = _image(check, data.get("image"), source.path)
    language = _language(check, data.get("language"))
    updates = _updates(check, data.get("updates"))
    pinned = check.flag("pinned", data.get("pinned")) or False
    translation_of = check.text("translation_of", data.get("translation_of")) or ""
    if translation_of and not is_valid_slug(translation_of):
        check.error("translation_of", f"'{_shown(translation_of)}' is geen naam (slug) van een verhaal")

    body = without_unfit(source.body)  # the loader already did this, with a warning
    if len(body.strip()) > BODY_MAX:
        check.problems.append(
            Problem(
                source.display_path,
                source.body_line,
                "tekst",
                f"het verhaal is {_dutch_number(len(body.strip()))} tekens lang;"
                f" het mag hoogstens {_dutch_number(BODY_MAX)} tekens zijn",
            )
        )
        body = ""
    tokens = markdown.parse(body)
    shown = [("image.src", source.line_of("image.src"), asset_name(image.src))] if image else []
    shown += _inline_images(check, tokens, source.body_line, "tekst")
    _comments(check, body, source.body_line, "tekst")
    _shown_as_text(check, tokens, source.body_line, "tekst")
    for index, update in updates:
        field_path = f"updates.{index}.text"
        first_line = source.line_of(field_path)
        update_tokens = markdown.parse(update.text)
        shown += _inline_images(check, update_tokens, first_line, _label(field_path))
        _comments(check, update.text, first_line, _label(field_path))
        _shown_as_text(check, update_tokens, first_line, _label(field_path))
    if shown and not (consent and consent.photos):
        _hold_back_photos(check, shown)
        image, shown = None, []
    assets = [name for _, _, name in shown]
    if summary is None:
        summary = shorten(strip_invisible(markdown.first_paragraph_text(tokens), name=False), SUMMARY_MAX)

    if any(p.is_error for p in check.problems):
        return None, check.problems
    assert title is not None and published is not None and communities and neighbourhoods and themes
    story = Story(
        slug=source.slug,
        source=source.path,
        title=title,
        date=published,
        communities=tuple(communities),
        community_lines=tuple(source.line_of(f"community.{index}") for index in range(len(communities))),
        neighbourhoods=tuple(neighbourhoods),
        themes=tuple(themes),
        body=body,
        body_line=source.body_line,
        consent=consent,
        summary=summary,
        storytellers=tuple(storytellers),
        recorded_by=recorded_by,
        image=image,
        language=language,
        status=status,
        updates=tuple(
            sorted((update for _, update in updates), key=lambda update: update.date, reverse=True)
        ),
        pinned=pinned,
        translation_of=translation_of,
        assets=tuple(dict.fromkeys(assets)),
        body_tokens=tokens,
    )
    return story, check.problems


def validate_collection(stories: list[Story], display: dict[Path, str]) -> tuple[list[Story], list[Problem]]:
    """Checks across stories: duplicate slugs and translations of stories that do not exist."""
    problems: list[Problem] = []
    seen: dict[str, Story] = {}
    unique: list[Story] = []
    for story in stories:
        if story.slug in seen:
            problems.append(
                Problem(
                    display[story.source],
                    1,
                    "",
                    f"er is al een verhaal met de naam '{story.slug}' ({display[seen[story.slug].source]})",
                )
            )
            continue
        seen[story.slug] = story
        unique.append(story)
    for index, story in enumerate(unique):
        if story.translation_of and story.translation_of not in seen:
            problems.append(
                Problem(
                    display[story.source],
                    1,
                    "translation_of",
                    f"er is geen verhaal met de naam '{story.translation_of}'",
                    Severity.WARNING,
                )
            )
            # A copy: the story as read may be kept for the next build, when the original may exist.
            unique[index] = dataclasses.replace(story, translation_of="")
    problems += lookalike_problems(unique, display)
    return unique, problems


def _status(check: _Checker, value: Any) -> Status:
    if value is None:
        return Status.PUBLISHED
    try:
        return Status(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        check.error("status", f"'{_shown(value)}' kan niet; kies published, draft of withdrawn")
        return Status.DRAFT


def _register_entries(
    check: _Checker, key: str, value: Any, register: Register
) -> list[RegisterEntry] | None:
    names = check.texts(key, value, required=True)
    if names is None:
        return None
    unknown = "onbekende buurt" if register.kind == TermKind.NEIGHBOURHOODS else "onbekend thema"
    entries: list[RegisterEntry] = []
    for index, name in enumerate(names):
        entry = register.find(name)
        if entry is None:
            suggestion = register.suggest(name)
            hint = f" Bedoel je '{suggestion}'?" if suggestion else " Kies een naam uit het register."
            check.error(f"{key}.{index}" if isinstance(value, list) else key, f"{unknown} '{name}'.{hint}")
        elif entry not in entries:
            entries.append(entry)
    return entries


def _consent(check: _Checker, value: Any, *, required: bool) -> Consent | None:
    if value is None:
        if required:
            check.error(
                "consent",
                "toestemming ontbreekt: een gepubliceerd verhaal heeft 'consent:' met de datum van de"
                " toestemming",
            )
        return None
    mapping = check.mapping("consent", value, CONSENT_KEYS)
    if mapping is None:
        return None
    given = check.date("consent.date", mapping.get("date"), required=True)
    reference = check.text("consent.reference", mapping.get("reference")) or ""
    photos = check.flag("consent.photos", mapping.get("photos")) or False
    return Consent(given, reference, photos) if given else None


def _image(check: _Checker, value: Any, story_file: Path) -> Image | None:
    if value is None:
        return None
    mapping = check.mapping("image", value, IMAGE_KEYS)
    if mapping is None:
        return None
    src = check.text("image.src", mapping.get("src"), required=True, one_line=False)
    alt = check.text("image.alt", mapping.get("alt"))
    credit = check.text("image.credit", mapping.get("credit")) or ""
    if src is None:
        return None
    if not markdown.is_local_image(src):
        check.error("image.src", f"de foto '{src}' moet in de map van het verhaal staan")
        return None
    if not _asset_exists(story_file.parent, src, story_file):
        check.error("image.src", f"de foto '{src}' bestaat niet")
        return None
    if not alt:
        check.error("image.alt", "beschrijf wat er op de foto te zien is, voor wie de foto niet kan zien")
        return None
    return Image(src, alt, credit)


def _language(check: _Checker, value: Any) -> str:
    code = check.text("language", value, limit=LANGUAGE_MAX)
    if not code:
        return ""
    try:
        Locale.parse(code, sep="-")
    except (ValueError, UnknownLocaleError):
        check.error("language", f"'{code}' is geen bekende taalcode (zoals nl, en, ar, tr)")
        return ""
    return code


def _inline_images(
    check: _Checker, tokens: list, first_line: int, field_label: str
) -> list[tuple[str, int, str]]:
    """Images in Markdown text: they must be files in the story folder.

    Returns (field, line, file name) for each."""
    source = check.source
    found = []
    for ref in markdown.images(tokens):
        line = first_line + ref.line - 1
        src = unquote(ref.src)  # the Markdown parser writes 'café.jpg' as 'caf%C3%A9.jpg'
        if not markdown.is_local_image(src):
            message = f"de foto '{src}' staat niet in de map van het verhaal; zet de foto naast index.md"
        elif not _asset_exists(source.path.parent, src, source.path):
            message = f"de foto '{src}' bestaat niet"
        else:
            found.append((field_label, line, asset_name(src)))
            if not ref.alt.strip():
                check.problems.append(
                    Problem(
                        source.display_path,
                        line,
                        field_label,
                        f"de foto '{_shown(src)}' heeft geen beschrijving. Zet tussen [ ] wat er op de"
                        " foto te zien is, voor wie de foto niet kan zien:"
                        f" ![Kinderen bij de moestuin]({_shown(src)})",
                        Severity.WARNING,
                    )
                )
            continue
        check.problems.append(Problem(source.display_path, line, field_label, message))
    return found


def _shown_as_text(check: _Checker, tokens: list, first_line: int, field_label: str) -> None:
    """Warn about text that will not look on the site as the writer meant: the placeholder of
    ``aanhetwoord new``, HTML tags and refused links (both shown as plain text)."""
    for token in tokens:
        if token.type != "inline":
            continue
        for child in token.children or []:
            if child.type != "text" or not child.content:
                continue
            line = first_line + child.meta.get("line", 1) - 1
            for message in _text_problems(child.content):
                check.problems.append(
                    Problem(check.source.display_path, line, field_label, message, Severity.WARNING)
                )


def _text_problems(text: str) -> list[str]:
    """Messages about one run of text in a paragraph."""
    messages = []
    if any(sentence in text for sentence in _PLACEHOLDER_SENTENCES):
        messages.append(
            f"hier staat nog de voorbeeldzin '{PLACEHOLDER}' Haal die weg en schrijf jullie verhaal"
        )
    for match in _LINK_TEXT.finditer(text):
        target = match.group(1) or match.group(2)
        if target and not markdown.is_safe_link(target):
            messages.append(
                f"de link naar '{_shown(target)}' kan niet en komt als gewone tekst op de site. Een link"
                " begint met https://, http:// of mailto:, of gaat naar een pagina van deze site"
            )
    tag = _HTML_TAG.search(text)
    if tag:
        instead = _MARKDOWN_FOR.get(tag.group(1).lower())
        hint = f"; schrijf in plaats daarvan {instead}" if instead else ""
        messages.append(
            f"HTML zoals '{_shown(tag.group())}' werkt niet in een verhaal: het komt als gewone tekst op"
            f" de site{hint}"
        )
    return messages


def _hold_back_photos(check: _Checker, shown: list[tuple[str, int, str]]) -> None:
    """Without consent for photos the story is published without them; each one is named."""
    for field_label, line, name in shown:
        check.problems.append(
            Problem(
                check.source.display_path,
                line,
                field_label,
                f"de foto '{name}' komt niet op de site: bij 'consent' staat geen 'photos: true'. Zet dat"
                " er alleen bij als iedereen die herkenbaar op de foto staat het goed vindt, of als er"
                " niemand herkenbaar op staat",
                Severity.WARNING,
            )
        )


def _comments(check: _Checker, text: str, first_line: int, field_label: str) -> None:
    """HTML comments are never published (see markdown.py); say so, and warn when one is not closed."""
    for comment in markdown.comments(text):
        line = first_line + comment.line - 1
        if comment.closed:
            message, severity = "een notitie tussen <!-- en --> komt niet op de site", Severity.INFO
        else:
            message = (
                "'<!--' wordt niet afgesloten met '-->': alles vanaf hier komt niet op de site."
                " Zet '-->' achter de notitie"
            )
            severity = Severity.WARNING
        check.problems.append(Problem(check.source.display_path, line, field_label, message, severity))


def _updates(check: _Checker, value: Any) -> list[tuple[int, Update]]:
    """Follow-ups with their position in the list, so messages can point at them."""
    if value is None:
        return []
    if not isinstance(value, list):
        check.error("updates", "moet een lijst zijn, met voor elk vervolg '- date:' en 'text:'")
        return []
    if not check.at_most("updates", value):
        return []
    updates = []
    for index, item in enumerate(value):
        key = f"updates.{index}"
        mapping = check.mapping(key, item, UPDATE_KEYS)
        if mapping is None:
            continue
        when = check.date(f"{key}.date", mapping.get("date"), required=True)
        text = check.text(f"{key}.text", mapping.get("text"), required=True, one_line=False)
        if when and text:
            updates.append((index, Update(when, text)))
    return updates


def asset_name(src: str) -> str:
    """The file an image source points to, without a query or fragment."""
    return src.split("#")[0].split("?")[0]


def _asset_exists(folder: Path, src: str, story_file: Path) -> bool:
    """Single-file stories have no folder of their own, so they cannot carry photos."""
    if story_file.name != "index.md":
        return False
    candidate = (folder / asset_name(src)).resolve()
    try:
        candidate.relative_to(folder.resolve())
    except ValueError:
        return False
    return candidate.is_file()


def _unknown_key_message(key: Any, known: Iterable[str]) -> str:
    name = _shown(key)
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    hint = f"; bedoel je '{close[0]}'?" if close else ""
    return f"onbekend veld '{name}' wordt genegeerd{hint}"


def _shown(value: Any) -> str:
    """A value as a message quotes it: one line, not too long."""
    return shorten(value if isinstance(value, str) else repr(value), 60)


def _dutch_number(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _number_text(value: int | float) -> str:
    """A number as text; Python refuses to write out an int of more than 4300 digits."""
    try:
        return str(value)
    except ValueError:
        return "…"
