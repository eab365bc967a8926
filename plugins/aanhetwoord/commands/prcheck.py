"""``aanhetwoord check-pr``: the guard on a resident's pull request.

A pull request from outside may add or change one story and its photos, nothing else: the
site's code, its settings, its registers and its CI belong to the editors (de redactie). The
guard reads the change from the real git repository, so what it judges is exactly what would
be merged: every commit of the branch (merges too), because history keeps what a later commit
removes, and the net change from where the branch left the base. Photos are read with
``git cat-file`` and decoded as the build decodes them. Then the story goes through the same
validator as every other story, with the base branch's settings.

CI runs this on untrusted content with read-only rights, from the base branch's code (see the
CI templates); the guard's job is to make sure nothing but a story reaches the editors' review
unflagged, and to tell the resident why in plain Dutch.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

import yaml

from .. import gitrepo, photos, pipeline
from ..config_file import load_settings
from ..gitrepo import GitError, Repo
from ..load import STORY_FILE, is_story_name
from ..problems import Problem, display_path, visible
from ..settings import PhotoSettings, Settings
from . import problem_formats

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".heic", ".heif")
PHOTO_MAX_BYTES = 25 * 1024 * 1024
STORY_MAX_BYTES = 200 * 1024
# A story is one text and a handful of phone photos; everything in the branch's history counts,
# because a merge keeps it in the site's repository for good.
MAX_FILES = 20
MAX_TOTAL_BYTES = 40 * 1024 * 1024
MAX_COMMITS = 100
REGULAR_MODE = "100644"
EXECUTABLE_MODE = "100755"
SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"
NO_MODE = "000000"  # the side of a change where the file does not exist

# The kinds of refusal; "site" files are the editors' alone, the others a resident can fix.
SITE, KIND, SIZE, MANY, HISTORY = "site", "kind", "size", "many", "history"


@dataclass(frozen=True)
class Change:
    """One file as one commit of the branch (or the branch as a whole) leaves it."""

    status: str  # A(dded), M(odified), D(eleted)
    path: str  # from the repository root, with '/'
    mode: str = REGULAR_MODE  # the new mode; NO_MODE when deleted
    blob: str = ""  # the new object id; for a submodule, its commit
    commit: str = ""  # the commit that makes this change; "" for the net change of the branch

    @property
    def deleted(self) -> bool:
        return self.status == "D"


@dataclass(frozen=True)
class Entry:
    """A file as the pull request's commit has it."""

    mode: str
    size: int | None  # None for a submodule, which has no size of its own
    blob: str = ""


@dataclass(frozen=True)
class Layout:
    """Where stories and registers live, as paths from the repository root, and the photo limits."""

    stories: str
    registers: frozenset[str] = frozenset()
    photos: PhotoSettings = field(default_factory=PhotoSettings)


@dataclass
class Verdict:
    refusals: list[tuple[str, Problem]] = field(default_factory=list)
    stories: dict[str, list[Change]] = field(default_factory=dict)  # slug → its changed files
    # Stories with an oversized file are not opened; after a link anywhere, nothing is: reading a
    # register or a photo through it could put any file of the machine into the messages.
    unsafe: set[str] = field(default_factory=set)
    linked: bool = False

    def refuse(self, kind: str, path: str, message: str) -> None:
        refusal = (kind, Problem(path, 1, "", message))
        if refusal not in self.refusals:  # the same file in several commits: said once
            self.refusals.append(refusal)

    def files(self, kind: str) -> list[str]:
        return [problem.path for refused, problem in self.refusals if refused == kind]


# Git ---------------------------------------------------------------------------------------


def repository_root(folder: Path) -> Path:
    return gitrepo.toplevel(folder)


def commit_of(repo: Path, ref: str) -> str:
    commit = Repo(repo).resolve(ref)
    if commit is None:
        raise GitError(f"'{ref}' is geen commit of branch in deze repository")
    return commit


def commits(repo: Path, base: str, head: str) -> list[str]:
    """Every commit the branch brings, merges included, oldest first."""
    return Repo(repo).rev_list("--reverse", "--topo-order", f"{base}..{head}")


