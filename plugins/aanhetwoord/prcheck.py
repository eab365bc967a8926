"""``aanhetwoord check-pr``: the guard on a resident's pull request.

A pull request from outside may add or change one story and its photos, nothing else: the
site's code, its settings, its registers and its CI belong to the editors (de redactie). The
guard reads the change from the real git repository, so what it judges is exactly what would
be merged. Then the story goes through the same validator as every other story.

CI runs this on untrusted code with read-only rights; the guard's job is to make sure nothing
but a story reaches the editors' review unflagged, and to tell the resident why in plain Dutch.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import yaml

from . import pipeline, report_formats
from .load import STORY_FILE, is_story_name
from .problems import Problem, display_path, visible
from .settings import Settings
from .siteconfig import load_settings

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
PHOTO_MAX_BYTES = 25 * 1024 * 1024
STORY_MAX_BYTES = 200 * 1024
SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"

# The kinds of refusal; "site" files are the editors' alone, the others a resident can fix.
SITE, KIND, SIZE, MANY = "site", "kind", "size", "many"


class GitError(Exception):
    pass


@dataclass(frozen=True)
class Change:
    status: str  # git's letter: A(dded), M(odified), D(eleted), T(ype changed)
    path: str  # from the repository root, with '/'

    @property
    def deleted(self) -> bool:
        return self.status == "D"


@dataclass(frozen=True)
class Entry:
    """A file as the pull request's commit has it."""

    mode: str
    size: int | None  # None for a submodule, which has no size of its own


@dataclass(frozen=True)
class Layout:
    """Where stories and registers live, as paths from the repository root."""

    stories: str
    registers: frozenset[str] = frozenset()


@dataclass
class Verdict:
    refusals: list[tuple[str, Problem]] = field(default_factory=list)
    stories: dict[str, list[Change]] = field(default_factory=dict)  # slug → its changed files
    # Stories with an oversized file are not opened; after a link anywhere, nothing is: reading a
    # register or a photo through it could put any file of the machine into the messages.
    unsafe: set[str] = field(default_factory=set)
    linked: bool = False

    def refuse(self, kind: str, path: str, message: str) -> None:
        self.refusals.append((kind, Problem(path, 1, "", message)))

    def files(self, kind: str) -> list[str]:
        return [problem.path for refused, problem in self.refusals if refused == kind]


# Git ---------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> bytes:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, check=False, timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"git werkt niet ({error})") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} lukt niet: {detail[-1] if detail else result.returncode}")
    return result.stdout


def repository_root(folder: Path) -> Path:
    return Path(_text(git(folder, "rev-parse", "--show-toplevel")).strip())


def commit_of(repo: Path, ref: str) -> str:
    try:
        return _text(git(repo, "rev-parse", "--verify", "--end-of-options", f"{ref}^{{commit}}")).strip()
    except GitError:
        raise GitError(f"'{ref}' is geen commit of branch in deze repository") from None


def changes(repo: Path, base: str, head: str) -> list[Change]:
    """What the pull request changes: from where it branched off ``base`` to ``head``."""
    # '...' diffs against the merge base, so work merged into base meanwhile does not count.
    # Without renames a move is a deletion and an addition, and both sides are judged.
    raw = git(repo, "diff", "--name-status", "-z", "--no-renames", "--no-ext-diff", f"{base}...{head}", "--")
    fields = raw.split(b"\0")
    return [
        Change(_text(status), _text(path)) for status, path in zip(fields[0::2], fields[1::2], strict=False)
    ]


def tree(repo: Path, head: str) -> dict[str, Entry]:
    """Mode and size of every file in ``head``, from one ``git ls-tree`` call.

    ``ls-tree --long`` gives the size ``git cat-file -s`` would, for all files at once, and
    the mode that tells a symbolic link (120000) or a submodule (160000) from a file.
    """
    entries = {}
    for record in git(repo, "ls-tree", "-r", "-l", "-z", "--full-tree", head).split(b"\0"):
        if not record:
            continue
        meta, _, path = record.partition(b"\t")
        mode, _kind, _object, size = meta.split()
        entries[_text(path)] = Entry(_text(mode), int(size) if size.isdigit() else None)
    return entries


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


# The rules ---------------------------------------------------------------------------------


def judge(changed: list[Change], entries: dict[str, Entry], layout: Layout) -> Verdict:
    """Sort every changed file into one story, or refuse it with a reason."""
    verdict = Verdict()
    for change in changed:
        slug = _judge_file(change, entries.get(change.path), layout, verdict)
        if slug is not None:
            verdict.stories.setdefault(slug, []).append(change)
    if len(verdict.stories) > 1:
        names = ", ".join(sorted(verdict.stories))
        for slug in sorted(verdict.stories):
            verdict.refuse(
                MANY,
                verdict.stories[slug][0].path,
                f"deze pull request verandert meer dan één verhaal ({names}); "
                "stuur elk verhaal in een eigen pull request",
            )
    return verdict


