"""Builds small, real sites in a temporary folder: registers, stories and an mkdocs.yml.

Tests describe the stories they need in code; nothing here fakes the engine.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from aanhetwoord.config_file import load_settings
from aanhetwoord.settings import Settings, build_date

ROOT = Path(__file__).resolve().parent.parent
THEME_OVERRIDES = ROOT / "theme_overrides"


def source_date_epoch(day: date) -> str:
    """``SOURCE_DATE_EPOCH`` for ``day``: noon UTC, the same calendar day in every time zone."""
    return str(int(datetime(day.year, day.month, day.day, 12, tzinfo=UTC).timestamp()))


# The tests run as of one fixed day, whatever the clock says: the product takes "today" from
# SOURCE_DATE_EPOCH, set here for this process and every build and server it starts. Tests date
# their stories relative to TODAY. To run the suite as of another day, set SOURCE_DATE_EPOCH.
os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(date(2026, 11, 24)))
TODAY = build_date()
# The demo site's stories are written for this day: its story of 2026-12-15 is still under embargo.
DEMO_TODAY = date(2026, 11, 24)

NEIGHBOURHOODS = [
    {
        "name": "Oude Haven",
        "slug": "oude-haven",
        "code": "BU19990101",
        "area": "Centrum",
        "aliases": ["Haven"],
    },
    {"name": "Marktkwartier", "slug": "marktkwartier", "code": "BU19990102", "area": "Centrum"},
    {"name": "Lindehoeve", "slug": "lindehoeve", "code": "BU19990201", "area": "Noord"},
    {"name": "Veldrand", "slug": "veldrand", "code": "BU19990202", "area": "Noord"},
]
THEMES = [
    {"name": "Samen leven", "slug": "samen-leven"},
    {"name": "Sport en bewegen", "slug": "sport-en-bewegen"},
    {"name": "Taal en meedoen", "slug": "taal-en-meedoen"},
]


def front_matter(**fields: Any) -> str:
    return yaml.safe_dump(fields, allow_unicode=True, sort_keys=False)


def story_text(body: str = "Een verhaal uit de buurt.", **overrides: Any) -> str:
    fields: dict[str, Any] = {
        "title": "Een verhaal",
        "date": "2025-05-01",
        "community": "De Buurtgroep",
        "neighbourhoods": ["Oude Haven"],
        "themes": ["Samen leven"],
        # With consent for photos: a story shows its photos only then.
        "consent": {"date": "2025-04-01", "reference": "T-1", "photos": True},
    }
    for key, value in overrides.items():
        if value is None:
            fields.pop(key, None)
        else:
            fields[key] = value
    return f"---\n{front_matter(**fields)}---\n\n{textwrap.dedent(body).strip()}\n"


# A story's front matter as exact text, for tests that name lines: line 1 of a story file is the
# opening '---', so the keys below start on line 2.
FRONT = """\
title: Een verhaal
date: 2025-05-01
community: De Buurtgroep
neighbourhoods:
  - Oude Haven
themes:
  - Samen leven
consent:
  date: 2025-04-01
  reference: T-1
"""


def story_file(front: str = FRONT, body: str = "Een verhaal uit de buurt.") -> str:
    """A story file's exact text: ``front`` between '---' lines, a blank line, then ``body``."""
    return f"---\n{front}---\n\n{body}\n"


