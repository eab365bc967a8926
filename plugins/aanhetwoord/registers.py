"""Registers: the staff-owned lists of neighbourhoods and themes, and matching against them.

A story may name an entry by its name, slug or an alias, in any case, with or without
accents and with any spacing; all of those resolve to the same entry.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .load import load_yaml_file
from .model import RegisterEntry, TermKind
from .problems import Problem
from .text import is_valid_slug, match_key, slugify


@dataclass
class Register:
    kind: TermKind  # neighbourhoods or themes
    entries: list[RegisterEntry] = field(default_factory=list)
    _by_key: dict[str, RegisterEntry] = field(default_factory=dict, repr=False)

    def add(self, entry: RegisterEntry) -> list[str]:
        """Add an entry; returns the names that already belonged to another entry."""
        self.entries.append(entry)
        clashes = []
        for name in (entry.name, entry.slug, *entry.aliases):
            key = match_key(name)
            if key in self._by_key and self._by_key[key] is not entry:
                clashes.append(name)
            else:
                self._by_key[key] = entry
        return clashes

    def find(self, name: str) -> RegisterEntry | None:
        return self._by_key.get(match_key(name))

    def by_slug(self, slug: str) -> RegisterEntry | None:
        return next((entry for entry in self.entries if entry.slug == slug), None)

    def suggest(self, name: str) -> str | None:
        """The entry name closest to a misspelt one, for a "did you mean" hint."""
        keys = difflib.get_close_matches(match_key(name), list(self._by_key), n=1, cutoff=0.6)
        return self._by_key[keys[0]].name if keys else None


def load_register(kind: TermKind, path: Path | None, display_path: str) -> tuple[Register, list[Problem]]:
    """Read a register file. Broken entries are reported and left out; the rest still count."""
    register = Register(kind)
    if path is None:
        return register, []
    problems: list[Problem] = []

    def problem(line: int, field_name: str, message: str) -> None:
        problems.append(Problem(display_path, line, field_name, message))

    try:
        data = load_yaml_file(path)
    except FileNotFoundError:
        problem(1, "", "het registerbestand bestaat niet")
        return register, problems
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        problem(
            mark.line + 1 if mark else 1, "", f"fout in de YAML-opmaak: {getattr(error, 'problem', error)}"
        )
        return register, problems
    if data is None:
        return register, problems
    if not isinstance(data, list):
        problem(1, "", "een register is een lijst van items die elk met '- name: …' beginnen")
        return register, problems

    lines = _item_lines(path)
    for index, item in enumerate(data):
        line = lines[index] if index < len(lines) else 1
        entry = _entry(item, kind, lambda f, m, line=line: problem(line, f, m))
        if entry is None:
            continue
        if register.by_slug(entry.slug):
            problem(line, "slug", f"'{entry.slug}' staat al eerder in dit register")
            continue
        for name in register.add(entry):
            problem(line, "aliases", f"'{name}' hoort al bij een ander item in dit register")
    return register, problems


def _entry(item: Any, kind: TermKind, problem: Any) -> RegisterEntry | None:
    if not isinstance(item, dict):
        problem("", "elk item heeft velden, zoals 'name: …'")
        return None
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        problem("name", "een naam is verplicht")
        return None
    slug = str(item.get("slug") or slugify(name))
    if not is_valid_slug(slug):
        problem("slug", f"'{slug}' is geen geldige slug (alleen a-z, 0-9 en '-')")
        return None
    aliases = item.get("aliases") or []
    if isinstance(aliases, str):
        aliases = [aliases]
    geometry = item.get("geometry") if kind == TermKind.NEIGHBOURHOODS else None
    if geometry is not None and not (isinstance(geometry, dict) and "type" in geometry):
        problem("geometry", "een geometrie is een GeoJSON-object met 'type' en 'coordinates'")
        geometry = None
    return RegisterEntry(
        slug=slug,
        name=name.strip(),
        aliases=tuple(str(alias) for alias in aliases),
        description=str(item.get("description") or ""),
        code=str(item.get("code") or ""),
        area=str(item.get("area") or ""),
        geometry=geometry,
    )


def _item_lines(path: Path) -> list[int]:
    """Line numbers of the top-level list items, for messages."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.SequenceNode):
        return []
    return [item.start_mark.line + 1 for item in node.value]
