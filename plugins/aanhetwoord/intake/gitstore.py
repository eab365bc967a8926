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
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from . import crashpoint

FILE_MODE = "100644"
INDEX_PREFIX = "index-"  # temporary index files in the work folder; a stale one is safe to delete
_SAFE_COMPONENT = re.compile(r"^[A-Za-z0-9._-]+$")
# Variables that would point git at another repository, index or object store than ours.
_REDIRECTING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")


class GitError(Exception):
    pass


class BranchExists(GitError):
    pass


@dataclass(frozen=True)
class Author:
    name: str
    email: str


class GitStore:
    def __init__(self, repository: Path, work_dir: Path, author: Author, base: str = "") -> None:
        self.repository = repository
        self.work_dir = work_dir
        self.author = author
        self.base = base
        self._zero: str | None = None

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
        result = self._run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False
        )
        return result.stdout.decode().strip() if result.returncode == 0 else None

    def exists(self, commit: str, path: str) -> bool:
        return self._run("cat-file", "-e", f"{commit}:{path}", check=False).returncode == 0

    def read(self, commit: str, path: str) -> bytes:
        return self._run("cat-file", "blob", f"{commit}:{path}").stdout

    def names(self, commit: str, folder: str) -> list[str]:
        """The names directly inside ``folder`` in ``commit`` (files and folders)."""
        result = self._run("ls-tree", "-z", "--name-only", commit, "--", f"{folder}/", check=False)
        if result.returncode != 0:
            return []
        return [
            PurePosixPath(name).name for name in result.stdout.decode("utf-8", "replace").split("\0") if name
        ]

    def branches(self, prefix: str) -> list[str]:
        """Branch names under ``prefix`` (like ``inzending/``), without ``refs/heads/``."""
        output = self._run("for-each-ref", "--format=%(refname)", f"refs/heads/{prefix}").stdout.decode()
        return [line.removeprefix("refs/heads/") for line in output.splitlines() if line]

    def refs(self) -> dict[str, str]:
        output = self._run("for-each-ref", "--format=%(refname) %(objectname)").stdout.decode()
        return dict(line.split(" ", 1) for line in output.splitlines() if line)

    def described(self, commit: str) -> tuple[str, str]:
        """When ``commit`` was made (ISO 8601, UTC) and its message."""
        output = self._run("log", "-1", "--format=%ct%n%B", "--end-of-options", commit).stdout
        seconds, _, message = output.decode("utf-8", "replace").partition("\n")
        when = datetime.fromtimestamp(int(seconds), UTC).isoformat(timespec="seconds")
        return when, message

    def is_ancestor(self, commit: str, of: str) -> bool:
        return self._run("merge-base", "--is-ancestor", commit, of, check=False).returncode == 0

    def grep(self, commit: str, text: str, folder: str) -> list[str]:
        """Files under ``folder`` in ``commit`` that contain ``text`` (a fixed string)."""
        result = self._run("grep", "-l", "-z", "-F", "-e", text, commit, "--", f"{folder}/", check=False)
        if result.returncode not in (0, 1):
            raise GitError(self._message(result, "grep"))
        names = result.stdout.decode("utf-8", "replace").split("\0")
        return [name.split(":", 1)[1] for name in names if ":" in name]

    def matches(self, commit: str, pattern: str, folder: str) -> set[str]:
        """Every text matching the regular expression ``pattern`` in the files under ``folder``."""
        result = self._run(
            "grep", "-h", "-o", "-I", "-E", "-e", pattern, commit, "--", f"{folder}/", check=False
        )
        if result.returncode not in (0, 1):
            raise GitError(self._message(result, "grep"))
        return set(result.stdout.decode("utf-8", "replace").split())

    # Writing ---------------------------------------------------------------------------------

    def commit_files(
        self, base: str, files: Mapping[str, bytes], message: str, remove: Sequence[str] = ()
    ) -> str:
        """A commit on top of ``base`` that adds or replaces ``files`` (path → content) and
        removes the paths in ``remove``."""
        for path in [*files, *remove]:
            check_path(path)
        blobs = {path: self._hash_object(content) for path, content in files.items()}
        crashpoint.reached("objects-written")
        index = self.work_dir / f"{INDEX_PREFIX}{secrets.token_hex(8)}"
        env = {"GIT_INDEX_FILE": str(index)}
        try:
            self._run("read-tree", base, env=env)
            arguments = ["update-index", "--add"]
            for path, blob in blobs.items():
                arguments += ["--cacheinfo", f"{FILE_MODE},{blob},{path}"]
            self._run(*arguments, env=env)
            if remove:
                self._run("update-index", "--force-remove", "--", *remove, env=env)
            crashpoint.reached("index-written")
            tree = self._run("write-tree", env=env).stdout.decode().strip()
        finally:
            index.unlink(missing_ok=True)
            index.with_name(index.name + ".lock").unlink(missing_ok=True)
        identity = {
            "GIT_AUTHOR_NAME": self.author.name,
            "GIT_AUTHOR_EMAIL": self.author.email,
            "GIT_COMMITTER_NAME": self.author.name,
            "GIT_COMMITTER_EMAIL": self.author.email,
        }
        result = self._run("commit-tree", tree, "-p", base, "-F", "-", env=identity, stdin=message.encode())
        return result.stdout.decode().strip()

    def create_branch(self, branch: str, commit: str, reason: str) -> None:
        """Create ``branch`` at ``commit``, only if no branch of that name exists yet."""
        ref = self._branch_ref(branch)
        result = self._run("update-ref", "-m", reason, ref, commit, self.zero_oid(), check=False)
        if result.returncode != 0:
            if self.resolve(ref) is not None:
                raise BranchExists(f"de branch {branch} bestaat al")
            raise GitError(self._message(result, "update-ref"))

    def move_branch(self, branch: str, commit: str, expected: str, reason: str) -> None:
        """Point ``branch`` at ``commit``, only while it still points at ``expected``."""
        self._run("update-ref", "-m", reason, self._branch_ref(branch), commit, expected)

    def delete_branch(self, branch: str, expected: str) -> None:
        """Remove ``branch``, only while it still points at ``expected``."""
        self._run("update-ref", "-d", self._branch_ref(branch), expected)

    def push(self, remote: str, branch: str) -> None:
        ref = self._branch_ref(branch)
        self._run("push", "--quiet", "--", remote, f"{ref}:{ref}", timeout=300)

    def zero_oid(self) -> str:
        """All zeros as long as this repository's object names: "this ref must not exist yet"."""
        if self._zero is None:
            result = self._run("rev-parse", "--show-object-format", check=False)
            kind = result.stdout.decode().strip() if result.returncode == 0 else "sha1"
            self._zero = "0" * (64 if kind == "sha256" else 40)
        return self._zero

    # Plumbing --------------------------------------------------------------------------------

    def _hash_object(self, content: bytes) -> str:
        return self._run("hash-object", "-w", "--stdin", stdin=content).stdout.decode().strip()

    def _branch_ref(self, branch: str) -> str:
        ref = f"refs/heads/{branch}"
        if self._run("check-ref-format", ref, check=False).returncode != 0 or branch.startswith("-"):
            raise GitError(f"'{branch}' kan geen naam van een branch zijn")
        return ref

    def _run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
        check: bool = True,
        timeout: float = 120,
    ) -> subprocess.CompletedProcess[bytes]:
        full_env = {key: value for key, value in os.environ.items() if key not in _REDIRECTING}
        full_env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"})
        full_env.update(env or {})
        try:
            result = subprocess.run(
                ["git", "-C", str(self.repository), *args],
                input=stdin,
                capture_output=True,
                env=full_env,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise GitError(f"git {args[0]} werkt niet ({error})") from None
        if check and result.returncode != 0:
            raise GitError(self._message(result, args[0]))
        return result

    @staticmethod
    def _message(result: subprocess.CompletedProcess[bytes], command: str) -> str:
        lines = result.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"git {command} lukt niet: {lines[-1] if lines else result.returncode}"


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
