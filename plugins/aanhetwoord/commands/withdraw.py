"""``aanhetwoord withdraw SLUG``: take a story off the site, safely and for good.

Storytellers may take their story back at any time. This command does the part that lives in
the repository: it sets ``status: withdrawn`` in the story's front matter, deletes the story's
photos (and their processed copies in the photo cache), and then says in plain words what is
left: build and deploy, update the web server's 410 list, purge a CDN, clean git history when
needed, and tell the storytellers.

The status is set with :mod:`storyfile`: only that line of the front matter changes, and the
rest of the file stays byte for byte. The result is read back before it replaces the file, so a
story can never end up half-written or unreadable.
"""

from __future__ import annotations

import argparse
import difflib
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import gitrepo, pipeline
from ..config_file import load_settings
from ..gitrepo import GitError
from ..load import STORY_FILE, discover
from ..model import Status
from ..photos import PhotoCache
from ..problems import display_path, visible
from ..settings import Settings
from ..storyfile import StoryFile, StoryFileError
from ..text import plural
from ..urls import Urls


class CannotWithdraw(Exception):
    """The story cannot be changed safely; the message says why in plain Dutch."""


@dataclass
class Withdrawal:
    slug: str
    story_file: Path
    already: bool  # the story was withdrawn before
    deleted: list[Path] = field(default_factory=list)  # photos and other files removed from its folder
    cache_entries: int = 0
    consent_reference: str = ""


def find_story(settings: Settings, slug: str) -> Path | None:
    """The story file for ``slug``, found the way the build finds stories (never a path from outside)."""
    return next((path for found, path in discover(settings.stories_dir) if found == slug), None)


def slug_from_argument(value: str) -> str:
    """Accept ``slug`` and also ``stories/slug/``, ``stories/slug/index.md`` or ``stories/slug.md``."""
    path = Path(value.strip())
    if path.name == STORY_FILE:
        path = path.parent
    return path.stem if path.suffix == ".md" else path.name


def with_status(text: str | bytes, max_front_matter: int) -> tuple[str, dict[str, Any]]:
    """The file text with ``status: withdrawn``, and the front matter as it was read.

    Only the status line changes (or one is added after the last field). Raises
    :class:`CannotWithdraw` when the front matter cannot be read or changed safely.
    """
    try:
        story = StoryFile(text, max_front_matter)
        data = story.data
        story.set("status", Status.WITHDRAWN.value)
    except StoryFileError as error:
        raise CannotWithdraw(str(error)) from None
    return story.text, data


def withdraw(settings: Settings, slug: str) -> Withdrawal:
    story_file = find_story(settings, slug)
    if story_file is None:
        raise LookupError(slug)
    try:
        # Bytes, so that line endings are kept as they are.
        content = story_file.read_bytes()
    except OSError as error:
        raise CannotWithdraw(f"het bestand kan niet gelezen worden ({error})") from None
    new_text, data = with_status(content, settings.max_front_matter_bytes)
    already = str(data.get("status", "")).strip().lower() == Status.WITHDRAWN
    if not already:
        _replace(story_file, new_text)
    consent = data.get("consent")
    reference = str(consent.get("reference") or "") if isinstance(consent, dict) else ""
    result = Withdrawal(slug, story_file, already, consent_reference=reference)
    # Only a story with its own folder has photos: a single-file story shares the stories folder.
    if story_file.name == STORY_FILE:
        cache = PhotoCache(settings.photo_cache(), settings.photos)
        for entry in sorted(story_file.parent.iterdir()):
            if entry == story_file:
                continue
            files = sorted(path for path in entry.rglob("*") if path.is_file()) if entry.is_dir() else [entry]
            for file in files:
                result.cache_entries += _drop_cached(cache, file)
            result.deleted += files
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
    return result


def _replace(path: Path, text: str) -> None:
    """Write next to the file and swap it in, so the story is never half-written."""
    handle, scratch = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        shutil.copymode(path, scratch)
        os.replace(scratch, path)
    except BaseException:
        Path(scratch).unlink(missing_ok=True)
        raise


def _drop_cached(cache: PhotoCache, file: Path) -> int:
    """Remove the processed copies of a photo now; the next build would otherwise prune them."""
    if file.is_symlink() or not file.is_file():
        return 0
    try:
        entry = cache.root / cache.key(file)
    except OSError:
        return 0
    if entry.is_dir():
        shutil.rmtree(entry, ignore_errors=True)
        return 1
    return 0


# The command ----------------------------------------------------------------------------------


def add_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "withdraw",
        help="trek een verhaal in: status withdrawn, foto's weg, en wat er daarna nog moet gebeuren",
        description=(
            "Zet 'status: withdrawn' in het verhaal en verwijdert de foto's uit de map van het verhaal. "
            "De tekst blijft in het bestand staan maar komt niet meer op de site. Daarna staat er wat je "
            "nog moet doen."
        ),
    )
    command.add_argument("slug", metavar="SLUG", help="de naam van het verhaal: de map in stories/")
    command.set_defaults(run=run)


