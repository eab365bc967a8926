"""Byte-identity check: does the working tree build the same site as git revision REV?

Builds two sites twice, once with the code at ``--base REV`` and once with the working tree:

* the demo site (this repository's ``mkdocs.yml``, ``docs/``, ``stories/``);
* a synthetic site of ``--stories N`` generated stories with registers (the generator of
  ``build_speed.py``; 0 leaves it out).

REV is checked out in a temporary ``git worktree``; its builds run with
``PYTHONPATH=<worktree>/plugins``, so that revision's plugin, ``theme_overrides`` and
``mkdocs.yml`` are used. The working tree is copied as git sees it (tracked and untracked
files, without what ``.gitignore`` leaves out), so neither build finds a photo cache from
before. ``SOURCE_DATE_EPOCH`` is pinned for all builds.

The two output trees are compared file by file. Differing files are listed, with a short
unified diff of the first few; the exit status is 0 when every file is identical, 1 when any
differs and 2 when a build fails.

    python tests/benchmarks/same_output.py --base HEAD [--stories 1000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_speed  # noqa: E402

# 2026-11-24T12:00Z: the date the demo's tests build on.
DEFAULT_EPOCH = 1795521600
DIFFS_SHOWN = 3
DIFF_LINES = 30


class BuildFailed(Exception):
    pass


def repository_root(start: Path) -> Path:
    result = _git(start, "rev-parse", "--show-toplevel")
    return Path(result.strip())


def _git(cwd: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildFailed(f"git {' '.join(args)}: {result.stderr.strip()}")
    return result.stdout


@contextmanager
def revision_tree(repo: Path, rev: str) -> Iterator[Path]:
    """A temporary, detached git worktree of ``rev``; removed again afterwards."""
    sha = _git(repo, "rev-parse", "--verify", f"{rev}^{{commit}}").strip()
    folder = Path(tempfile.mkdtemp(prefix="ahw-same-base-"))
    tree = folder / "tree"
    _git(repo, "worktree", "add", "--detach", "--quiet", str(tree), sha)
    try:
        yield tree
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(tree)], cwd=repo, capture_output=True, check=False
        )
        shutil.rmtree(folder, ignore_errors=True)


def copy_working_tree(repo: Path, target: Path) -> Path:
    """The working tree as git sees it: tracked files as they are now, plus untracked ones
    that ``.gitignore`` keeps (so no ``.cache``, ``site`` or ``.venv``)."""
    listing = _git(repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for name in filter(None, listing.split("\0")):
        source = repo / name
        if not source.is_file():  # deleted in the working tree, or a submodule
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    return target


def _mkdocs() -> str:
    local = Path(sys.executable).parent / "mkdocs"
    return str(local) if local.exists() else (shutil.which("mkdocs") or "mkdocs")


def build(code: Path, config: Path, site_dir: Path, epoch: int) -> None:
    """``mkdocs build`` of ``config`` with the plugin from ``code``/plugins."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(code / "plugins"), env.get("PYTHONPATH")]))
    env["SOURCE_DATE_EPOCH"] = str(epoch)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave no __pycache__ in either tree
    env.setdefault("PYTHONUTF8", "1")
    result = subprocess.run(
        [_mkdocs(), "build", "-q", "-f", str(config), "-d", str(site_dir)],
        cwd=config.parent,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise BuildFailed(f"build failed: {config}\n{result.stdout}{result.stderr}")


def write_corpus(code: Path, corpus: build_speed.Corpus, root: Path) -> Path:
    """The synthetic site, themed with ``code``'s own ``theme_overrides``."""
    config_path = build_speed.write_plugin_site(corpus, root)
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config["theme"]["custom_dir"] = str(code / "theme_overrides")
    config_path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return config_path


def _files(tree: Path) -> dict[str, Path]:
    return {path.relative_to(tree).as_posix(): path for path in sorted(tree.rglob("*")) if path.is_file()}


def _text(path: Path) -> list[str] | None:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    try:
        return data.decode("utf-8").splitlines(keepends=True)
    except UnicodeDecodeError:
        return None


def compare(before: Path, after: Path) -> list[str]:
    """Relative paths whose bytes differ, or that exist on one side only."""
    old, new = _files(before), _files(after)
    differing = []
    for name in sorted(old.keys() | new.keys()):
        if name not in old or name not in new or old[name].read_bytes() != new[name].read_bytes():
            differing.append(name)
    return differing


def describe(label: str, before: Path, after: Path, differing: list[str]) -> str:
    lines = [f"{label}: {len(differing)} file(s) differ"]
    lines += [f"  {name}" for name in differing]
    for name in differing[:DIFFS_SHOWN]:
        old, new = before / name, after / name
        if not old.exists() or not new.exists():
            lines.append(f"--- {name}: only {'after' if new.exists() else 'before'}")
            continue
        old_text, new_text = _text(old), _text(new)
        if old_text is None or new_text is None:
            lines.append(f"--- {name}: binary files differ")
            continue
        diff = list(difflib.unified_diff(old_text, new_text, f"base/{name}", f"work/{name}", n=1))
        shown = [line.rstrip("\n")[:200] for line in diff[:DIFF_LINES]]
        if len(diff) > DIFF_LINES:
            shown.append(f"... {len(diff) - DIFF_LINES} more diff lines")
        lines += shown or [f"--- {name}: same text, different bytes (line endings?)"]
    return "\n".join(lines)


def run(repo: Path, base: str, stories: int, workdir: Path, epoch: int) -> int:
    """Build everything, print the verdict; the exit status."""
    work = copy_working_tree(repo, workdir / "work")
    corpus = build_speed.generate(stories) if stories > 0 else None
    verdicts: list[bool] = []
    with revision_tree(repo, base) as base_tree:
        sides = {"base": base_tree, "work": work}
        sites: list[tuple[str, dict[str, Path]]] = []
        outputs: dict[str, Path] = {}
        for side, code in sides.items():
            outputs[side] = workdir / "out" / "demo" / side
            build(code, code / "mkdocs.yml", outputs[side], epoch)
        sites.append(("demo", dict(outputs)))
        if corpus is not None:
            outputs = {}
            for side, code in sides.items():
                config = write_corpus(code, corpus, workdir / "corpus" / side)
                outputs[side] = workdir / "out" / "corpus" / side
                build(code, config, outputs[side], epoch)
            sites.append((f"synthetic ({stories} stories)", outputs))
        for label, pair in sites:
            differing = compare(pair["base"], pair["work"])
            if differing:
                print(describe(label, pair["base"], pair["work"], differing))
            else:
                count = len(_files(pair["work"]))
                print(f"{label}: identical ({count} files)")
            verdicts.append(not differing)
    if all(verdicts):
        print(f"identical: the working tree builds the same bytes as {base}")
        return 0
    print(f"different: the working tree's output differs from {base}'s")
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, metavar="REV", help="git revision to compare with")
    parser.add_argument(
        "--stories", type=int, default=1000, metavar="N", help="stories in the synthetic site (0: none)"
    )
    parser.add_argument(
        "--epoch",
        type=int,
        default=int(os.environ.get("SOURCE_DATE_EPOCH") or DEFAULT_EPOCH),
        help="SOURCE_DATE_EPOCH for the builds (default: the environment's, else 2026-11-24)",
    )
    parser.add_argument("--repo", type=Path, default=Path.cwd(), help="working tree (default: here)")
    parser.add_argument("--keep", type=Path, help="keep the trees and outputs in this empty folder")
    args = parser.parse_args(argv)

    try:
        repo = repository_root(args.repo)
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            if any(args.keep.iterdir()):
                parser.error(f"{args.keep} is not empty")
            return run(repo, args.base, args.stories, args.keep.resolve(), args.epoch)
        with tempfile.TemporaryDirectory(prefix="ahw-same-") as temp:
            return run(repo, args.base, args.stories, Path(temp), args.epoch)
    except BuildFailed as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