@dataclass
class Site:
    root: Path
    plugin_options: dict[str, Any] = field(default_factory=dict)
    extra_config: dict[str, Any] = field(default_factory=dict)

    @property
    def stories(self) -> Path:
        return self.root / "stories"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    def add_story(
        self, slug: str, body: str = "Een verhaal uit de buurt.", *, folder: bool = True, **fields: Any
    ) -> Path:
        """Write a story from front-matter fields (None removes a default field)."""
        return self.write_story(slug, story_text(body, **fields), folder=folder)

    def write_story(self, slug: str, text: str, *, folder: bool = True) -> Path:
        path = self.stories / slug / "index.md" if folder else self.stories / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def write_config(self) -> Path:
        config: dict[str, Any] = {
            "site_name": "Testgemeente",
            "site_url": "https://verhalen.example.org/",
            "docs_dir": "docs",
            "theme": {
                "name": "material",
                "custom_dir": str(THEME_OVERRIDES),
                "language": "nl",
                "font": False,
            },
            "plugins": [
                {"search": {"lang": "nl"}},
                {
                    "aanhetwoord": {
                        "neighbourhoods": "stories/_registers/buurten.yml",
                        "themes": "stories/_registers/themas.yml",
                        **self.plugin_options,
                    }
                },
            ],
        }
        config.update(self.extra_config)
        path = self.root / "mkdocs.yml"
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    def build(
        self, *, strict: bool = False, engine: str = "mkdocs", check: bool = True
    ) -> subprocess.CompletedProcess:
        """Run a real build in a subprocess, as a user would."""
        self.write_config()
        command = [engine_executable(engine), "build", "-f", str(self.root / "mkdocs.yml")]
        if strict:
            command.append("--strict")
        result = subprocess.run(
            command,
            cwd=self.root,
            capture_output=True,
            text=True,
            env=quiet_env(),
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"build failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def cli(
        self, *args: str, config: bool = True, cwd: Path | None = None, **options: Any
    ) -> subprocess.CompletedProcess:
        """Run ``aanhetwoord`` with ``args`` in the site's folder (or ``cwd``), as a user would;
        first write the site's mkdocs.yml unless ``config`` is False. ``options`` go to ``run_cli``."""
        if config:
            self.write_config()
        return run_cli(cwd or self.root, *args, **options)

    def page(self, url: str) -> str:
        return (self.site_dir / url / "index.html").read_text(encoding="utf-8")


def demo_theme(**overrides: Any) -> dict[str, Any]:
    """The demo site's theme settings (colour schemes, features) with the theme overrides, for
    ``Site.extra_config["theme"]``."""
    theme = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["theme"]
    return {**theme, "custom_dir": str(THEME_OVERRIDES), **overrides}


def engine_executable(engine: str) -> str:
    local = Path(sys.executable).parent / engine
    return str(local) if local.exists() else (shutil.which(engine) or engine)


# What ``aanhetwoord serve`` (MkDocs) and ``aanhetwoord intake`` print once they listen.
LISTENING = re.compile(r"(?:Serving on|staat op) http://\S+?:([0-9]+)/")
ADDRESS_IN_USE = "Address already in use"


def unused_port() -> int:
    """A port on 127.0.0.1 that nothing listens on at this moment. Any program may take it before
    a server binds it: only for servers that cannot listen on port 0, and only with a retry
    (``running_server`` with a command that takes the port does that)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A server started by ``running_server``: its process, its address and what it printed."""

    process: subprocess.Popen
    base: str  # http://127.0.0.1:PORT/
    lines: list[str]
    reader: threading.Thread

    def output(self) -> str:
        return "".join(list(self.lines))

    def stop(self, timeout: float = 30) -> str:
        """Stop the server (if it still runs) and return everything it printed."""
        stop_process(self.process, timeout)
        self.reader.join(timeout=timeout)
        return self.output()


