"""``aanhetwoord serve`` notices saves from the system's file events (inotify on Linux);
``--polling`` makes it look at the files itself, for network drives where no events come."""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sitefactory import Site, running_server

pytestmark = pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="reads Linux's /proc")


def inotify_watches(pid: int) -> int:
    """How many inotify watches the process holds (each watched folder is one)."""
    watches = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) != "anon_inode:inotify":
                continue
            info = (Path(f"/proc/{pid}/fdinfo") / fd.name).read_text()
        except OSError:  # closed meanwhile
            continue
        watches += sum(line.startswith("inotify wd:") for line in info.splitlines())
    return watches


def serve(site: Site, *extra: str):
    site.add_story("verhaal", title="Eerste titel")
    config = site.write_config()
    command = [
        sys.executable,
        "-m",
        "aanhetwoord.commands.cli",
        "-f",
        str(config),
        "serve",
        "-a",
        "127.0.0.1:0",
    ]
    return running_server([*command, *extra], site.root, "verhalen/verhaal/")


def save_and_wait(site: Site, base: str) -> None:
    story = site.stories / "verhaal" / "index.md"
    story.write_text(story.read_text().replace("title: Eerste titel", "title: Nieuwe titel"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with urllib.request.urlopen(base + "verhalen/verhaal/", timeout=5) as response:
            if "Nieuwe titel" in response.read().decode():
                return
        time.sleep(0.2)
    raise AssertionError("the saved title did not show")


def test_serve_listens_for_file_events(site: Site):
    with serve(site) as server:
        save_and_wait(site, server.base)
        # The stories folder and more are watched through inotify.
        assert inotify_watches(server.process.pid) > 0


def test_serve_with_polling_looks_at_the_files_itself_and_still_shows_a_save(site: Site):
    with serve(site, "--polling") as server:
        save_and_wait(site, server.base)
        assert inotify_watches(server.process.pid) == 0
