"""Lighthouse benchmark: accessibility, best-practices, SEO (and performance) scores of the demo.

Builds the repository's demo site (as of the demo's day), serves it on 127.0.0.1 with Debian's
nginx and the configuration ``aanhetwoord nginx --http`` generates (so headers, compression and
caching are production's; Python's http.server stands in when nginx is missing), and runs npm's
``lighthouse`` with Debian's Chromium on the home page, a story, a term page and ``/buurten/``,
with the mobile and the desktop preset. It prints a table of the scores and the id of every
audit that fails in accessibility, best practices or SEO. The aim is 100 for those three;
performance is for information (Lighthouse simulates a slow phone on a shared machine).

Lighthouse is installed on first use into ``.venv/npm`` (the folder ``tests/run.sh`` uses for
vnu-jar and axe-core), pinned to major 12, the last that runs on Debian's Node 20. It never
downloads a browser: ``CHROME_PATH`` points at ``/usr/bin/chromium``.

    python tests/benchmarks/lighthouse.py [--site DIR] [--reports DIR] [--path verhalen/…/ …]

``--site DIR`` serves an already built site instead of building the demo; ``--reports DIR`` keeps
Lighthouse's JSON reports. A script, not a pytest test: its name does not start with ``test_``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(HERE.parent)]

from browser_support import CHROMIUM, serve_folder  # noqa: E402
from nginx_support import NGINX, run_nginx, write_nginx_conf  # noqa: E402
from sitefactory import CLI, build_demo, quiet_env  # noqa: E402

NPM_PREFIX = ROOT / ".venv" / "npm"
LIGHTHOUSE = NPM_PREFIX / "node_modules" / "lighthouse" / "cli" / "index.js"
LIGHTHOUSE_SPEC = "lighthouse@>=12.8 <13"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
CATEGORIES = ("accessibility", "best-practices", "seo", "performance")
# The categories aimed at 100; performance is reported, never judged.
JUDGED = ("accessibility", "best-practices", "seo")
PAGES = {
    "home": "",
    "story": "verhalen/bewoners-runnen-de-ijsbaan/",
    "term page": "themas/samen-leven/",
    "neighbourhoods": "buurten/",
}
PRESETS = ("mobile", "desktop")


@dataclass
class Result:
    page: str
    preset: str
    scores: dict[str, int | None] = field(default_factory=dict)
    failed: dict[str, list[str]] = field(default_factory=dict)  # category → audit ids
    error: str = ""


def ensure_lighthouse() -> None:
    if LIGHTHOUSE.is_file():
        return
    if shutil.which("npm") is None:
        sys.exit("npm is missing: install Debian's 'npm' package")
    print(f"Installing {LIGHTHOUSE_SPEC} into {NPM_PREFIX} …", flush=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(NPM_PREFIX), "--ignore-scripts", "--no-audit", "--no-fund"]
        + ["--silent", LIGHTHOUSE_SPEC],
        check=True,
    )


@contextmanager
def serve(site_dir: Path, work: Path) -> Iterator[str]:
    """The built site on 127.0.0.1: nginx as production would serve it, else http.server."""
    if NGINX is None:
        print("nginx is missing: serving with Python's http.server (no compression, no headers)")
        with serve_folder(site_dir) as base:
            yield base
        return
    work.mkdir(parents=True, exist_ok=True)

    def configure(port: int) -> Path:
        result = subprocess.run(
            [*CLI, "-f", str(ROOT / "mkdocs.yml"), "nginx", "--http", "--listen", f"127.0.0.1:{port}"]
            + ["--root", str(site_dir), "--server-name", "127.0.0.1", "--site-dir", str(site_dir)]
            + ["--output", str(work / "site.conf")],
            cwd=ROOT,
            env=quiet_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            sys.exit(f"aanhetwoord nginx failed:\n{result.stderr}")
        return write_nginx_conf(work, work / "site.conf")

    with run_nginx(NGINX, work, configure) as base:
        yield base


def run_lighthouse(url: str, preset: str, report: Path) -> dict:
    command = ["node", str(LIGHTHOUSE), url, "--output=json", f"--output-path={report}", "--quiet"]
    command += [f"--only-categories={','.join(CATEGORIES)}", f"--chrome-flags={CHROME_FLAGS}"]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    if result.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse failed ({result.returncode}): {result.stderr.strip()[-2000:]}")
    return json.loads(report.read_text(encoding="utf-8"))


def audit(url: str, preset: str, report: Path, label: str, tries: int = 3) -> Result:
    """One Lighthouse run; tried again when Lighthouse itself failed (on a busy machine it now
    and then loses the trace of a page load: NO_NAVSTART)."""
    error = ""
    for _ in range(tries):
        try:
            return read_report(run_lighthouse(url, preset, report), label, preset)
        except (RuntimeError, subprocess.TimeoutExpired) as failure:
            error = str(failure)
            print(f"  {error.splitlines()[0] if error else 'failed'}; trying again", flush=True)
    return Result(label, preset, error=error)


def read_report(data: dict, page: str, preset: str) -> Result:
    result = Result(page, preset)
    if data.get("runtimeError"):
        result.error = data["runtimeError"].get("message", "")
    audits = data["audits"]
    for name, category in data["categories"].items():
        score = category.get("score")
        result.scores[name] = None if score is None else round(score * 100)
        if name not in JUDGED:
            continue
        result.failed[name] = [
            ref["id"]
            for ref in category["auditRefs"]
            if audits[ref["id"]].get("score") is not None
            and audits[ref["id"]]["score"] < 1
            and audits[ref["id"]].get("scoreDisplayMode") not in ("informative", "manual", "notApplicable")
        ]
    return result


def print_table(results: list[Result]) -> None:
    headers = ["page", "preset", "access.", "best pr.", "SEO", "perf.", "failed audits"]
    rows = []
    for result in results:
        scores = [result.scores.get(name) for name in CATEGORIES]
        failed = sorted({audit for audits in result.failed.values() for audit in audits})
        rows.append(
            [result.page, result.preset]
            + ["–" if score is None else str(score) for score in scores]
            + [result.error or ", ".join(failed) or "none"]
        )
    widths = [max(len(row[index]) for row in [headers, *rows]) for index in range(len(headers) - 1)]
    for row in [headers, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=False)) + "  " + row[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="serve this built site instead of building the demo")
    parser.add_argument("--reports", type=Path, help="keep Lighthouse's JSON reports in this folder")
    parser.add_argument("--path", action="append", help="a page to audit instead of the four; repeatable")
    args = parser.parse_args(argv)
    if not CHROMIUM.is_file():
        sys.exit(f"Debian's Chromium is missing ({CHROMIUM}): apt-get install chromium")
    ensure_lighthouse()
    pages = {path or "home": path for path in args.path} if args.path else PAGES

    with tempfile.TemporaryDirectory(prefix="ahw-lighthouse-") as temp:
        site_dir = args.site.resolve() if args.site else Path(temp) / "site"
        if not args.site:
            print("Building the demo site …", flush=True)
            built = build_demo(site_dir)
            if built.returncode != 0:
                sys.exit(f"the demo did not build:\n{built.stderr}")
        reports = args.reports or Path(temp) / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        results: list[Result] = []
        with serve(site_dir, Path(temp) / "nginx") as base:
            for label, path in pages.items():
                for preset in PRESETS:
                    print(f"Lighthouse: /{path} ({preset}) …", flush=True)
                    report = reports / f"{label.replace(' ', '-').replace('/', '_') or 'home'}-{preset}.json"
                    results.append(audit(base + path, preset, report, label))
    print()
    print_table(results)
    short = [
        result
        for result in results
        if result.error or any((result.scores.get(name) or 0) < 100 for name in JUDGED)
    ]
    print(f"\n{len(results) - len(short)} of {len(results)} runs score 100 in {', '.join(JUDGED)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