def stop_process(process: subprocess.Popen, timeout: float = 30) -> None:
    """Ask ``process`` to stop (if it still runs); kill it if it has not within ``timeout`` seconds."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def _spawn(command: list[str], cwd: Path) -> tuple[subprocess.Popen, list[str], threading.Thread]:
    process = subprocess.Popen(
        command, cwd=cwd, env=quiet_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: list[str] = []

    def read() -> None:
        # All the time, so a talkative server never blocks on a full pipe.
        for line in process.stdout or ():
            lines.append(line)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return process, lines, reader


@contextmanager
def running_server(
    command: list[str] | Callable[[int], list[str]], cwd: Path, ready_path: str = "", seconds: float = 90
) -> Iterator[Server]:
    """Start a server on 127.0.0.1 and wait until ``ready_path`` (under its address) answers 200;
    afterwards stop it (unless the test already did) and print what it wrote, for the report.

    ``command`` is either a command that listens on port 0 and prints the address it got (see
    ``LISTENING``), or, for a server that cannot do that, a function from a port to the command:
    when another program takes that port first, the server is started again on another.
    """
    deadline = time.monotonic() + seconds
    server: Server | None = None
    try:
        for _attempt in range(5):
            port = unused_port() if callable(command) else None
            argv = command(port) if callable(command) else command
            server = Server(*_started(argv, cwd, ready_path, port, deadline))
            if server.base:
                break
        else:
            raise AssertionError(f"{' '.join(argv)} found no free port:\n{server.output()}")
        yield server
    finally:
        if server is not None and server.process.poll() is None:
            print(server.stop())


def _started(
    command: list[str], cwd: Path, ready_path: str, port: int | None, deadline: float
) -> tuple[subprocess.Popen, str, list[str], threading.Thread]:
    """The started server, with its address; no address when its port was taken meanwhile."""
    process, lines, reader = _spawn(command, cwd)
    base = f"http://127.0.0.1:{port}/" if port else ""
    while True:
        if not base and (match := LISTENING.search("".join(list(lines)))):
            base = f"http://127.0.0.1:{match.group(1)}/"
        if base and process.poll() is None:
            try:
                with urllib.request.urlopen(base + ready_path, timeout=5) as response:
                    if response.status == 200 and process.poll() is None:
                        return process, base, lines, reader
            except OSError:
                pass
        if process.poll() is not None:
            reader.join(timeout=30)
            output = "".join(lines)
            if port and ADDRESS_IN_USE in output:
                return process, "", lines, reader
            raise AssertionError(f"{' '.join(command)} stopped ({process.returncode}):\n{output}")
        if time.monotonic() > deadline:
            process.kill()
            reader.join(timeout=30)
            raise AssertionError(f"{' '.join(command)} did not start:\n{''.join(lines)}")
        time.sleep(0.2)


def quiet_env(today: date | None = None) -> dict[str, str]:
    """This process's environment for a build or a server; ``today`` pins the day it runs as of."""
    env = dict(os.environ)
    env["NO_MKDOCS_2_WARNING"] = "1"
    env.setdefault("PYTHONUTF8", "1")
    if today is not None:
        env["SOURCE_DATE_EPOCH"] = source_date_epoch(today)
    return env


# ``aanhetwoord`` as this Python runs it, whether or not the package's script is on PATH.
CLI = [sys.executable, "-m", "aanhetwoord.commands.cli"]


def run_cli(
    folder: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    today: date | None = None,
    input: str | bytes | None = None,
    text: bool = True,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run ``aanhetwoord`` with ``args`` in ``folder`` and capture what it prints.

    It runs with ``quiet_env(today)`` (the tests' day unless ``today`` is given), with ``env``'s
    variables added or replaced. Standard input is ``input``, or empty: no command waits for a
    keyboard. ``text=False`` gives the output as bytes.
    """
    return subprocess.run(
        [*CLI, *args],
        cwd=folder,
        env={**quiet_env(today), **(env or {})},
        input=input,
        stdin=subprocess.DEVNULL if input is None else None,
        capture_output=True,
        text=text,
        timeout=timeout,
    )


def make_site(root: Path, neighbourhoods: list[dict] | None = None, themes: list[dict] | None = None) -> Site:
    registers = root / "stories" / "_registers"
    registers.mkdir(parents=True, exist_ok=True)
    (registers / "buurten.yml").write_text(
        yaml.safe_dump(neighbourhoods or NEIGHBOURHOODS, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    (registers / "themas.yml").write_text(
        yaml.safe_dump(themes or THEMES, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    docs = root / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "index.md").write_text("# Welkom\n\n<!-- aanhetwoord:home -->\n", encoding="utf-8")
    (docs / "deel-je-verhaal.md").write_text("# Deel je verhaal\n\nZo werkt het.\n", encoding="utf-8")
    return Site(root)


def build_demo(site_dir: Path, engine: str = "mkdocs") -> subprocess.CompletedProcess:
    """Build the repository's demo site strictly into ``site_dir``, as of ``DEMO_TODAY``."""
    return subprocess.run(
        [engine_executable(engine), "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "-d", str(site_dir)],
        cwd=ROOT,
        env=quiet_env(DEMO_TODAY),
        capture_output=True,
        text=True,
        timeout=600,
    )


def demo_settings() -> Settings:
    """The demo site's settings, as of ``DEMO_TODAY``."""
    return replace(load_settings(ROOT / "mkdocs.yml"), today=DEMO_TODAY)
