"""Load: find story files and read their front matter, keeping line numbers for messages.

Front matter is untrusted YAML. It is parsed with PyYAML's safe loader, dates stay text
(so an impossible date is one message, not a crash), and anchors and aliases are refused
before anything is built from them, which rules out "billion laughs" documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from .problems import Problem

STORY_FILE = "index.md"


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps: dates are checked by the validator."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class StorySource:
    """A story file as read from disk, before validation."""

    slug: str
    path: Path
    display_path: str
    data: dict[str, Any] = field(default_factory=dict)
    # Dotted field path ("consent.date", "themes.1") → line number in the file.
    lines: dict[str, int] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    problems: list[Problem] = field(default_factory=list)

    def line_of(self, field_path: str) -> int:
        """The line of a field, else of its nearest parent, else the first line."""
        while field_path:
            if field_path in self.lines:
                return self.lines[field_path]
            field_path = field_path.rpartition(".")[0]
        return 1


def is_story_name(name: str) -> bool:
    """Names starting with ``_`` or ``.`` hold templates and registers, not stories."""
    return not name.startswith(("_", "."))


def discover(stories_dir: Path) -> Iterator[tuple[str, Path]]:
    """Every story in the folder as (slug, path): ``<slug>/index.md`` or ``<slug>.md``."""
    if not stories_dir.is_dir():
        return
    for entry in sorted(stories_dir.iterdir()):
        if not is_story_name(entry.name):
            continue
        if entry.is_dir():
            if (entry / STORY_FILE).is_file():
                yield entry.name, entry / STORY_FILE
        elif entry.suffix == ".md" and entry.is_file():
            yield entry.stem, entry


def story_path(path: Path) -> tuple[str, Path]:
    """Slug and file for a path given on the command line (a folder or a file)."""
    if path.is_dir():
        return path.name, path / STORY_FILE
    if path.name == STORY_FILE:
        return path.parent.name, path
    return path.stem, path


def read_story(slug: str, path: Path, display_path: str, max_front_matter: int) -> StorySource:
    source = StorySource(slug=slug, path=path, display_path=display_path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        source.problems.append(_problem(source, 1, "", "het bestand is geen UTF-8-tekst"))
        return source
    except OSError as error:
        source.problems.append(_problem(source, 1, "", f"kan het bestand niet lezen ({error.strerror})"))
        return source
    parse_story_text(source, text, max_front_matter)
    return source


def parse_story_text(source: StorySource, text: str, max_front_matter: int) -> None:
    """Fill ``source`` from the text of a story file."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    handler = frontmatter.YAMLHandler()
    if not handler.detect(text):
        source.problems.append(
            _problem(source, 1, "", "het verhaal begint niet met gegevens tussen twee regels '---'")
        )
        return
    try:
        raw, body = handler.split(text)
    except ValueError:
        source.problems.append(_problem(source, 1, "", "de gegevens bovenaan worden niet afgesloten met '---'"))
        return
    # The front matter starts where the opening '---' ends; the boundary may take blank lines with it.
    opening = handler.FM_BOUNDARY.match(text)
    first_line = text[: opening.end()].count("\n") + 1 if opening else 1
    source.body = body
    source.body_line = text[: len(text) - len(body)].count("\n") + 1
    if len(raw.encode("utf-8")) > max_front_matter:
        source.problems.append(
            _problem(source, 1, "", f"de gegevens bovenaan zijn groter dan {max_front_matter // 1024} KB")
        )
        return
    data = _parse_yaml(source, raw, first_line=first_line)
    if data is None:
        return
    if not isinstance(data, dict):
        source.problems.append(_problem(source, 2, "", "de gegevens bovenaan moeten velden zijn, zoals 'title: …'"))
        return
    source.data = data


def _parse_yaml(source: StorySource, raw: str, first_line: int) -> Any:
    try:
        for event in yaml.parse(raw, Loader=_FrontMatterLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = first_line + event.start_mark.line
                source.problems.append(
                    _problem(source, line, "", "YAML-ankers en -verwijzingen (& en *) zijn niet toegestaan")
                )
                return None
    except yaml.YAMLError as error:
        _yaml_problem(source, error, first_line)
        return None

    loader = _FrontMatterLoader(raw)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}
        data = loader.construct_document(node)
    except yaml.YAMLError as error:
        _yaml_problem(source, error, first_line)
        return None
    finally:
        loader.dispose()
    _record_lines(node, "", source.lines, first_line)
    return data


def _record_lines(node: yaml.Node, prefix: str, lines: dict[str, int], first_line: int) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            path = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            lines[path] = first_line + key_node.start_mark.line
            _record_lines(value_node, path, lines, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}.{index}"
            lines[path] = first_line + item.start_mark.line
            _record_lines(item, path, lines, first_line)


def _yaml_problem(source: StorySource, error: yaml.YAMLError, first_line: int) -> None:
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    if context_mark is not None and str(getattr(error, "context", "")).startswith(
        ("while scanning a", "while parsing a flow")
    ):
        # An unclosed quote or bracket, or a line without ':', is noticed lines later: point at where it began.
        mark = context_mark
    line = first_line + mark.line if mark is not None else first_line
    detail = getattr(error, "problem", None) or str(error).splitlines()[0]
    source.problems.append(_problem(source, line, "", f"fout in de YAML-opmaak: {detail}"))


def _problem(source: StorySource, line: int, field_name: str, message: str) -> Problem:
    return Problem(source.display_path, line, field_name, message)


def load_yaml_file(path: Path) -> Any:
    """Read a staff-owned YAML file (a register) with the same safe loader."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
