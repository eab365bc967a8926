"""Load: find story files and read their front matter, keeping line numbers for messages.

Front matter is untrusted YAML. It is parsed with PyYAML's safe parser, and only plain values
come out: dicts with text keys, lists, text, whole numbers, true/false and null. Dates stay text
(so an impossible date is one message, not a crash), also when tagged ``!!timestamp``; other
numbers stay as written. Anchors and
aliases, other tags (``!!binary``, ``!!set``, ``!!python/…``) and nesting deeper than any story
needs are refused before anything is built, which rules out "billion laughs" documents and
unbounded recursion. Characters no web page or feed can carry are dropped with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import frontmatter
import yaml

from .model import Severity
from .problems import Problem
from .text import UNFIT_CHARACTERS, shorten, without_unfit

STORY_FILE = "index.md"
# Front matter needs three levels (updates → an update → its date); more is a mistake or an attack.
MAX_DEPTH = 10
# No field is a number: a longer one is kept as the text it was written as.
NUMBER_CHARS = 30


# libyaml's parser when PyYAML has it: the same safe loading, many times faster.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_YAML_TAG = "tag:yaml.org,2002:"
_TIMESTAMP = _YAML_TAG + "timestamp"
_BOOL = _YAML_TAG + "bool"
_STR = _YAML_TAG + "str"
_INT = _YAML_TAG + "int"
_FLOAT = _YAML_TAG + "float"
_NULL = _YAML_TAG + "null"
# Tags a story may carry; '!' is YAML's "no particular type". An explicit !!timestamp is read as text.
_SCALAR_TAGS = frozenset({_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP, "!"})
_COLLECTION_TAGS = frozenset({_YAML_TAG + "seq", _YAML_TAG + "map", "!"})
_SCALARS = yaml.constructor.SafeConstructor()
# A whole number that reads back as written; '0123', '1_000', '10:30' or '0x1F' stay text.
_WHOLE_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)")


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
    clean = without_unfit(text)
    if clean != text:
        found = UNFIT_CHARACTERS.search(text)
        line = text[: found.start()].count("\n") + 1 if found else 1
        source.problems.append(_unfit_warning(source, line, "", text))
        text = clean
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
    if not _plain_events(source, raw, first_line):
        return None
    loader = _FrontMatterLoader(raw)
    try:
        node = loader.get_single_node()
    except yaml.YAMLError as error:
        _yaml_problem(source, error, first_line, raw)
        return None
    finally:
        loader.dispose()
    if node is None:
        return {}
    try:
        return _Builder(source, first_line).value(node, "")
    except _Refused as refused:
        source.problems.append(_problem(source, refused.line, "", refused.message))
        return None


def _plain_events(source: StorySource, raw: str, first_line: int) -> bool:
    """Read the YAML as a stream of events, before any value is built from it: anchors and
    aliases, tags other than YAML's plain types, and nesting deeper than :data:`MAX_DEPTH` are
    refused here, so nothing later can blow up or recurse without end."""
    depth = 0
    try:
        for event in yaml.parse(raw, Loader=_FrontMatterLoader):
            line = first_line + event.start_mark.line
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                message = "YAML-ankers en -verwijzingen (& en *) zijn niet toegestaan"
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                continue
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                message = _tag_problem(event.tag, _COLLECTION_TAGS)
                if not message and depth > MAX_DEPTH:
                    message = (
                        f"de gegevens zitten te diep in elkaar (meer dan {MAX_DEPTH} niveaus);"
                        " zie het voorbeeld in de handleiding"
                    )
            elif isinstance(event, yaml.ScalarEvent):
                message = _tag_problem(event.tag, _SCALAR_TAGS)
            else:
                continue
            if message:
                source.problems.append(_problem(source, line, "", message))
                return False
    except yaml.YAMLError as error:
        _yaml_problem(source, error, first_line, raw)
        return False
    return True


def _tag_problem(tag: str | None, allowed: frozenset[str]) -> str:
    if tag is None or tag in allowed:
        return ""
    shown = shorten("!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag, 40)
    return (
        f"het YAML-label '{shown}' is niet toegestaan; schrijf de waarde zonder label"
        " (tekst, een datum als JJJJ-MM-DD, true of false, of een lijst)"
    )


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


class _Builder:
    """Plain Python values from YAML nodes: dicts with text keys, lists, text, whole numbers,
    true/false and null, nothing else. Records the line of every
    field for messages, and warns about repeated fields and characters no page can show."""

    def __init__(self, source: StorySource, first_line: int) -> None:
        self.source = source
        self.first_line = first_line

    def line(self, node: yaml.Node) -> int:
        return self.first_line + node.start_mark.line

    def value(self, node: yaml.Node, path: str) -> Any:
        lines = self.source.lines
        if isinstance(node, yaml.MappingNode):
            mapping: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    message = (
                        "fout in de YAML-opmaak: de naam van een veld moet gewone tekst zijn,"
                        " geen lijst of groep"
                    )
                    raise _Refused(self.line(key_node), message)
                key = self.text(key_node, path)
                key_path = f"{path}.{key}" if path else key
                line = self.line(key_node)
                if key_path in lines:
                    self.source.problems.append(
                        Problem(
                            self.source.display_path,
                            line,
                            field_label(key_path),
                            f"staat ook al op regel {lines[key_path]}; alleen deze telt",
                            Severity.WARNING,
                        )
                    )
                lines[key_path] = line
                mapping[key] = self.value(value_node, key_path)
            return mapping
        if isinstance(node, yaml.SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                item_path = f"{path}.{index}"
                lines[item_path] = self.line(item)
                items.append(self.value(item, item_path))
            return items
        return self.scalar(node, path)

    def scalar(self, node: yaml.Node, path: str) -> Any:
        """No field is a number, so numbers stay as written, except whole numbers in their usual
        form. That also keeps int() from numbers of thousands of digits (it refuses over 4300)."""
        tag, value = node.tag, node.value
        if tag == _NULL:
            return None
        if tag == _INT and len(value) <= NUMBER_CHARS and _WHOLE_NUMBER.fullmatch(value):
            return int(value)
        if tag == _BOOL and value.lower() in _SCALARS.bool_values:
            return _SCALARS.bool_values[value.lower()]
        return self.text(node, path)

    def text(self, node: yaml.Node, path: str) -> str:
        value = str(node.value)
        clean = without_unfit(value)
        if clean != value:
            self.source.problems.append(_unfit_warning(self.source, self.line(node), path, value))
        return clean


def _unfit_warning(source: StorySource, line: int, path: str, text: str) -> Problem:
    found = UNFIT_CHARACTERS.search(text)
    example = f" (zoals U+{ord(found.group()):04X})" if found else ""
    return Problem(
        source.display_path,
        line,
        field_label(path),
        f"bevat onzichtbare stuurtekens{example} die niet op een webpagina passen; die zijn weggelaten",
        Severity.WARNING,
    )


def _yaml_problem(source: StorySource, error: yaml.YAMLError, first_line: int, raw: str) -> None:
    mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    if context_mark is not None and str(getattr(error, "context", "")).startswith(
        ("while scanning a quoted scalar", "while scanning a simple key", "while parsing a flow")
    ):
        mark = context_mark
    line = first_line + mark.line if mark is not None else first_line
    detail = str(getattr(error, "problem", None) or str(error).splitlines()[0])
    quoted = _quote_before(raw, mark) if mark is not None else None
    if quoted is not None and quoted.start_mark.line < quoted.end_mark.line:
        # The quote ran on over the lines below until another quote closed it; the parser only
        # stumbles there. The mistake is where the quote opens.
        line = first_line + quoted.start_mark.line
        explanation = (
            "een aanhalingsteken wordt niet afgesloten op deze regel (de tekst loopt door tot"
            f" regel {first_line + quoted.end_mark.line}). Zet aan het eind van de tekst ook een"
            f" aanhalingsteken ({detail})"
        )
    elif quoted is not None:
        explanation = (
            "na de tekst tussen aanhalingstekens staat nog meer tekst. Zet de hele tekst tussen"
            f" aanhalingstekens, of laat de aanhalingstekens weg ({detail})"
        )
    elif _tab_at(raw, mark):
        explanation = f"een tab: gebruik spaties om in te springen ({detail})"
    else:
        explanation = _explain(error, detail)
    source.problems.append(_problem(source, line, "", f"fout in de YAML-opmaak: {explanation}"))


def _quote_before(raw: str, mark: Any) -> Any:
    """The quoted text that ends on the line where the parser stumbled, before the place it did,
    if there is one: then the quotes are the mistake."""
    found = None
    try:
        for token in yaml.scan(raw, Loader=_FrontMatterLoader):
            if token.start_mark.index >= mark.index:
                break
            if isinstance(token, yaml.ScalarToken) and token.style in ("'", '"'):
                found = token
    except yaml.YAMLError:
        pass
    if found is None or found.end_mark.line != mark.line or found.end_mark.index > mark.index:
        return None
    return found


def _tab_at(raw: str, mark: Any) -> bool:
    """libyaml does not name the tab it cannot read."""
    return mark is not None and 0 <= mark.index < len(raw) and raw[mark.index] == "\t"


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
    if "escape" in detail:
        return f"een '\\' met een code die niet bestaat, in tekst tussen aanhalingstekens ({detail})"
    if "nesting depth" in detail:
        return f"de gegevens zitten te diep in elkaar ({detail})"
    if "quoted scalar" in context:
        return f"een aanhalingsteken wordt niet afgesloten ({detail})"
    for needle, explanation in _EXPLANATIONS:
        if needle in detail:
            return f"{explanation} ({detail})"
    return f"de opmaak klopt niet ({detail})"


def field_label(field_path: str) -> str:
    """``themes.1`` → ``themes[1]``: the way people read a list position."""
    parts = field_path.split(".") if field_path else []
    label = ""
    for part in parts:
        label += f"[{part}]" if part.isdigit() else (f".{part}" if label else part)
    return label


def _problem(source: StorySource, line: int, field_name: str, message: str) -> Problem:
    return Problem(source.display_path, line, field_name, message)


def compose_front_matter(raw: str) -> yaml.Node | None:
    """The YAML node tree of front matter, read by the same loader as stories, with the marks
    (start and end of every key and value) that let a field be changed in place."""
    loader = _FrontMatterLoader(raw)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def load_yaml_file(path: Path) -> Any:
    """Read a staff-owned YAML file (a register) with the same safe loader."""
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_FrontMatterLoader)  # noqa: S506 - a SafeLoader subclass
