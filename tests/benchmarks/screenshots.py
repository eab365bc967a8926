"""Screenshots of the demo for the docs and the README: home, a story and the web form, on a phone
(390 px wide, the whole page) and on a desktop (1280 px, the first screen).

Builds the repository's demo site (as of the demo's day) and serves it on 127.0.0.1; starts the
web form (``aanhetwoord intake``) on 127.0.0.1 over a throwaway git repository holding a copy of
the demo (its settings, registers and house style); then opens each page in Debian's Chromium
with Playwright, waits until its fonts and images have loaded, and writes PNGs to
``docs/assets/screenshots/``:

    python tests/benchmarks/screenshots.py [--out DIR]

Run it again after a change to the look; it replaces the files. Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE.parent)]

from browser_support import CHROMIUM, launch_chromium, new_context, serve_folder  # noqa: E402
from intakekit import git, running_service  # noqa: E402
from sitefactory import build_demo  # noqa: E402

OUT = ROOT / "docs" / "assets" / "screenshots"
STORY = "verhalen/bewoners-runnen-de-ijsbaan/"
# (name, width, height, whole page): a phone shows the whole page, a desktop its first screen.
SIZES = [("telefoon", 390, 844, True), ("desktop", 1280, 800, False)]
LIMIT = 300 * 1024  # bytes a picture may take in the repository
# The demo files the form reads: its settings, registers, house style and the pages they name.
DEMO_FILES = ("mkdocs.yml", "stories", "docs", "theme_overrides")

# Lazy images below the first screen would stay empty in a whole-page picture: load them all.
LOAD_ALL_IMAGES = """() => document.querySelectorAll('img[loading="lazy"]').forEach(img => {
  img.loading = 'eager';
})"""
LOADED = """() => document.readyState === 'complete'
  && document.fonts.status === 'loaded'
  && [...document.images].every(img => img.complete && img.naturalWidth > 0)"""


def demo_repository(folder: Path) -> Path:
    """A git repository with a copy of the demo site, for the form to read and write to."""
    folder.mkdir(parents=True)
    for name in DEMO_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, folder / name)
        else:
            shutil.copy2(source, folder / name)
    git(folder, "init", "-q", "-b", "main")
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "De demo")
    return folder


def shrink(path: Path) -> None:
    """A picture over ``LIMIT`` gets at most 256 colours (text stays sharp; photos get dithered),
    so the repository stays light."""
    if path.stat().st_size <= LIMIT:
        return
    with Image.open(path) as image:
        fewer = image.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT)
    fewer.save(path, optimize=True)


def shoot(browser, url: str, path: Path, width: int, height: int, full_page: bool) -> int:  # noqa: ANN001
    context = new_context(
        browser, viewport={"width": width, "height": height}, color_scheme="light", reduced_motion="reduce"
    )
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        page.evaluate(LOAD_ALL_IMAGES)
        page.wait_for_function(LOADED)
        page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
        shrink(path)
    finally:
        context.close()
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"the folder for the PNGs (default: {OUT})")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        sys.exit(f"Debian's Chromium is missing ({CHROMIUM}): apt-get install chromium")
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ahw-screenshots-") as temp:
        site_dir = Path(temp) / "site"
        print("Building the demo site …", flush=True)
        built = build_demo(site_dir)
        if built.returncode != 0:
            sys.exit(f"the demo did not build:\n{built.stderr}")
        repo = demo_repository(Path(temp) / "repo")
        with (
            serve_folder(site_dir) as base,
            running_service(repo, Path(temp) / "data") as form,
            sync_playwright() as playwright,
        ):
            pages = {"home": base, "verhaal": base + STORY, "formulier": form.base}
            browser = launch_chromium(playwright)
            try:
                for name, url in pages.items():
                    for size, width, height, full_page in SIZES:
                        path = args.out / f"{name}-{size}.png"
                        weight = shoot(browser, url, path, width, height, full_page)
                        print(f"{path}: {weight // 1024} KB", flush=True)
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
