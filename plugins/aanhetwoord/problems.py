"""Problems found in stories and registers, and how they are printed.

Every part of the pipeline reports problems in the same shape, so the plugin, the CLI,
the pull-request check and the web form can all show them where a person will look.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path

from .model import Severity


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    field: str
    message: str
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def is_warning(self) -> bool:
        return self.severity is Severity.WARNING

    def format(self) -> str:
        """``path:line: field: message`` — the format editors and CI understand.

        Paths, fields and messages quote stories, so control characters are shown escaped: a
        story cannot colour a terminal or start a new line that looks like a CI command."""
        label = {Severity.ERROR: "", Severity.WARNING: "waarschuwing: ", Severity.INFO: "opmerking: "}
        field = f"{visible(self.field)}: " if self.field else ""
        return f"{visible(self.path)}:{self.line}: {field}{label[self.severity]}{visible(self.message)}"


# Characters that steer a terminal or a log instead of being shown: C0 and C1 controls (ESC,
# CR, LF, …), DEL, line and paragraph separators, and the bidirectional controls that can make
# text read differently from how it is stored.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROLS = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(char: str) -> str:
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(value: str, *, keep: str = "", drop: str = "") -> str:
    """``value`` on one line, with every control character written as an escape (``\\x1b``, ``\\n``).

    Characters in ``keep`` stay as they are (for a format that escapes them its own way), those
    in ``drop`` are left out."""

    def replace(match: re.Match[str]) -> str:
        char = match.group()
        if char in keep:
            return char
        return "" if char in drop else _escaped(char)

    return _CONTROLS.sub(replace, value)


def display_path(path: Path, root: Path | None) -> str:
    """A path as people see it in their repository: relative to the site root when possible."""
    if root is not None:
        try:
            return path.resolve().relative_to(_resolved(root)).as_posix()
        except ValueError:
            pass
    return path.as_posix()


_RESOLVED: dict[Path, tuple[float, Path]] = {}


def _resolved(root: Path) -> Path:
    """``root`` resolved, at most once a second: a build asks for it once per story."""
    now = time.monotonic()
    known = _RESOLVED.get(root)
    if known is not None and now - known[0] < 1.0:
        return known[1]
    resolved = root.resolve()
    _RESOLVED[root] = (now, resolved)
    return resolved
