"""``aanhetwoord new``: a new story folder with valid front matter and a short writing guide.

Values come from flags, or from questions in Dutch when a person sits at a terminal. Every
value is checked before anything is written, the front matter is written by the YAML library
(never pieced together as text), and the result goes through the same validator as every
other story before the command says it worked.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import yaml

from .. import pipeline
from ..config_file import load_settings
from ..load import STORY_FILE
from ..model import Status, TermKind
from ..problems import display_path, visible
from ..registers import Register
from ..settings import Settings
from ..text import SLUG_MAX, is_valid_slug, slug_fault, slugify
from ..validate import PLACEHOLDER, TITLE_MAX

T = TypeVar("T")

# Lines of the form '[//]: # "…"' are CommonMark link definitions that nothing refers to: they
# never show on the site (an HTML comment would, since story HTML is shown as text).
GUIDE = (
    "Schrijfhulp. Regels die zo beginnen, zie je niet op de site. Je mag ze laten staan of weghalen.",
    "Vertel in je eigen woorden. Wat doen jullie samen? Wie komen er? Sinds wanneer?",
    "Wat gaat goed, en wat ging er mis? Wat hebben jullie nodig? Mogen anderen meedoen?",
    "Schrijf korte zinnen. Tussen de 150 en 450 woorden is een goede lengte.",
    "Een tussenkop maak je met ## ervoor, bijvoorbeeld: ## Hoe het begon",
    "Een foto zet je in deze map. In de tekst zet je hem zo: ![Wat er op de foto te zien is](foto.jpg)",
    "Iedereen die herkenbaar is in je verhaal of op een foto, moet het goed vinden.",
)


class Invalid(ValueError):
    """An answer that cannot be used; its text says why, in plain Dutch."""


class Stopped(Exception):
    """The input ended before every question had an answer."""


@dataclass
class Questions:
    """Takes each value from its flag, or asks for it; in scripts, collects what is missing."""

    interactive: bool
    errors: list[str] = field(default_factory=list)

    def value(
        self,
        given: str | None,
        parse: Callable[[str], T],
        *,
        flag: str,
        question: str,
        default: str | None = None,
        required: bool = True,
    ) -> T | None:
        if given is not None:
            try:
                return parse(given)
            except Invalid as error:
                self._complain(flag, error)
                if not self.interactive:
                    return None
        if self.interactive:
            return self.ask(question, parse, default=default, required=required)
        if default is not None:
            return self.value(default, parse, flag=flag, question=question)
        if required:
            self.errors.append(f"{flag} ontbreekt: {question.lower()}")
        return None

    def choose(
        self, given: Sequence[str] | None, register: Register, *, flag: str, heading: str
    ) -> list[str]:
        """Names from a register: from repeated flags, or by number from a list shown on screen."""
        if given:
            names: list[str] = []
            for item in given:
                try:
                    names.append(register_name(register, item))
                except Invalid as error:
                    self._complain(flag, error)
            if len(names) == len(given):
                return list(dict.fromkeys(names))
        if not self.interactive:
            if not given:
                self.errors.append(f"{flag} ontbreekt: kies uit {_listing(register)}")
            return []
        print(heading)
        for number, entry in enumerate(register.entries, 1):
            print(f"  {number}. {entry.name}")
        return self.ask("Typ een nummer, of meer nummers met komma's ertussen", choices(register)) or []

    def _complain(self, flag: str, error: Invalid) -> None:
        """In a script the problem is collected; at a terminal it is said, and asked again."""
        if self.interactive:
            print(f"  {flag}: {visible(str(error))}")
        else:
            self.errors.append(f"{flag}: {error}")

    def ask(
        self, question: str, parse: Callable[[str], T], *, default: str | None = None, required: bool = True
    ) -> T | None:
        prompt = f"{question} [{default}]: " if default else f"{question}: "
        while True:
            try:
                answer = input(prompt).strip()
            except EOFError:
                raise Stopped from None
            if not answer and default:
                answer = default
            if not answer:
                if not required:
                    return None
                print("  Dit is nodig. Probeer het nog eens.")
                continue
            try:
                return parse(answer)
            except Invalid as error:
                print(f"  {visible(str(error))} Probeer het nog eens.")


@dataclass
class NewStory:
    title: str
    community: str
    neighbourhoods: list[str]
    themes: list[str]
    date: date
    slug: str
    storytellers: list[str] = field(default_factory=list)
    consent_date: date | None = None
    consent_reference: str = ""
    draft: bool = False

    def front_matter(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": self.title,
            "date": self.date,
            "community": self.community,
            "neighbourhoods": self.neighbourhoods,
            "themes": self.themes,
        }
        if self.consent_date:
            data["consent"] = {"date": self.consent_date}
            if self.consent_reference:
                data["consent"]["reference"] = self.consent_reference
        if self.storytellers:
            data["storytellers"] = self.storytellers
        if self.draft:
            data["status"] = Status.DRAFT.value  # plain text: YAML cannot write an enum
        return data

    def text(self) -> str:
        # safe_dump quotes whatever needs quoting; a wide line keeps every value on one line.
        front = yaml.safe_dump(self.front_matter(), allow_unicode=True, sort_keys=False, width=1000)
        guide = "\n".join(f'[//]: # "{line}"' for line in GUIDE)
        return f"---\n{front}---\n\n{guide}\n\n{PLACEHOLDER}\n"


def run(args: argparse.Namespace, config_file: Path) -> int:
    settings = load_settings(config_file)
    registers, _ = pipeline.load_registers(settings)
    empty = [
        f"Het register met {label} is leeg of ontbreekt. Vraag de redactie om het aan te vullen."
        for label, register in (("buurten", registers.neighbourhoods), ("thema's", registers.themes))
        if not register.entries
    ]
    if empty:
        return _refuse(empty)
    missing = not (args.title and args.community and args.neighbourhood and args.theme)
    questions = Questions(args.interactive or (missing and _at_terminal()))
    if questions.interactive:
        print("We maken samen een nieuw verhaal. Druk op Enter om het voorstel tussen [haken] te nemen.")
    try:
        story = collect(args, settings, registers.neighbourhoods, registers.themes, questions)
    except Stopped:
        print()
        return _refuse(["De invoer stopte voordat alle vragen beantwoord waren. Er is niets gemaakt."])
    except KeyboardInterrupt:
        print()
        return _refuse(["Gestopt. Er is niets gemaakt."])
    if story is None:
        return _refuse(questions.errors, hint=True)
    return write(story, settings)


def collect(
    args: argparse.Namespace,
    settings: Settings,
    neighbourhoods: Register,
    themes: Register,
    questions: Questions,
) -> NewStory | None:
    """Every value of the new story, checked; None when something is missing or wrong."""
    ask = questions.value
    title = ask(args.title, parse_title, flag="--title", question="Titel van je verhaal")
    community = ask(
        args.community, parse_name, flag="--community", question="Naam van jullie groep (wie vertelt?)"
    )
    chosen_neighbourhoods = questions.choose(
        args.neighbourhood, neighbourhoods, flag="--neighbourhood", heading="In welke buurt speelt het?"
    )
    chosen_themes = questions.choose(args.theme, themes, flag="--theme", heading="Over welk thema gaat het?")
    published = ask(
        args.date,
        parse_date,
        flag="--date",
        question="Vanaf welke dag mag het verhaal online? (JJJJ-MM-DD)",
        default=settings.current_date().isoformat(),
    )
    storytellers = _storytellers(args, questions)
    consent_date = ask(
        args.consent_date,
        parse_date,
        flag="--consent-date",
        question="Datum van de toestemming (JJJJ-MM-DD); druk op Enter als de redactie die nog vraagt",
        required=False,
    )
    reference = _consent_reference(args, questions, consent_date)
    slug = None
    if title or args.slug is not None:  # without a title there is nothing to make a name from
        slug = ask(
            args.slug,
            free_slug(settings),
            flag="--slug",
            question="Naam van de map (kleine letters, cijfers en -)",
            default=slugify(title) if title else None,
        )
    if questions.errors:
        return None
    assert title and community and published and slug
    return NewStory(
        title=title,
        community=community,
        neighbourhoods=chosen_neighbourhoods,
        themes=chosen_themes,
        date=published,
        slug=slug,
        storytellers=storytellers,
        consent_date=consent_date,
        consent_reference=reference,
        # A published story needs consent; without it, the story waits as a draft for the editors.
        draft=args.draft or consent_date is None,
    )


def write(story: NewStory, settings: Settings) -> int:
    """Write the story, then check it with the validator every story goes through."""
    folder = settings.stories_dir / story.slug
    path = folder / STORY_FILE
    folder.mkdir(parents=True)
    path.write_text(story.text(), encoding="utf-8")
    shown = display_path(path, settings.root)
    checked = pipeline.check(settings, [folder])
    own = [problem for problem in checked.problems if problem.path == shown]
    for problem in own:
        print(problem.format())
    if any(problem.is_error for problem in own) or not checked.stories:
        path.unlink()
        folder.rmdir()
        print("Het nieuwe verhaal klopte niet en is weer weggehaald.", file=sys.stderr)
        return 1
    folder_shown = display_path(folder, settings.root)
    print(f"Je nieuwe verhaal staat klaar: {shown}")
    if story.consent_date is None:
        print(
            "Er staat nog geen toestemming in. Daarom is het een concept (status: draft). "
            "De redactie vult de toestemming in en zet het verhaal daarna online."
        )
    print(
        "Zo ga je verder:\n"
        f"  1. Schrijf jullie verhaal in {shown}, onder de tweede regel met ---.\n"
        f"  2. Zet je foto's in dezelfde map: {folder_shown}/\n"
        f"  3. Kijk of alles klopt: aanhetwoord check {folder_shown}"
    )
    return 0


# Parsers: each turns an answer into a value, or says in plain Dutch why it cannot.


def parse_title(value: str) -> str:
    title = parse_name(value)
    if len(title) > TITLE_MAX:
        raise Invalid(f"De titel heeft {len(title)} tekens. Dat mogen er hoogstens {TITLE_MAX} zijn.")
    return title


def parse_name(value: str) -> str:
    # One line: a line break in a title or name has no meaning on the site.
    text = " ".join(value.split())
    if not text:
        raise Invalid("Dit mag niet leeg zijn.")
    return text


# The way dates are written in Dutch: day, month, year (24-11-2026).
_DUTCH_DATE = re.compile(r"(\d{2})-(\d{2})-(\d{4})")


def parse_date(value: str) -> date:
    """A day as JJJJ-MM-DD, or as DD-MM-JJJJ the way it is written in Dutch."""
    text = value.strip()
    dutch = _DUTCH_DATE.fullmatch(text)
    iso = f"{dutch[3]}-{dutch[2]}-{dutch[1]}" if dutch else text
    try:
        if len(iso) != 10:
            raise ValueError
        return date.fromisoformat(iso)
    except ValueError:
        raise Invalid(
            f"'{text}' is geen datum. Schrijf JJJJ-MM-DD of DD-MM-JJJJ,"
            " bijvoorbeeld 2026-05-01 of 01-05-2026."
        ) from None


def register_name(register: Register, value: str) -> str:
    """The register's own spelling of a name, slug or alias."""
    entry = register.find(value)
    if entry is not None:
        return entry.name
    unknown = "Onbekende buurt" if register.kind == TermKind.NEIGHBOURHOODS else "Onbekend thema"
    suggestion = register.suggest(value)
    hint = f"Bedoel je '{suggestion}'?" if suggestion else f"Kies uit: {_listing(register)}."
    raise Invalid(f"{unknown} '{value.strip()}'. {hint}")


