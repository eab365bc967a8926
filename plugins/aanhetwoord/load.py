"""Load: find story files and read their front matter, keeping line numbers for messages.

Front matter is untrusted YAML. It is parsed with PyYAML's safe loader, dates stay text
(so an impossible date is one message, not a crash), and anchors and aliases are refused
before anything is built from them, which rules out "billion laughs" documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from .problems import Problem, Severity

STORY_FILE = "index.md"


# libyaml's parser when PyYAML has it: the same safe loading, many times faster.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"


class _FrontMatterLoader(_SafeBase):  # type: ignore[misc, valid-type]
    """Safe YAML as residents expect it: dates stay text for the validator to check, and only
    ``true``/``false`` are booleans (so a title "No" or "Yes" stays a title)."""


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_TIMESTAMP, _BOOL)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_FrontMatterLoader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


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


def story_paths(path: Path) -> list[tuple[str, Path]]:
    """The stories a path on the command line names: one story (folder or file) or a folder of them."""
    if path.is_dir():
        if (path / STORY_FILE).is_file() or not any(discover(path)):
            return [(path.name, path / STORY_FILE)]
        return list(discover(path))
    if path.name == STORY_FILE:
        return [(path.parent.name, path)]
    return [(path.stem, path)]


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
        source.problems.append(
            _problem(source, 1, "", "de gegevens bovenaan worden niet afgesloten met '---'")
        )
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
        source.problems.append(
            _problem(source, 2, "", "de gegevens bovenaan moeten velden zijn, zoals 'title: …'")
        )
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
    _record_lines(source, node, "", first_line)
    return data


def _record_lines(source: StorySource, node: yaml.Node, prefix: str, first_line: int) -> None:
    lines = source.lines
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue
            path = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
            line = first_line + key_node.start_mark.line
            if path in lines:
                source.problems.append(
                    Problem(
                        source.display_path,
                        line,
                        path,
                        f"staat ook al op regel {lines[path]}; alleen deze telt",
                        Severity.WARNING,
                    )
                )
            lines[path] = line
            _record_lines(source, value_node, path, first_line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            path = f"{prefix}.{index}"
            lines[path] = first_line + item.start_mark.line
            _record_lines(source, item, path, first_line)


def _yaml_problem(source: StorySource, error: yaml.YAMLError, first_line: int) -> None:
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    if context_mark is not None and str(getattr(error, "context", "")).startswith(
        ("while scanning a quoted scalar", "while scanning a simple key", "while parsing a flow")
    ):
        mark = context_mark
    line = first_line + mark.line if mark is not None else first_line
    detail = str(getattr(error, "problem", None) or str(error).splitlines()[0])
    source.problems.append(_problem(source, line, "", f"fout in de YAML-opmaak: {_explain(error, detail)}"))


# Plain Dutch for the YAML errors residents run into; the parser's own words follow in brackets.
_EXPLANATIONS = (
    (
        "mapping values are not allowed",
        "een dubbele punt waar die niet kan: zet de tekst tussen aanhalingstekens,"
        " of laat de regel niet inspringen",
    ),
    ("tab", "een tab: gebruik spaties om in te springen"),
    ("could not find expected ':'", "er ontbreekt een ':' achter de naam van een veld"),
    (
        "did not find expected key",
        "er ontbreekt een ':' achter de naam van een veld, of een regel springt verkeerd in",
    ),
    ("expected ',' or ']'", "een lijst die met '[' begint, wordt niet afgesloten met ']'"),
    ("expected ',' or '}'", "een groep die met '{' begint, wordt niet afgesloten met '}'"),
    ("unhashable", "de naam van een veld moet gewone tekst zijn"),
    ("'-'", "een lijst-item ('- …') op een plek waar een veld hoort"),
)


def _explain(error: yaml.YAMLError, detail: str) -> str:
    context = str(getattr(error, "context", "") or "")
    if "quoted scalar" in context:
        return f"een aanhalingsteken wordt niet afgesloten ({detail})"
    for needle, explanation in _EXPLANATIONS:
        if needle in detail:
            return f"{explanation} ({detail})"
    return f"de opmaak klopt niet ({detail})"


def _problem(source: StorySource, line: int, field_name: str, message: str) -> Problem:
    return Problem(source.display_path, line, field_name, message)


def load_yaml_file(path: Path) -> Any:
    """Read a staff-owned YAML file (a register) with the same safe loader."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
