"""Problems found in stories and registers, and how they are printed.

Every part of the pipeline reports problems in the same shape, so the plugin, the CLI,
the pull-request check and the web form can all show them where a person will look.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


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

    def format(self) -> str:
        """``path:line: field: message`` — the format editors and CI understand."""
        label = "" if self.is_error else "waarschuwing: "
        field = f"{self.field}: " if self.field else ""
        return f"{self.path}:{self.line}: {field}{label}{self.message}"


def display_path(path: Path, root: Path | None) -> str:
    """A path as people see it in their repository: relative to the site root when possible."""
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()
