"""Merge a branch into the base branch with git plumbing, touching no working tree.

``git merge-tree --write-tree`` makes the merged tree in the object store, ``commit-tree``
a commit with both parents, and ``update-ref`` moves the base branch only while it still points
at the commit the merge started from: a change of the base meanwhile (staff pushing, another
accept) is detected, never overwritten.

A working tree that has the base branch checked out is then behind. It is brought up to date
only when it is clean (no changes to tracked files), with a two-tree ``read-tree -m -u`` that
itself refuses to overwrite anything; otherwise it is left alone and the result says so.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from pathlib import Path

from ..gitrepo import Author, GitError, Repo, run


class MergeConflict(GitError):
    """The branch and the base changed the same lines; ``paths`` are the files in conflict."""

    def __init__(self, paths: Sequence[str]) -> None:
        super().__init__(f"conflict in {', '.join(paths) or 'the tree'}")
        self.paths = tuple(paths)


class BaseMoved(GitError):
    """The base branch changed between reading it and moving it."""


class Worktree(enum.StrEnum):
    NONE = "none"  # no working tree has the base branch checked out
    UPDATED = "updated"  # every one that has it was clean and now shows the merge
    BEHIND = "behind"  # one has changes of its own: left as it was, older than the base branch


def branch_ref(repo: Repo, base: str) -> str:
    """The full name of the branch ``base`` names (``main``, ``refs/heads/main`` or ``HEAD``)."""
    if base == "HEAD":
        result = repo.run("symbolic-ref", "-q", "HEAD", check=False)
        name = result.stdout.decode().strip()
        if result.returncode != 0 or not name.startswith("refs/heads/"):
            raise GitError("HEAD wijst niet naar een branch; stel AANHETWOORD_INTAKE_BASE in")
        return name
    if base.startswith("refs/"):
        return base
    return f"refs/heads/{base}"


def merge_commit(repo: Repo, base: str, tip: str, message: str, author: Author) -> str:
    """A merge commit of ``tip`` into ``base`` (both commits), written to the object store only.

    Raises :class:`MergeConflict` when git cannot merge them by itself."""
    result = repo.run(
        "merge-tree", "--write-tree", "--name-only", "--no-messages", "-z", base, tip, check=False
    )
    if result.returncode not in (0, 1):
        raise GitError(
            "git merge-tree lukt niet",
            result.args,
            result.stderr.decode("utf-8", "replace"),
            result.returncode,
        )
    parts = result.stdout.decode("utf-8", "surrogateescape").split("\0")
    if result.returncode == 1:
        raise MergeConflict(sorted({part for part in parts[1:] if part}))
    return repo.commit_tree(parts[0].strip(), [base, tip], message, author)


def advance(repo: Repo, ref: str, new: str, old: str, reason: str) -> None:
    """Move ``ref`` from ``old`` to ``new``; :class:`BaseMoved` when it no longer points at ``old``."""
    try:
        repo.update_ref(ref, new, old, reason)
    except GitError as error:
        if repo.resolve(ref) != old:
            raise BaseMoved(f"{ref} veranderde tijdens het samenvoegen") from error
        raise


def update_worktrees(repo: Repo, ref: str, old: str, new: str) -> Worktree:
    """Bring each clean working tree that has ``ref`` checked out from ``old`` to ``new``."""
    state = Worktree.NONE
    for folder in _checked_out(repo, ref):
        run(folder, "update-index", "-q", "--refresh", check=False)
        # The branch already points at ``new``: clean means the index and files still match ``old``.
        staged = run(folder, "diff-index", "--cached", "--quiet", old, "--", check=False)
        changed = run(folder, "diff-files", "--quiet", check=False)
        if staged.returncode != 0 or changed.returncode != 0:
            state = Worktree.BEHIND
            continue
        if run(folder, "read-tree", "-m", "-u", old, new, check=False).returncode != 0:
            state = Worktree.BEHIND
            continue
        if state is Worktree.NONE:
            state = Worktree.UPDATED
    return state


def _checked_out(repo: Repo, ref: str) -> list[Path]:
    """The working trees (the main one and linked ones) that have ``ref`` checked out."""
    listing = repo.run("worktree", "list", "--porcelain", "-z", check=False)
    if listing.returncode != 0:
        return []
    folders: list[Path] = []
    folder: Path | None = None
    for field in listing.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if field.startswith("worktree "):
            folder = Path(field.removeprefix("worktree "))
        elif field == f"branch {ref}" and folder is not None:
            folders.append(folder)
        elif field == "bare":
            folder = None
    return folders