def choices(register: Register) -> Callable[[str], list[str]]:
    """Numbers from the list on screen (or names), separated by commas."""

    def parse(answer: str) -> list[str]:
        names: list[str] = []
        for part in (part.strip() for part in answer.split(",")):
            if part.isdigit():
                if not 1 <= int(part) <= len(register.entries):
                    raise Invalid(f"Nummer {part} staat niet in de lijst.")
                names.append(register.entries[int(part) - 1].name)
            elif part:
                names.append(register_name(register, part))
        if not names:
            raise Invalid("Kies er minstens één.")
        return list(dict.fromkeys(names))

    return parse


def free_slug(settings: Settings) -> Callable[[str], str]:
    """A valid slug that no story uses yet, as a folder or as a single file."""

    def parse(value: str) -> str:
        slug = value.strip()
        if not is_valid_slug(slug):
            better = slugify(slug, fallback="")
            raise Invalid(
                f"'{slug}' kan niet als naam van de map: {slug_fault(slug)}. Gebruik alleen kleine letters"
                f" a-z, cijfers en -, hoogstens {SLUG_MAX} tekens"
                + (f", bijvoorbeeld '{better}'." if better else ".")
            )
        taken = existing_story(settings.stories_dir, slug)
        if taken is not None:
            raise Invalid(
                f"Er is al een verhaal met de naam '{slug}' ({display_path(taken, settings.root)}). "
                "Kies een andere naam voor de map."
            )
        return slug

    return parse


