"""The one git runner and its plumbing, on real repositories made with the git command itself."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from aanhetwoord import gitrepo
from aanhetwoord.commands.prcheck import GitError as PrCheckGitError
from aanhetwoord.gitrepo import Author, GitError, Repo
from aanhetwoord.intake import gitstore

AUTHOR = Author("Redactie", "redactie@example.org")


def git(folder: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=Test", "-c", "user.email=test@example.org", *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return result.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q", "-b", "main")
    (folder / "README").write_text("eerste\n")
    git(folder, "add", "README")
    git(folder, "commit", "-q", "-m", "Begin")
    return Repo(folder)


def commit(
    repo: Repo, parent: str, files: dict[str, bytes], index: Path, remove: tuple[str, ...] = ()
) -> str:
    blobs = {path: repo.hash_object(content) for path, content in files.items()}
    with repo.index(index) as building:
        building.read_tree(parent)
        building.add(blobs)
        building.remove(list(remove))
        tree = building.write_tree()
    return repo.commit_tree(tree, [parent], "Een commit\n\nmet tekst", AUTHOR)


def test_there_is_one_git_error_class():
    assert gitstore.GitError is GitError
    assert PrCheckGitError is GitError
    assert issubclass(gitstore.BranchExists, GitError)


def test_a_commit_made_with_plumbing_has_the_files_and_leaves_the_work_tree_alone(repo: Repo, tmp_path: Path):
    main = repo.resolve("refs/heads/main")
    assert main is not None and len(main) == 40
    made = commit(repo, main, {"stories/feest/index.md": b"---\ntitle: Feest\n---\n"}, tmp_path / "index-1")
    assert not (tmp_path / "index-1").exists() and not (tmp_path / "index-1.lock").exists()
    assert repo.read(made, "stories/feest/index.md") == b"---\ntitle: Feest\n---\n"
    assert repo.names(made, "stories/feest") == ["index.md"]
    assert repo.names(made, "stories/nergens") == []
    assert repo.is_ancestor(main, made) and not repo.is_ancestor(made, main)
    assert repo.merge_base(main, made) == main
    assert repo.rev_list(f"{main}..{made}") == [made]
    assert repo.commit_info(made)[1] == "Een commit\n\nmet tekst\n"
    assert (
        git(repo.path, "log", "-1", "--format=%an <%ae>", made).strip() == "Redactie <redactie@example.org>"
    )
    # Nothing was checked out or staged: the branch and the work tree are as they were.
    assert repo.resolve("refs/heads/main") == main
    assert git(repo.path, "status", "--porcelain") == ""
    assert not (repo.path / "stories").exists()
    # A change: one file modified, one removed, one added, as diff-tree lists them.
    second = commit(
        repo,
        made,
        {"README": b"tweede\n", "nieuw.txt": b"x"},
        tmp_path / "index-2",
        remove=("stories/feest/index.md",),
    )
    raw = repo.diff_tree(made, second).split(b"\0")
    changes = {
        raw[index + 1].decode(): raw[index].split()[-1].decode() for index in range(0, len(raw) - 1, 2)
    }
    assert changes == {"README": "M", "nieuw.txt": "A", "stories/feest/index.md": "D"}
    sizes = {entry.path: entry.size for entry in repo.tree(second)}
    assert sizes == {"README": 7, "nieuw.txt": 1}
    readme = next(entry for entry in repo.tree(second) if entry.path == "README")
    assert repo.blob_sizes([readme.object]) == {readme.object: 7}
    assert repo.read_blob(readme.object) == b"tweede\n"


def test_update_ref_with_a_wrong_expected_value_fails_and_names_the_command(repo: Repo, tmp_path: Path):
    main = repo.resolve("HEAD")
    assert main is not None
    made = commit(repo, main, {"a.txt": b"a"}, tmp_path / "index")
    repo.update_ref("refs/heads/nieuw", made, repo.zero_oid(), "test: nieuw")
    assert repo.resolve("refs/heads/nieuw") == made
    with pytest.raises(GitError) as refused:
        repo.update_ref("refs/heads/nieuw", main, repo.zero_oid(), "test: nog eens")  # it exists already
    error = refused.value
    assert error.command[:3] == ("git", "-C", str(repo.path))
    assert error.command[3:6] == ("update-ref", "-m", "test: nog eens")
    assert str(error).startswith("git update-ref lukt niet: ")
    assert error.returncode not in (0, None) and "refs/heads/nieuw" in error.stderr
    with pytest.raises(GitError):
        repo.update_ref("refs/heads/nieuw", main, main, "test: verkeerd oud")  # it is at `made`
    with pytest.raises(GitError):
        repo.delete_ref("refs/heads/nieuw", main)
    assert repo.resolve("refs/heads/nieuw") == made
    repo.delete_ref("refs/heads/nieuw", made)
    assert repo.resolve("refs/heads/nieuw") is None
    assert "refs/heads/nieuw" not in repo.refs()


def test_a_missing_object_or_ref_gives_a_git_error(repo: Repo):
    missing = "0123456789abcdef0123456789abcdef01234567"
    with pytest.raises(GitError) as refused:
        repo.read_blob(missing)
    assert refused.value.command[3:] == ("cat-file", "blob", missing)
    assert str(refused.value).startswith("git cat-file lukt niet: ")
    with pytest.raises(GitError):
        repo.read("HEAD", "bestaat/niet.txt")
    assert repo.resolve("refs/heads/bestaat-niet") is None
    assert repo.resolve("--help") is None  # never read as an option
    assert not repo.exists("HEAD", "bestaat/niet.txt") and repo.exists("HEAD", "README")
    with pytest.raises(GitError):
        gitrepo.toplevel(repo.path.parent)  # not a repository


def test_a_missing_git_is_a_git_error_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on it
    with pytest.raises(GitError) as refused:
        gitrepo.run(tmp_path, "status")
    assert refused.value.returncode is None and str(refused.value).startswith("git status werkt niet (")


@pytest.mark.parametrize(
    "name", ["stories/een verhaal/index.md", "stories/café-ü/foto één.jpg", "a b/c d.txt"]
)
def test_paths_with_spaces_and_other_letters_round_trip(repo: Repo, tmp_path: Path, name: str):
    main = repo.resolve("HEAD")
    assert main is not None
    made = commit(repo, main, {name: "inhoud ✓\n".encode()}, tmp_path / "index")
    folder, _, file_name = name.rpartition("/")
    assert repo.names(made, folder) == [file_name]
    assert repo.read(made, name) == "inhoud ✓\n".encode()
    assert name in {entry.path for entry in repo.tree(made)}
    raw = repo.diff_tree(main, made).split(b"\0")
    assert raw[1].decode() == name
    assert (
        repo.grep(made, folder.split("/")[0], "-l", "-z", "-F", "-e", "inhoud").decode() == f"{made}:{name}\0"
    )


def test_the_environment_cannot_point_git_elsewhere(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    other = tmp_path / "ander"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "vreemde-index"))
    assert repo.resolve("refs/heads/main") is not None  # our repository, not the empty other one
    assert gitrepo.toplevel(repo.path) == repo.path.resolve()


def test_config_reads_a_setting_or_none(repo: Repo):
    git(repo.path, "config", "aanhetwoord.test", "waarde met spaties")
    assert repo.config("aanhetwoord.test") == "waarde met spaties"
    assert repo.config("aanhetwoord.bestaatniet") is None
