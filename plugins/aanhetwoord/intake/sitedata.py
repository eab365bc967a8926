"""The site as the form needs it: its settings, registers and photo limits, read from the repository.

Staff change registers while the service runs; the files are read again when one of them
changed, so a new neighbourhood appears on the form without a restart.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from .. import pipeline
from ..config_file import ConfigError, load_settings
from ..settings import Settings
from ..validate import Registers

log = logging.getLogger("aanhetwoord.intake")


@dataclass(frozen=True)
class Site:
    settings: Settings
    registers: Registers


class SiteData:
    def __init__(self, config_file: Path) -> None:
        self.config_file = config_file
        self._lock = threading.Lock()
        self._stamp: tuple[float, ...] | None = None
        self._site: Site | None = None

    def current(self) -> Site:
        with self._lock:
            stamp = self._stamps(self._site)
            if self._site is None or stamp != self._stamp:
                try:
                    self._site = self._load()
                except ConfigError as error:
                    if self._site is None:
                        raise  # at the start: the service does not start with a wrong option
                    # Changed while the form runs: it keeps the settings it had until it is fixed.
                    log.error("%s", error)
                    self._stamp = stamp
                    return self._site
                self._stamp = self._stamps(self._site)
            return self._site

    def _load(self) -> Site:
        settings = load_settings(self.config_file)
        registers, problems = pipeline.load_registers(settings)
        for problem in problems:
            log.warning("register: %s", problem.format())
        return Site(settings, registers)

    def _stamps(self, site: Site | None) -> tuple[float, ...]:
        files = [self.config_file]
        if site is not None:
            files += [path for path in (site.settings.neighbourhoods_file, site.settings.themes_file) if path]
        return tuple(_mtime(path) for path in files)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return -1.0