def commit_changes(repo: Path, commit: str) -> list[Change]:
    """What one commit changes. For a merge: only what differs from every parent, because the
    rest comes from a parent, which is in the base or is judged itself. A first commit without
    parent brings all its files."""
    return _raw_changes(Repo(repo).diff_tree("-c", "--root", "--no-commit-id", commit), commit)


def net_changes(repo: Path, base: str, head: str) -> list[Change]:
    """What the branch changes as a whole, from where it left ``base`` to ``head``.

    The commits alone miss a merge that brings back an older file from the base branch.
    """
    # From the merge base, so work merged into base meanwhile does not count. Without renames a
    # move is a deletion and an addition, and both sides are judged.
    git = Repo(repo)
    try:
        start = git.merge_base(base, head)
    except GitError:
        start = None
    # Without shared history, everything in the branch counts: from the empty tree.
    return _raw_changes(git.diff_tree(start or git.empty_tree(), head), "")


def _raw_changes(raw: bytes, commit: str) -> list[Change]:
    """Parse ``--raw -z`` output, also the combined form of a merge (one ':' per parent)."""
    fields = raw.split(b"\0")
    found = []
    for meta, path in zip(fields[0::2], fields[1::2], strict=False):
        parents = len(meta) - len(meta.lstrip(b":"))
        values = _text(meta[parents:]).split()
        modes, objects = values[: parents + 1], values[parents + 1 : 2 * parents + 2]
        mode, blob = modes[-1], objects[-1]
        if mode == NO_MODE:
            status = "D"
        elif all(old == NO_MODE for old in modes[:-1]):
            status = "A"
        else:
            status = "M"
        found.append(Change(status, _text(path), mode, blob, commit))
    return found


def blob_sizes(repo: Path, blobs: set[str]) -> dict[str, int]:
    """The size of every blob, from one ``git cat-file --batch-check`` call."""
    return Repo(repo).blob_sizes(blobs)


def tree(repo: Path, head: str) -> dict[str, Entry]:
    """Mode and size of every file in ``head``, from one ``git ls-tree`` call.

    ``ls-tree --long`` gives the size ``git cat-file -s`` would, for all files at once, and
    the mode that tells a symbolic link (120000) or a submodule (160000) from a file.
    """
    return {entry.path: Entry(entry.mode, entry.size, entry.object) for entry in Repo(repo).tree(head)}


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")


# The rules ---------------------------------------------------------------------------------


def inspect(repo: Path, base: str, head: str, layout: Layout) -> Verdict:
    """Judge the branch: every commit, the net change, the amount, and every photo's content."""
    listed = commits(repo, base, head)
    if len(listed) > MAX_COMMITS:
        verdict = Verdict()
        verdict.refuse(
            MANY,
            layout.stories,
            f"deze pull request heeft {len(listed)} commits; dat mogen er hoogstens {MAX_COMMITS} zijn. "
            "Voeg je commits samen tot één, of vraag de redactie om hulp",
        )
        return verdict
    history = [change for commit in listed for change in commit_changes(repo, commit)]
    history += net_changes(repo, base, head)
    stored = {SYMLINK_MODE, REGULAR_MODE, EXECUTABLE_MODE}
    sizes = blob_sizes(repo, {change.blob for change in history if change.mode in stored})
    entries = tree(repo, head)
    verdict = judge(history, entries, layout, sizes)
    verify_photos(repo, verdict, layout, entries)
    return verdict


def judge(
    changed: list[Change], entries: dict[str, Entry], layout: Layout, sizes: dict[str, int] | None = None
) -> Verdict:
    """Sort every changed file into one story, or refuse it with a reason.

    ``changed`` holds the changes of every commit; ``entries`` the files of the branch's last
    commit; ``sizes`` the size of each blob (by default the size the last commit gives).
    """
    if sizes is None:
        sizes = {entry.blob: entry.size for entry in entries.values() if entry.size is not None}
    verdict = Verdict()
    changed = list(dict.fromkeys(changed))
    for change in changed:
        slug = _judge_file(change, sizes.get(change.blob), layout, verdict)
        if slug is None:
            continue
        verdict.stories.setdefault(slug, []).append(change)
        if not change.deleted and change.path not in entries:
            verdict.refuse(
                HISTORY,
                change.path,
                "dit bestand zit in een eerdere commit en is later weer weggehaald; het blijft dan toch "
                "in de geschiedenis van de site bewaard. Maak een nieuwe branch zonder dit bestand, "
                "of voeg je commits samen tot één",
            )
    _judge_amount(changed, sizes, layout, verdict)
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


