"""Menu, tabs and footer are rendered once per kind of page, not once per page; the pages are the
same as when every page renders them itself."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sitefactory import ROOT, engine_executable, quiet_env


def build(site_dir: Path, shared: str) -> dict[str, bytes]:
    env = quiet_env()
    env["AANHETWOORD_SHARED_PARTS"] = shared
    result = subprocess.run(
        [engine_executable("mkdocs"), "build", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site_dir)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return {path.relative_to(site_dir).as_posix(): path.read_bytes() for path in site_dir.rglob("*.html")}


def test_the_demo_site_is_the_same_with_shared_template_parts(tmp_path: Path):
    shared = build(tmp_path / "shared", "on")
    separate = build(tmp_path / "separate", "off")
    assert shared.keys() == separate.keys()
    # Story, list and term pages at several depths, and pages in the menu, which never share.
    assert {"verhalen/index.html", "verhalen/pagina/2/index.html", "buurten/index.html"} <= shared.keys()
    assert any(name.startswith("gemeenschappen/") and name.count("/") == 2 for name in shared)
    differing = sorted(name for name in shared if shared[name] != separate[name])
    assert not differing, differing[:10]