def existing_story(stories_dir: Path, slug: str) -> Path | None:
    """A story folder or file with this slug; case is ignored, as some file systems do."""
    if not stories_dir.is_dir():
        return None
    wanted = {slug, f"{slug}.md"}
    return next((entry for entry in stories_dir.iterdir() if entry.name.casefold() in wanted), None)


def _storytellers(args: argparse.Namespace, questions: Questions) -> list[str]:
    if args.storyteller:
        return [name for name in (" ".join(item.split()) for item in args.storyteller) if name]
    if not questions.interactive:
        return []
    answer = questions.ask(
        "Namen van de vertellers, met komma's ertussen; druk op Enter om dit over te slaan",
        lambda value: [name for name in (" ".join(part.split()) for part in value.split(",")) if name],
        required=False,
    )
    return answer or []


def _consent_reference(args: argparse.Namespace, questions: Questions, consent_date: date | None) -> str:
    if args.consent_reference is not None:
        reference = " ".join(args.consent_reference.split())
        if reference and consent_date is None:
            questions.errors.append(
                "--consent-reference: een kenmerk hoort bij een datum; geef ook --consent-date mee."
            )
        return reference
    if not (questions.interactive and consent_date):
        return ""
    return (
        questions.ask(
            "Kenmerk van de toestemming; druk op Enter als je het niet weet", parse_name, required=False
        )
        or ""
    )


def _listing(register: Register) -> str:
    return ", ".join(entry.name for entry in register.entries)


def _at_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _refuse(messages: list[str], *, hint: bool = False) -> int:
    print("aanhetwoord new: er is niets gemaakt.", file=sys.stderr)
    for message in messages:
        print(f"  {visible(message)}", file=sys.stderr)
    if hint:
        print(
            "Geef de gegevens mee als opties (zie aanhetwoord new --help), of start 'aanhetwoord new' "
            "in een terminal: dan vraagt het alles één voor één.",
            file=sys.stderr,
        )
    return 2