def _judge_amount(changed: list[Change], sizes: dict[str, int], layout: Layout, verdict: Verdict) -> None:
    """At most MAX_FILES files and MAX_TOTAL_BYTES in all, counting every version in the history."""
    paths = {change.path for change in changed}
    total = sum(sizes.get(blob, 0) for blob in {change.blob for change in changed if not change.deleted})
    too_many = len(paths) > MAX_FILES
    if too_many:
        verdict.refuse(
            SIZE,
            layout.stories,
            f"deze pull request verandert {len(paths)} bestanden; dat mogen er hoogstens {MAX_FILES} zijn. "
            "Stuur minder foto's mee, of vraag de redactie om hulp",
        )
    if total > MAX_TOTAL_BYTES:
        verdict.refuse(
            SIZE,
            layout.stories,
            f"de bestanden in deze pull request zijn samen {_size(total)}; dat mag hoogstens "
            f"{_size(MAX_TOTAL_BYTES)} zijn (ook wat in eerdere commits zat, telt mee). "
            "Maak de foto's kleiner of stuur er minder mee",
        )
    if too_many or total > MAX_TOTAL_BYTES:
        verdict.unsafe.update(verdict.stories)  # too much to open: no photo is decoded


def _judge_file(change: Change, size: int | None, layout: Layout, verdict: Verdict) -> str | None:
    """The slug of the story this file belongs to, or None when it is refused."""
    path = change.path
    inside = _inside(path, layout.stories)
    if change.mode in (SYMLINK_MODE, SUBMODULE_MODE):
        verdict.refuse(
            SITE,
            path,
            "dit is een snelkoppeling (symlink); die kan niet in een verhaal"
            if change.mode == SYMLINK_MODE
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
    elif (problem := unsafe_name(path)) is not None:
        verdict.refuse(
            KIND, path, f"{problem}; geef het bestand een gewone naam, met letters, cijfers, '-' en '_'"
        )
    elif change.mode not in (REGULAR_MODE, NO_MODE):
        verdict.refuse(
            KIND,
            path,
            "dit bestand is 'uitvoerbaar' gemaakt, als een programma; in een verhaal staan alleen gewone "
            "bestanden. Maak het weer gewoon met: git update-index --chmod=-x",
        )
    else:
        return _judge_story_file(change, size, inside, verdict)
    return None


def unsafe_name(path: str) -> str | None:
    """Why a file name is unsafe to pass around (in a shell, a log, on Windows), or None."""
    parts = path.split("/")
    if not path.isprintable():
        return "in de naam staat een onzichtbaar teken of een regeleinde"
    if "\\" in path:
        return "in de naam staat een '\\'"
    if any(part in ("", ".", "..") or part.lower() == ".git" for part in parts):
        return "in de naam staat '..', '.git' of een lege map"
    if any(part.startswith("-") for part in parts):
        return "een naam mag niet met '-' beginnen"
    return None


def _judge_story_file(
    change: Change, size: int | None, inside: PurePosixPath, verdict: Verdict
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


def verify_photos(repo: Path, verdict: Verdict, layout: Layout, entries: dict[str, Entry]) -> None:
    """Decode every version of every photo the branch brings, as the build would, from git itself.

    Any bytes can carry a photo's name (a program as ``foto.png``); only a photo that decodes
    within the site's limits passes. A story that is too large is not opened at all.
    """
    if verdict.linked:
        return
    known: dict[str, str | None] = {}
    for slug, changes in verdict.stories.items():
        if slug in verdict.unsafe:
            continue
        for change in changes:
            suffix = PurePosixPath(change.path).suffix.lower()
            if change.deleted or suffix not in PHOTO_SUFFIXES:
                continue
            if change.blob not in known:
                content = Repo(repo).read_blob(change.blob)
                known[change.blob] = photo_problem(content, suffix, layout)
            message = known[change.blob]
            if message is not None:
                last = entries.get(change.path)
                earlier = (
                    f" (een eerdere versie, in commit {change.commit[:10]})"
                    if last is None or last.blob != change.blob
                    else ""
                )
                verdict.refuse(KIND, change.path, f"{message}{earlier}")


def photo_problem(data: bytes, suffix: str, layout: Layout) -> str | None:
    """Why these bytes are no photo the site can show, or None: opened and decoded whole, with the
    photo module's limits on size and pixels."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"foto{suffix}"
        path.write_bytes(data)
        try:
            with photos.open_photo(path, layout.photos) as image:
                image.load()
        except photos.PhotoError as error:
            return str(error)
        except Exception:  # noqa: BLE001 - a hostile file must become a message, never a crash
            return "de foto is beschadigd of niet compleet; kijk of het echt een foto is"
    return None


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
        # The base branch's settings, so a pull request cannot move its own fences.
        settings = base_settings(repo, base, config_file) or load_settings(config_file)
        layout = layout_of(settings, repo)
        verdict = inspect(repo, base, head, layout)
    except GitError as error:
        print(visible(f"aanhetwoord check-pr: {error}"), file=sys.stderr)
        return 2
    refused = [problem for _, problem in verdict.refusals]
    said = {problem.path for problem in refused}
    # A photo refused above is not reported a second time by the validator.
    found = [
        problem
        for problem in _validate(verdict, settings, repo)
        if not (problem.field == "foto" and problem.path in said)
    ]
    problem_formats.emit(refused + found, args.format, args.output)
    _explain(verdict, found, layout.stories)
    return 1 if refused or any(problem.is_error for problem in found) else 0


def _validate(verdict: Verdict, settings: Settings, repo: Path) -> list[Problem]:
    slugs = [slug for slug in sorted(verdict.stories) if slug not in verdict.unsafe]
    if not slugs or verdict.linked:
        return []
    try:
        return problem_formats.rebase(validate_stories(settings, slugs), settings.root, repo)
    except (OSError, yaml.YAMLError):
        # A register the pull request broke: the guard has already said so.
        return []


def base_settings(repo: Path, base: str, config_file: Path) -> Settings | None:
    """The site settings as the base branch has them, so a pull request cannot move its own fences.

    None when the base has no site configuration yet (a new site): then the current one counts.
    """
    try:
        relative = config_file.resolve().relative_to(repo.resolve()).as_posix()
        text = Repo(repo).read(base, relative)
    except (ValueError, GitError):
        return None
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder).resolve() / config_file.name
        copy.write_bytes(text)
        settings = load_settings(copy, shown=display_path(config_file, Path.cwd()))
    root = config_file.parent.resolve()

    def moved(path: Path | None) -> Path | None:
        if path is None or not path.is_relative_to(copy.parent):
            return path  # an absolute path in the settings stays where it is
        return root / path.relative_to(copy.parent)

    return replace(
        settings,
        root=root,
        stories_dir=moved(settings.stories_dir) or root,
        neighbourhoods_file=moved(settings.neighbourhoods_file),
        themes_file=moved(settings.themes_file),
        cache_dir=moved(settings.cache_dir),
    )


def layout_of(settings: Settings, repo: Path) -> Layout:
    def relative(path: Path) -> str:
        # normpath, not resolve: a folder that a pull request turned into a link must not move the fence.
        try:
            return Path(os.path.normpath(path)).relative_to(repo.resolve()).as_posix()
        except ValueError:
            raise GitError(f"{path} ligt buiten de git-repository {repo}") from None

    registers = [path for path in (settings.neighbourhoods_file, settings.themes_file) if path is not None]
    return Layout(
        relative(settings.stories_dir), frozenset(relative(path) for path in registers), settings.photos
    )


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
    if verdict.files(KIND) or verdict.files(SIZE) or verdict.files(MANY) or verdict.files(HISTORY):
        _say(
            f"Een pull request met een verhaal bevat één map in {stories}/ met een index.md en foto's "
            f"(hoogstens {MAX_FILES} bestanden, samen hoogstens {_size(MAX_TOTAL_BYTES)}, elke foto "
            f"hoogstens {_size(PHOTO_MAX_BYTES)}). Alles wat in een commit zat, telt mee. "
            "Lukt het niet? De redactie helpt je graag."
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