def _judge_file(change: Change, entry: Entry | None, layout: Layout, verdict: Verdict) -> str | None:
    """The slug of the story this file belongs to, or None when it is refused."""
    path = change.path
    inside = _inside(path, layout.stories)
    if entry is not None and entry.mode in (SYMLINK_MODE, SUBMODULE_MODE):
        verdict.refuse(
            SITE,
            path,
            "dit is een snelkoppeling (symlink); die kan niet in een verhaal"
            if entry.mode == SYMLINK_MODE
            else "dit is een andere repository (submodule); die kan niet in een verhaal",
        )
        verdict.linked = True
    elif path.lower().endswith(".py"):
        verdict.refuse(SITE, path, "dit is programmacode; code van de site verandert alleen de redactie")
    elif path in layout.registers or inside is None or _is_reserved(inside):
        verdict.refuse(
            SITE,
            path,
            "dit bestand hoort bij de site zelf; alleen de redactie verandert het"
            if not change.deleted
            else "dit bestand wordt weggehaald; dat doet alleen de redactie",
        )
    else:
        return _judge_story_file(change, entry, inside, verdict)
    return None


def _judge_story_file(
    change: Change, entry: Entry | None, inside: PurePosixPath, verdict: Verdict
) -> str | None:
    parts = inside.parts
    single_file = len(parts) == 1 and inside.suffix == ".md"
    if len(parts) == 1 and not single_file:
        verdict.refuse(
            KIND, change.path, "dit bestand hoort niet in een verhaal; zet het in de map van je verhaal"
        )
        return None
    slug = inside.stem if single_file else parts[0]
    is_story_file = single_file or parts[1:] == (STORY_FILE,)
    if change.deleted:
        if is_story_file:
            verdict.refuse(
                SITE,
                change.path,
                "een verhaal weghalen doet de redactie; wil je je verhaal terugtrekken, "
                "zet dan 'status: withdrawn' bovenaan, of mail de redactie",
            )
            return None
        return slug  # a photo that is no longer needed
    if not is_story_file and inside.suffix.lower() not in PHOTO_SUFFIXES:
        verdict.refuse(
            KIND,
            change.path,
            "dit soort bestand kan niet in een verhaal; zet er alleen index.md en foto's in "
            f"({', '.join(PHOTO_SUFFIXES)})",
        )
        return None
    size = entry.size if entry is not None else None
    limit = STORY_MAX_BYTES if is_story_file else PHOTO_MAX_BYTES
    if size is not None and size > limit:
        what = "het verhaal" if is_story_file else "de foto"
        verdict.unsafe.add(slug)
        verdict.refuse(
            SIZE,
            change.path,
            f"{what} is {_size(size)}; dat mag hoogstens {_size(limit)} zijn"
            + ("; maak de foto kleiner en probeer het opnieuw" if not is_story_file else ""),
        )
    return slug


def _inside(path: str, stories: str) -> PurePosixPath | None:
    """The path within the stories folder, or None when it lies outside."""
    try:
        inside = PurePosixPath(path).relative_to(stories)
    except ValueError:
        return None
    return inside if inside.parts else None


def _is_reserved(inside: PurePosixPath) -> bool:
    """Registers and templates: names in the stories folder that start with '_' or '.'."""
    return not is_story_name(inside.parts[0])


