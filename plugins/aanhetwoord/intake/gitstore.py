"""Branches in the site's repository, made with git plumbing and never touching a working tree.

Staff may have the repository checked out and be working in it while residents submit. So a
submission never runs ``git checkout`` or ``git add``: its files go into the object store
(``hash-object -w``), a tree is built in a temporary index of its own (``GIT_INDEX_FILE``),
committed on top of the base commit (``commit-tree``), and the branch is created with
``update-ref`` and the expected old value "does not exist". Two submissions at the same moment
each have their own index and their own branch, and git refuses to create a branch twice, so
neither can overwrite the other.

A crash can leave two things behind: loose objects nobody refers to (git's own garbage
collection removes them) and a temporary index file ``index-…`` in the work folder (the check
at start removes those; see :mod:`recovery`).

The git commands themselves are :mod:`aanhetwoord.gitrepo`'s; this module adds what the intake
needs on top: safe paths, branch names, the crash points and the temporary index's name.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from ..gitrepo import Author, GitError, Repo
from . import crashpoint

__all__ = ["INDEX_PREFIX", "Author", "BranchExists", "GitError", "GitStore", "check_path"]

INDEX_PREFIX = "index-"  # temporary index files in the work folder; a stale one is safe to delete
_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9._-]+$")


class BranchExists(GitError):
    pass


class GitStore:
    def __init__(self, repository: Path, work_dir: Path, author: Author, base: str = "") -> None:
        self.repository = repository
        self.work_dir = work_dir
        self.author = author
        self.base = base
        self.repo = Repo(repository)

    # Reading ---------------------------------------------------------------------------------

    def base_ref(self) -> str:
        """The branch submissions start from: the setting, else ``main`` if it exists, else HEAD."""
        if self.base:
            return self.base
        return "refs/heads/main" if self.resolve("refs/heads/main") else "HEAD"

    def base_commit(self) -> str:
        commit = self.resolve(self.base_ref())
        if commit is None:
            raise GitError(f"'{self.base_ref()}' is geen commit in {self.repository}")
        return commit

    def resolve(self, ref: str) -> str | None:
        return self.repo.resolve(ref)

    def exists(self, commit: str, path: str) -> bool:
        return self.repo.exists(commit, path)

    def read(self, commit: str, path: str) -> bytes:
        return self.repo.read(commit, path)

    def names(self, commit: str, folder: str) -> list[str]:
        """The names directly inside ``folder`` in ``commit`` (files and folders)."""
        return self.repo.names(commit, folder)

    def branches(self, prefix: str) -> list[str]:
        """Branch names under ``prefix`` (like ``inzending/``), without ``refs/heads/``."""
        return [ref.removeprefix("refs/heads/") for ref in self.repo.refs(f"refs/heads/{prefix}")]

    def refs(self) -> dict[str, str]:
        return self.repo.refs()

    def described(self, commit: str) -> tuple[str, str]:
        """When ``commit`` was made (ISO 8601, UTC) and its message."""
        seconds, message = self.repo.commit_info(commit)
        return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds"), message

    def is_ancestor(self, commit: str, of: str) -> bool:
        return self.repo.is_ancestor(commit, of)

    def grep(self, commit: str, text: str, folder: str) -> list[str]:
        """Files under ``folder`` in ``commit`` that contain ``text`` (a fixed string)."""
        names = self.repo.grep(commit, folder, "-l", "-z", "-F", "-e", text).decode("utf-8", "replace")
        return [name.split(":", 1)[1] for name in names.split("\0") if ":" in name]

    def matches(self, commit: str, pattern: str, folder: str) -> set[str]:
        """Every text matching the regular expression ``pattern`` in the files under ``folder``."""
        found = self.repo.grep(commit, folder, "-h", "-o", "-I", "-E", "-e", pattern)
        return set(found.decode("utf-8", "replace").split())

    # Writing ---------------------------------------------------------------------------------

    def commit_files(
        self,
        base: str,
        files: Mapping[str, bytes],
        message: str,
        remove: Sequence[str] = (),
        author: Author | None = None,
    ) -> str:
        """A commit on top of ``base`` that adds or replaces ``files`` (path → content) and
        removes the paths in ``remove``; by ``author``, else by the form."""
        for path in [*files, *remove]:
            check_path(path)
        blobs = {path: self.repo.hash_object(content) for path, content in files.items()}
        crashpoint.reached("objects-written")
        with self.repo.index(self.work_dir / f"{INDEX_PREFIX}{secrets.token_hex(8)}") as index:
            index.read_tree(base)
            index.add(blobs)
            index.remove(remove)
            crashpoint.reached("index-written")
            tree = index.write_tree()
        return self.repo.commit_tree(tree, [base], message, author or self.author)

    def create_branch(self, branch: str, commit: str, reason: str) -> None:
        """Create ``branch`` at ``commit``, only if no branch of that name exists yet."""
        ref = self._branch_ref(branch)
        try:
            self.repo.update_ref(ref, commit, self.zero_oid(), reason)
        except GitError:
            if self.resolve(ref) is not None:
                raise BranchExists(f"de branch {branch} bestaat al") from None
            raise

    def move_branch(self, branch: str, commit: str, expected: str, reason: str) -> None:
        """Point ``branch`` at ``commit``, only while it still points at ``expected``."""
        self.repo.update_ref(self._branch_ref(branch), commit, expected, reason)

    def delete_branch(self, branch: str, expected: str) -> None:
        """Remove ``branch``, only while it still points at ``expected``."""
        self.repo.delete_ref(self._branch_ref(branch), expected)

    def push(self, remote: str, branch: str) -> None:
        ref = self._branch_ref(branch)
        self.repo.push(remote, f"{ref}:{ref}")

    def zero_oid(self) -> str:
        """All zeros as long as this repository's object names: "this ref must not exist yet"."""
        return self.repo.zero_oid()

    def _branch_ref(self, branch: str) -> str:
        ref = f"refs/heads/{branch}"
        if branch.startswith("-") or not self.repo.valid_ref(ref):
            raise GitError(f"'{branch}' kan geen naam van een branch zijn")
        return ref


def check_path(path: str) -> None:
    """Only plain relative paths made by the server: no '..', no absolute paths, no odd characters."""
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or any(part in ("", ".", "..") or not _SAFE_COMPONENT.match(part) for part in parts)
    ):
        raise GitError(f"'{path}' is geen veilig pad in de repository")
    if any(part.lower() == ".git" for part in parts):
        raise GitError(f"'{path}' is geen veilig pad in de repository")
