"""Every git command of the project, run one way: ``check-pr``, the intake and ``withdraw``.

git runs as a subprocess without a shell, always with ``-C`` and the repository's path, in a
fixed environment: no prompt for a password (``GIT_TERMINAL_PROMPT=0``), no pager, messages in
plain English (``LC_ALL=C``), and none of the variables that would point it at another
repository, index or object store. A failure is one :class:`GitError` that carries the command
and what git said.

The helpers are plumbing: they read objects and refs and write new ones, and never touch a
working tree or the repository's own index, so staff can keep working in a checkout meanwhile.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

FILE_MODE = "100644"
# Variables that would point git at another repository, index or object store than ours.
_REDIRECTING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR")
_FIXED = {"GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat", "PAGER": "cat", "LC_ALL": "C"}
TIMEOUT = 120.0


class GitError(Exception):
    """git could not run, or refused. ``command`` is what ran, ``stderr`` what git said, and
    ``returncode`` its exit code (None when git did not run at all)."""

    def __init__(
        self, message: str, command: Sequence[str] = (), stderr: str = "", returncode: int | None = None
    ) -> None:
        super().__init__(message)
        self.command = tuple(command)
        self.stderr = stderr
        self.returncode = returncode


def run(
    repository: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    check: bool = True,
    timeout: float = TIMEOUT,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git -C repository ARGS``; raises :class:`GitError` when it fails (and ``check``)."""
    command = ["git", "-C", str(repository), *args]
    full_env = {key: value for key, value in os.environ.items() if key not in _REDIRECTING}
    full_env.update(_FIXED)
    full_env.update(env or {})
    try:
        result = subprocess.run(
            command, input=stdin, capture_output=True, env=full_env, timeout=timeout, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise GitError(f"git {args[0]} werkt niet ({error})", command, str(error)) from None
    if check and result.returncode != 0:
        raise failure(result, args[0])
    return result


def failure(result: subprocess.CompletedProcess[bytes], name: str) -> GitError:
    """The error for a git command that ended with another exit code than expected."""
    stderr = result.stderr.decode("utf-8", "replace").strip()
    lines = stderr.splitlines()
    return GitError(
        f"git {name} lukt niet: {lines[-1] if lines else result.returncode}",
        [str(part) for part in result.args],
        stderr,
        result.returncode,
    )


def toplevel(folder: Path, timeout: float = TIMEOUT) -> Path:
    """The top folder of the work tree that ``folder`` is in."""
    output = run(folder, "rev-parse", "--show-toplevel", timeout=timeout).stdout
    return Path(output.decode("utf-8", "surrogateescape").strip())


@dataclass(frozen=True)
class TreeEntry:
    """One file in a tree, as ``ls-tree --long`` lists it."""

    mode: str
    kind: str  # blob, tree or commit (a submodule)
    object: str
    size: int | None  # None for a submodule
    path: str


@dataclass(frozen=True)
class Author:
    name: str
    email: str


class Repo:
    """One repository, read and written with git plumbing."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zero: str | None = None

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        stdin: bytes | None = None,
        check: bool = True,
        timeout: float = TIMEOUT,
    ) -> subprocess.CompletedProcess[bytes]:
        return run(self.path, *args, env=env, stdin=stdin, check=check, timeout=timeout)

    def output(self, *args: str, stdin: bytes | None = None) -> str:
        """What the command prints, as text (bytes that are no UTF-8 kept as surrogates)."""
        return self.run(*args, stdin=stdin).stdout.decode("utf-8", "surrogateescape")

    # Objects and refs --------------------------------------------------------------------------

    def resolve(self, ref: str) -> str | None:
        """The commit ``ref`` names, or None when it names none."""
        result = self.run(
            "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", check=False
        )
        return result.stdout.decode().strip() if result.returncode == 0 else None

    def zero_oid(self) -> str:
        """All zeros as long as this repository's object names: "this ref must not exist yet"."""
        if self._zero is None:
            result = self.run("rev-parse", "--show-object-format", check=False)
            kind = result.stdout.decode().strip() if result.returncode == 0 else "sha1"
            self._zero = "0" * (64 if kind == "sha256" else 40)
        return self._zero

    def empty_tree(self) -> str:
        return self.output("hash-object", "-t", "tree", "/dev/null").strip()

    def exists(self, commit: str, path: str) -> bool:
        return self.run("cat-file", "-e", f"{commit}:{path}", check=False).returncode == 0

    def read(self, commit: str, path: str) -> bytes:
        """The file at ``path`` in ``commit``."""
        return self.read_blob(f"{commit}:{path}")

    def read_blob(self, name: str) -> bytes:
        """The content of a blob, by its object name (or ``commit:path``)."""
        return self.run("cat-file", "blob", name).stdout

    def blob_sizes(self, blobs: Iterable[str]) -> dict[str, int]:
        """The size of every blob, from one ``cat-file --batch-check``."""
        names = sorted(set(blobs))
        if not names:
            return {}
        listing = self.output("cat-file", "--batch-check", stdin="\n".join(names).encode() + b"\n")
        sizes = {}
        for line in listing.splitlines():
            name, kind, *rest = line.split()
            if kind == "blob" and rest and rest[0].isdigit():
                sizes[name] = int(rest[0])
        return sizes

    def names(self, commit: str, folder: str) -> list[str]:
        """The names directly inside ``folder`` in ``commit`` (files and folders); [] when none."""
        result = self.run("ls-tree", "-z", "--name-only", commit, "--", f"{folder}/", check=False)
        if result.returncode != 0:
            return []
        listing = result.stdout.decode("utf-8", "replace").split("\0")
        return [PurePosixPath(name).name for name in listing if name]

    def tree(self, commit: str) -> list[TreeEntry]:
        """Every file in ``commit``, with mode and size, from one ``ls-tree -r --long``."""
        entries = []
        for record in self.run("ls-tree", "-r", "-l", "-z", "--full-tree", commit).stdout.split(b"\0"):
            if not record:
                continue
            meta, _, path = record.partition(b"\t")
            mode, kind, name, size = meta.decode().split()
            entries.append(TreeEntry(mode, kind, name, int(size) if size.isdigit() else None, _text(path)))
        return entries

    def diff_tree(self, *args: str) -> bytes:
        """``diff-tree --raw -z`` output: every changed file, without renames, full object names."""
        return self.run("diff-tree", "-r", "-z", "--no-renames", "--no-abbrev", "--no-ext-diff", *args).stdout

    def rev_list(self, *args: str) -> list[str]:
        return self.output("rev-list", *args, "--").split()

    def merge_base(self, one: str, other: str) -> str | None:
        """Where two histories met, or None when they share none."""
        result = self.run("merge-base", one, other, check=False)
        found = result.stdout.decode().split()
        if result.returncode not in (0, 1):
            raise failure(result, "merge-base")
        return found[0] if result.returncode == 0 and found else None

    def is_ancestor(self, commit: str, of: str) -> bool:
        return self.run("merge-base", "--is-ancestor", commit, of, check=False).returncode == 0

    def refs(self, prefix: str = "") -> dict[str, str]:
        """Every ref (under ``prefix``, like ``refs/heads/inzending/``) and the object it names."""
        pattern = [prefix] if prefix else []
        output = self.output("for-each-ref", "--format=%(refname) %(objectname)", *pattern)
        return dict(line.split(" ", 1) for line in output.splitlines() if line)

    def valid_ref(self, ref: str) -> bool:
        return self.run("check-ref-format", ref, check=False).returncode == 0

    def commit_info(self, commit: str) -> tuple[int, str]:
        """When ``commit`` was made (seconds since 1970) and its message."""
        output = self.run("log", "-1", "--format=%ct%n%B", "--end-of-options", commit).stdout
        seconds, _, message = output.decode("utf-8", "replace").partition("\n")
        return int(seconds), message

    def grep(self, commit: str, folder: str, *options: str) -> bytes:
        """``git grep OPTIONS commit -- folder/``; no match is an empty answer, not an error."""
        result = self.run("grep", *options, commit, "--", f"{folder}/", check=False)
        if result.returncode not in (0, 1):
            raise failure(result, "grep")
        return result.stdout

    def config(self, key: str) -> str | None:
        """A setting from git's configuration, or None when it is not set."""
        result = self.run("config", "--get", key, check=False)
        if result.returncode not in (0, 1):
            raise failure(result, "config")
        return result.stdout.decode("utf-8", "replace").strip() if result.returncode == 0 else None

    # Writing -----------------------------------------------------------------------------------

    def hash_object(self, content: bytes) -> str:
        """Store ``content`` as a blob; returns its object name."""
        return self.output("hash-object", "-w", "--stdin", stdin=content).strip()

    @contextmanager
    def index(self, path: Path) -> Iterator[Index]:
        """A temporary index of its own at ``path``, removed afterwards (also its lock)."""
        try:
            yield Index(self, path)
        finally:
            path.unlink(missing_ok=True)
            path.with_name(path.name + ".lock").unlink(missing_ok=True)

    def commit_tree(self, tree: str, parents: Sequence[str], message: str, author: Author) -> str:
        identity = {
            "GIT_AUTHOR_NAME": author.name,
            "GIT_AUTHOR_EMAIL": author.email,
            "GIT_COMMITTER_NAME": author.name,
            "GIT_COMMITTER_EMAIL": author.email,
        }
        arguments = [argument for parent in parents for argument in ("-p", parent)]
        result = self.run("commit-tree", tree, *arguments, "-F", "-", env=identity, stdin=message.encode())
        return result.stdout.decode().strip()

    def update_ref(self, ref: str, new: str, old: str, reason: str) -> None:
        """Point ``ref`` at ``new``, only while it still points at ``old`` (all zeros: while it
        does not exist)."""
        self.run("update-ref", "-m", reason, ref, new, old)

    def delete_ref(self, ref: str, old: str) -> None:
        """Remove ``ref``, only while it still points at ``old``."""
        self.run("update-ref", "-d", ref, old)

    def push(self, remote: str, refspec: str, timeout: float = 300) -> None:
        self.run("push", "--quiet", "--", remote, refspec, timeout=timeout)


class Index:
    """A temporary index file: a tree is built in it without touching the repository's own."""

    def __init__(self, repo: Repo, path: Path) -> None:
        self.repo = repo
        self.env = {"GIT_INDEX_FILE": str(path)}

    def read_tree(self, tree: str) -> None:
        self.repo.run("read-tree", tree, env=self.env)

    def add(self, blobs: Mapping[str, str], mode: str = FILE_MODE) -> None:
        """Put blobs (path → object name) in the index."""
        arguments = ["update-index", "--add"]
        for path, blob in blobs.items():
            arguments += ["--cacheinfo", f"{mode},{blob},{path}"]
        self.repo.run(*arguments, env=self.env)

    def remove(self, paths: Sequence[str]) -> None:
        if paths:
            self.repo.run("update-index", "--force-remove", "--", *paths, env=self.env)

    def write_tree(self) -> str:
        return self.repo.run("write-tree", env=self.env).stdout.decode().strip()


def _text(value: bytes) -> str:
    return value.decode("utf-8", "surrogateescape")
