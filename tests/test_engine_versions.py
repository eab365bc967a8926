"""The site builds on MkDocs 1.6 with Material 9, and on ProperDocs; MkDocs 2 (which has no
plugins) and Material 10 (which does not exist, Material reaches end of life in May 2027) must
never be installed by accident. See the README's section "Toekomst / future"."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from sitefactory import DEMO_TODAY, quiet_env

ROOT = Path(__file__).resolve().parent.parent
WHY = {
    "mkdocs": (
        "MkDocs 2 is a rewrite without plugins or themes: the aanhetwoord plugin and Material cannot "
        "run on it. Install what pyproject.toml asks for ('mkdocs>=1.6.1,<2', e.g. pip install -e .), "
        "or build with ProperDocs, MkDocs 1.6's maintained fork."
    ),
    "mkdocs-material": (
        "Material for MkDocs stops at 9.x (end of life May 2027); a version 10 is not the theme this "
        "site was made and tested with. Install 'mkdocs-material>=9.7,<10'."
    ),
    "properdocs": "ProperDocs is tested as 1.6.x, the line that keeps MkDocs 1.6's plugin interface.",
}
# (package, where in pyproject.toml, versions that must be allowed, versions that must not)
CAPS = [
    ("mkdocs", "dependencies", ["1.6.1"], ["2.0", "2.0.0a1", "2.1", "3.0"]),
    ("mkdocs-material", "dependencies", ["9.7.0", "9.8.2"], ["10.0", "10.0.0b1", "11.0"]),
    ("properdocs", "test", ["1.6.7"], ["1.7.0", "2.0", "2.0.0a1"]),
]


def requirements() -> dict[str, dict[str, Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    groups = {"dependencies": project["dependencies"], **project["optional-dependencies"]}
    return {
        group: {(req := Requirement(line)).name.lower(): req for line in lines}
        for group, lines in groups.items()
    }


@pytest.mark.parametrize(("package", "group", "allowed", "refused"), CAPS)
def test_pyproject_caps_the_engine_below_its_next_major_version(package, group, allowed, refused):
    requirement = requirements()[group].get(package)
    assert requirement is not None, f"pyproject.toml: {package} is missing from {group}"
    for number in allowed:
        assert requirement.specifier.contains(number), f"{requirement} refuses {number}"
    for number in refused:
        assert not requirement.specifier.contains(number, prereleases=True), (
            f"pyproject.toml: '{requirement}' would let pip install {package} {number}. {WHY[package]}"
        )


@pytest.mark.parametrize(
    ("package", "below"), [("mkdocs", "2"), ("mkdocs-material", "10"), ("properdocs", "1.7")]
)
def test_the_installed_engine_is_one_the_site_works_with(package: str, below: str):
    try:
        installed = version(package)
    except PackageNotFoundError:
        if package == "properdocs":
            pytest.skip("ProperDocs is not installed (it comes with the test extra)")
        raise
    assert Version(installed) < Version(below), (
        f"{package} {installed} is installed; this site needs {package} below {below}. {WHY[package]}"
    )


ENGINE_FREE = """
import dataclasses, importlib, importlib.abc, pkgutil, sys
from pathlib import Path

class NoEngine(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] in {"mkdocs", "material", "properdocs"}:
            raise ImportError(f"{name} is blocked: the core must not need an engine")

sys.meta_path.insert(0, NoEngine())
import aanhetwoord
for module in pkgutil.walk_packages(aanhetwoord.__path__, "aanhetwoord."):
    if not module.name.startswith("aanhetwoord.adapters"):
        importlib.import_module(module.name)
from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings

settings = dataclasses.replace(load_settings(Path("mkdocs.yml")), cache_dir=Path(sys.argv[1]))
for page in pipeline.build(settings).pages():
    print(page.url)
"""


def test_the_core_builds_the_demo_pages_with_no_engine_installed(tmp_path: Path):
    """Every module outside adapters/ imports, and the pipeline makes the demo's pages, while
    importing MkDocs, Material or ProperDocs fails: the core outlives any one engine."""
    env = quiet_env(DEMO_TODAY)
    env.pop("PYTHONPATH", None)
    result = subprocess.run(
        [sys.executable, "-c", ENGINE_FREE, str(tmp_path / "cache")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    urls = result.stdout.split()
    assert "verhalen/kookclub-vrijdag/" in urls and "gemeenschappen/" in urls
    assert len(urls) > 80