def run(args: argparse.Namespace, config_file: Path) -> int:
    settings = load_settings(config_file)
    slug = slug_from_argument(args.slug)
    stories_shown = display_path(settings.stories_dir, settings.root)
    try:
        result = withdraw(settings, slug)
    except LookupError:
        known = [found for found, _ in discover(settings.stories_dir)]
        close = difflib.get_close_matches(slug, known, n=1, cutoff=0.6)
        hint = f" Bedoel je '{close[0]}'?" if close else ""
        print(
            visible(
                f"aanhetwoord withdraw: er is geen verhaal '{args.slug}' in {stories_shown}/. "
                f"Er is niets veranderd.{hint}"
            ),
            file=sys.stderr,
        )
        return 1
    except CannotWithdraw as error:
        print(
            visible(
                f"aanhetwoord withdraw: '{slug}' kan niet worden ingetrokken: {error}. Er is niets "
                f"veranderd. Herstel het eerst (aanhetwoord check {stories_shown}/{slug}), "
                "of haal het verhaal helemaal weg."
            ),
            file=sys.stderr,
        )
        return 1
    print(steps(settings, result))
    problems = [p for p in pipeline.check(settings, [result.story_file]).problems if p.is_error]
    for problem in problems:
        print(problem.format(), file=sys.stderr)
    return 1 if problems else 0


def steps(settings: Settings, result: Withdrawal) -> str:
    """What the command did, then what staff still have to do, in plain Dutch."""
    shown = display_path(result.story_file, settings.root)
    urls = Urls(settings.urls, settings.site_url)
    address = urls.server_path(urls.story(result.slug))
    folder = display_path(result.story_file.parent, settings.root)
    lines = []
    if result.already:
        lines.append(f"Het verhaal '{result.slug}' was al ingetrokken ({shown} heeft 'status: withdrawn').")
    else:
        lines.append(f"Het verhaal '{result.slug}' is ingetrokken: in {shown} staat nu 'status: withdrawn'.")
        lines.append("De tekst blijft in het bestand staan, maar komt niet meer op de site.")
    if result.deleted:
        names = ", ".join(display_path(path, settings.root) for path in result.deleted)
        count = plural(len(result.deleted), "bestand", "bestanden")
        lines.append(f"Verwijderd: {count} uit de map van het verhaal ({names}).")
        if result.cache_entries:
            lines.append("Ook de verkleinde foto's in de cache zijn weg.")
    else:
        lines.append("Er stonden geen foto's bij het verhaal.")

    in_git = _git_paths(settings.root, [result.story_file, *result.deleted])
    photo_paths = in_git[1:]
    history = ["git", "filter-repo", "--invert-paths", *(f"--path {path}" for path in photo_paths)]
    commit = f"git add -A {folder if result.story_file.name == STORY_FILE else shown}"
    lines += [
        "",
        "Nog te doen:",
        "  1. Bouw de site opnieuw en zet hem online, zoals altijd (mkdocs build en dan publiceren,",
        "     of mkdocs gh-deploy). Pas dan is het verhaal overal weg: de pagina, de lijsten, het zoeken,",
        f"     de API en de sitemap. Op {address} staat dan alleen nog een korte melding.",
        "  2. Maak de instellingen voor de webserver opnieuw (aanhetwoord nginx) en zet ze op de server.",
        f"     Dan antwoordt de server op {address} met 410: dit verhaal is weg en komt niet terug.",
        "  3. Gebruikt de site een CDN of een andere cache? Leeg daar de cache (purge) voor",
        f"     {address} en alles daaronder. Anders is een oude kopie nog een tijd te zien.",
        f'  4. Leg de wijziging vast in git: {commit} && git commit -m "Verhaal {result.slug} ingetrokken"',
        "     De oude versies staan dan nog in de geschiedenis van git. Moeten ze daar ook uit, bijvoorbeeld",
        "     omdat iemand op een foto herkenbaar is? Herschrijf dan de geschiedenis met git filter-repo:",
    ]
    if photo_paths:
        lines.append(f"       {' '.join(history)}")
    lines += [
        f"     Moet ook de tekst eruit, voeg dan --path {in_git[0]} toe en zet daarna een nieuw bestand",
        "     terug met alleen 'status: withdrawn', zodat de melding op het adres blijft staan.",
        "     Dit verandert alle commits: overleg eerst met wie de repository beheert, push met --force",
        "     en laat iedereen met een kopie opnieuw clonen. Kopieën elders (forks) moet je apart laten",
        "     weghalen.",
        "  5. Laat de vertellers weten dat hun verhaal van de site is"
        + (f" (toestemming {result.consent_reference})." if result.consent_reference else "."),
    ]
    # Each line is one line: a name or reference from the story cannot start another.
    return "\n".join(visible(line) for line in lines)


def _git_paths(root: Path, paths: list[Path]) -> list[str]:
    """Paths as git filter-repo wants them: from the top of the repository, when there is one."""
    try:
        top = gitrepo.toplevel(root, timeout=10)
    except GitError:
        top = root  # not in a repository, or no git
    return [display_path(path, top) for path in paths]
