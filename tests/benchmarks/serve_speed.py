"""Save-to-reload benchmark for ``aanhetwoord serve``: from saving a story to seeing it in Chromium.

For each size it generates N synthetic stories (the generator of ``build_speed.py``), starts
``aanhetwoord serve`` on 127.0.0.1, opens a story page in Debian's Chromium and then, edit
after edit, saves the story file and times until the open tab shows the change by itself
(MkDocs' live reload). Edits alternate between a new title (which reaches the story's
neighbourhood, theme and community lists, the home page and related lists) and a move to
another neighbourhood. The server's own build time is read from its log.

    python tests/benchmarks/serve_speed.py [--sizes 1000 4000] [--edits 8]

A script, not a pytest test: its name does not start with ``test_``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from build_speed import NEIGHBOURHOOD_NAMES, _env, generate, wait_until_idle, write_plugin_site  # noqa: E402

from browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from sitefactory import LISTENING  # noqa: E402

# Median seconds from saving to seeing, by number of stories.
TARGETS = {1000: 2.0, 4000: 2.0}
BUILT = re.compile(r"Documentation built in ([0-9.]+) seconds")


def _command() -> list[str]:
    local = Path(sys.executable).parent / "aanhetwoord"
    return [str(local)] if local.exists() else [sys.executable, "-m", "aanhetwoord.commands.cli"]


def _wait_for(log: Path, path: str, process: subprocess.Popen, seconds: float) -> str:
    """The server's address (it listens on port 0 and says which port it got), once ``path`` answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit("aanhetwoord serve stopped before serving")
        match = LISTENING.search(log.read_text(encoding="utf-8", errors="replace"))
        if match:
            base = f"http://127.0.0.1:{match.group(1)}/"
            try:
                with urllib.request.urlopen(base + path, timeout=5):
                    return base
            except OSError:
                pass
        time.sleep(0.5)
    sys.exit(f"aanhetwoord serve did not answer within {seconds:.0f} s")


def _builds(log: Path) -> list[float]:
    return [float(found) for found in BUILT.findall(log.read_text(encoding="utf-8", errors="replace"))]


def measure(size: int, workdir: Path, edits: int, max_wait: float) -> dict[str, object]:
    root = workdir / f"serve-{size}"
    root.mkdir()
    corpus = generate(size)
    config = write_plugin_site(corpus, root)
    story = corpus.stories[size // 2]
    path = root / "stories" / story.slug / "index.md"
    log = root / "serve.log"
    with log.open("w", encoding="utf-8") as output:
        process = subprocess.Popen(
            # From the site's folder with the file name as typed, as staff start it: MkDocs then
            # has a relative path at the first build and an absolute one at every rebuild.
            [*_command(), "-f", config.name, "serve", "-a", "127.0.0.1:0"],
            cwd=root,
            env=_env(),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        started = time.perf_counter()
        base = _wait_for(log, f"verhalen/{story.slug}/", process, 900)
        first = time.perf_counter() - started
        from playwright.sync_api import sync_playwright

        times: list[float] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(base + f"verhalen/{story.slug}/")
            text = path.read_text(encoding="utf-8")
            neighbourhood = story.front_matter["neighbourhoods"][0]
            for number in range(edits):
                wait_until_idle(max_wait)
                time.sleep(1.0)  # let the server's file watcher settle after the last build
                if number % 2 == 0:
                    marker = f"Bewerkte titel {number}"
                    text = re.sub(r"^title: .*$", f"title: {marker}", text, count=1, flags=re.M)
                    check = f"!!document.querySelector('h1')?.textContent.includes('{marker}')"
                else:
                    moved = NEIGHBOURHOOD_NAMES[(NEIGHBOURHOOD_NAMES.index(neighbourhood) + 1) % 12]
                    text = text.replace(f"- {neighbourhood}\n", f"- {moved}\n", 1)
                    check = f"!!document.querySelector('.ahw-story')?.textContent.includes('{moved}')"
                    neighbourhood = moved
                start = time.perf_counter()
                path.write_text(text, encoding="utf-8")
                page.wait_for_function(check, timeout=120_000, polling=20)
                times.append(time.perf_counter() - start)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=60)
    builds = _builds(log)
    return {
        "size": size,
        "first": first,
        "reloads": times,
        "builds": builds[1:],  # the first is the initial build
    }


def report(results: list[dict[str, object]]) -> None:
    print("\nSave to reload with aanhetwoord serve (Chromium, live reload)")
    print(f"{'stories':>8} {'first build':>12} {'median':>8} {'max':>8} {'build median':>13}  edits")
    for result in results:
        reloads: list[float] = result["reloads"]  # type: ignore[assignment]
        builds: list[float] = result["builds"]  # type: ignore[assignment]
        print(
            f"{result['size']:>8} {result['first']:>11.1f}s {statistics.median(reloads):>7.2f}s "
            f"{max(reloads):>7.2f}s {statistics.median(builds) if builds else float('nan'):>12.2f}s  "
            + " ".join(f"{value:.2f}" for value in reloads)
        )
    for result in results:
        target = TARGETS.get(result["size"])  # type: ignore[call-overload]
        if target is not None:
            median = statistics.median(result["reloads"])  # type: ignore[arg-type]
            verdict = "met" if median <= target else "MISSED"
            print(f"target at {result['size']:,} stories: median ≤ {target:.1f} s: {verdict}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    parser.add_argument("--edits", type=int, default=8, help="saves per size (titles and moves in turn)")
    parser.add_argument("--wait-idle", type=float, default=30, metavar="SECONDS")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ahw-serve-") as temp:
        results = [measure(size, Path(temp), args.edits, args.wait_idle) for size in args.sizes]
    report(results)


if __name__ == "__main__":
    main()