def _size(number: int) -> str:
    # Rounded up, so a file just over a limit never reads as equal to it.
    if number >= 1024 * 1024:
        tenths = -(-number * 10 // (1024 * 1024))
        return f"{tenths // 10},{tenths % 10} MB".replace(",0 MB", " MB")
    return f"{-(-number // 1024)} KB"


# Validation --------------------------------------------------------------------------------


def validate_stories(settings: Settings, slugs: list[str]) -> list[Problem]:
    """The validator's problems for these stories, from the files as the pull request has them.

    Every story is checked so that a slug taken twice, or a translation of a story that
    exists, is judged as on the site; only the problems of the changed stories are kept.
    """
    checked = pipeline.check_photos(settings, pipeline.check(settings), set(slugs))
    problems: list[Problem] = []
    for slug in slugs:
        folder = settings.stories_dir / slug
        single = settings.stories_dir / f"{slug}.md"
        if not (folder / STORY_FILE).is_file() and not single.is_file():
            problems.append(
                Problem(
                    display_path(folder, settings.root),
                    1,
                    "",
                    f"in deze map staat geen {STORY_FILE}; een verhaal staat in {STORY_FILE}",
                )
            )
            continue
        shown_folder, shown_single = display_path(folder, settings.root), display_path(single, settings.root)
        problems += [
            problem
            for problem in checked.problems
            if problem.path == shown_single or problem.path.startswith(f"{shown_folder}/")
        ]
    return problems


# The command -------------------------------------------------------------------------------


def run(args: argparse.Namespace, config_file: Path) -> int:
    try:
        repo = repository_root(config_file.parent)
        base, head = commit_of(repo, args.base), commit_of(repo, args.head)
        if head != commit_of(repo, "HEAD"):
            raise GitError(
                f"'{args.head}' is niet de commit die nu is uitgecheckt; de verhalen worden uit de "
                "werkmap gelezen, dus check die commit eerst uit"
            )
        layout = layout_of(base_settings(repo, base, config_file) or load_settings(config_file), repo)
        verdict = judge(changes(repo, base, head), tree(repo, head), layout)
    except GitError as error:
        print(visible(f"aanhetwoord check-pr: {error}"), file=sys.stderr)
        return 2
    found = _validate(verdict, config_file, repo)
    refused = [problem for _, problem in verdict.refusals]
    report_formats.emit(refused + found, args.format, args.output)
    _explain(verdict, found, layout.stories)
    return 1 if refused or any(problem.is_error for problem in found) else 0


def _validate(verdict: Verdict, config_file: Path, repo: Path) -> list[Problem]:
    slugs = [slug for slug in sorted(verdict.stories) if slug not in verdict.unsafe]
    if not slugs or verdict.linked:
        return []
    try:
        settings = load_settings(config_file)
    except (OSError, yaml.YAMLError):
        # The pull request broke the site's settings: the guard has already said so.
        return []
    return report_formats.rebase(validate_stories(settings, slugs), settings.root, repo)


def base_settings(repo: Path, base: str, config_file: Path) -> Settings | None:
    """The site settings as the base branch has them, so a pull request cannot move its own fences.

    None when the base has no site configuration yet (a new site): then the current one counts.
    """
    try:
        relative = config_file.resolve().relative_to(repo.resolve()).as_posix()
        text = git(repo, "show", f"{base}:{relative}")
    except (ValueError, GitError):
        return None
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder).resolve() / config_file.name
        copy.write_bytes(text)
        settings = load_settings(copy)
    root = config_file.parent.resolve()

    def moved(path: Path | None) -> Path | None:
        return root / path.relative_to(copy.parent) if path is not None else None

    return replace(
        settings,
        root=root,
        stories_dir=moved(settings.stories_dir) or root,
        neighbourhoods_file=moved(settings.neighbourhoods_file),
        themes_file=moved(settings.themes_file),
    )


def layout_of(settings: Settings, repo: Path) -> Layout:
    def relative(path: Path) -> str:
        # normpath, not resolve: a folder that a pull request turned into a link must not move the fence.
        try:
            return Path(os.path.normpath(path)).relative_to(repo.resolve()).as_posix()
        except ValueError:
            raise GitError(f"{path} ligt buiten de git-repository {repo}") from None

    registers = [path for path in (settings.neighbourhoods_file, settings.themes_file) if path is not None]
    return Layout(relative(settings.stories_dir), frozenset(relative(path) for path in registers))


def _explain(verdict: Verdict, found: list[Problem], stories: str) -> None:
    """A few plain sentences under the list: what happened, and what happens next."""
    site_files = verdict.files(SITE)
    if site_files:
        _say("Deze pull request verandert bestanden die bij de site zelf horen:")
        for path in dict.fromkeys(site_files):
            _say(f"  - {_shown(path)}")
        _say(
            "Die bestanden verandert alleen de redactie. Je hoeft niets te doen: de redactie bekijkt "
            "je pull request en neemt contact met je op."
        )
    if verdict.files(KIND) or verdict.files(SIZE) or verdict.files(MANY):
        _say(
            f"Een pull request met een verhaal bevat één map in {stories}/ met een index.md en foto's "
            f"(foto's hoogstens {_size(PHOTO_MAX_BYTES)}). Lukt het niet? De redactie helpt je graag."
        )
    errors = sum(problem.is_error for problem in found)
    warnings = sum(problem.is_warning for problem in found)
    if not verdict.stories and not verdict.refusals:
        _say("Deze pull request verandert geen verhaal.")
    elif not verdict.refusals and not errors:
        names = ", ".join(_shown(slug) for slug in sorted(verdict.stories))
        noted = f" ({warnings} {'waarschuwing' if warnings == 1 else 'waarschuwingen'})" if warnings else ""
        _say(f"Het verhaal {names} is in orde{noted}. De redactie kijkt er nu naar.")
    elif errors:
        _say(
            f"In het verhaal {'staat' if errors == 1 else 'staan'} {errors} "
            f"{'fout' if errors == 1 else 'fouten'}. Pas het verhaal aan en stuur de wijziging opnieuw; "
            "de controle loopt dan vanzelf nog een keer."
        )


def _say(text: str) -> None:
    print(text, file=sys.stderr)


def _shown(name: str) -> str:
    """A file name from the pull request as plain text: a line break in it could fake a CI command."""
    return visible(name)
