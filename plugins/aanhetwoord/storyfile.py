"""Change a story file's front matter in place: only the lines of the field that changes.

Staff review every change to a story as a diff. Writing the whole front matter again with a
YAML library would change quotes, list style and dates on every line, so here a field is set by
replacing only its own lines: the key and its value, with a block list or block mapping under
it. A new field goes after the last one; removing a field removes only its lines. Everything
else stays byte for byte: comments, quoting, key order, a BOM, CRLF line endings and the story
text below the front matter.

Where a field starts and ends comes from the project's safe loader (:mod:`load`): the marks of
its YAML nodes. A new value is written by PyYAML's safe emitter the way a resident would write
it: plain where that is safe, quoted where YAML needs it, a short list as ``[a, b]``, and a
block list where the field had one. After every change the whole file is read again and must
give the old fields with exactly that one change and the same story text; otherwise nothing
changes and :class:`StoryFileError` says why in plain Dutch.

The module works on text and bytes, never on paths, so the same code changes a file on disk
(``aanhetwoord withdraw``), a blob in git (the intake's withdrawal) or a story edited in a form.
"""

from __future__ import annotations

import bisect
import copy
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .load import StorySource, compose_front_matter, field_label, parse_story_text
from .text import UNFIT_CHARACTERS, without_unfit

# One line of frontmatter's boundary (``^-{3,}\s*$``), which the loader splits on.
_BOUNDARY_LINE = re.compile(r"-{3,}\s*")
_BLANK_LINES = re.compile(r"(?:[ \t]*\r?\n)*")
# A line holding only a comment, indented.
_INDENTED_COMMENT = re.compile(r"[ \t]+#[^\r\n]*(?:\r?\n)?")
# A comment after a value on the same line, with the space before it.
_TRAILING_COMMENT = re.compile(r"[ \t]+#.*")
# A list on one line stays readable up to about this width; a longer one becomes a block list.
SHORT_LINE = 80
_NEVER_WRAP = sys.maxsize
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

FieldPath = str | Sequence[str]  # "status", or ("image", "alt") for a field inside another


class StoryFileError(ValueError):
    """The story file cannot be read or changed safely; the message says why in plain Dutch."""


class _Dumper(yaml.SafeDumper):
    """The safe emitter, writing dates as residents do (``2025-05-01``, not quoted): the story
    loader reads dates as text anyway. Words like ``yes`` and ``no`` stay quoted."""

    # Whether a block list under a field is indented ("  - a") follows the field's old list.
    indented_lists = True
    # Text over several lines as a block ("|"), unless that cannot be read back where it goes.
    text_blocks = True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, indentless and not self.indented_lists)


_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != _TIMESTAMP]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _text_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Text over several lines as a literal block ("|"); the emitter quotes it if it cannot be one.
    # Not with blank lines at its end: such a block ("|+") would take in blank lines after it.
    blocks = getattr(dumper, "text_blocks", True)
    block = blocks and "\n" in value and value.strip() and not value.endswith("\n\n")
    style = "|" if block else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text_representer)
_DUMPERS = {
    (lists, blocks): type("_Dumper", (_Dumper,), {"indented_lists": lists, "text_blocks": blocks})
    for lists in (False, True)
    for blocks in (False, True)
}


@dataclass(frozen=True)
class _Field:
    """One key of a block mapping and the lines it takes."""

    name: str
    key: yaml.Node
    value: yaml.Node
    start: int  # offset of its first line
    end: int  # offset just after its last line, line break included
    indent: str  # the spaces before the key
    tail: str  # a comment after the value on its last line, or ""
    single_line: bool


class StoryFile:
    """A story file's text, with its front matter read and ready to change field by field.

    ``content`` is the whole file (text, or bytes that must be UTF-8); ``max_front_matter`` the
    site's limit in bytes. Raises :class:`StoryFileError` when the front matter cannot be read.
    """

    def __init__(self, content: str | bytes, max_front_matter: int) -> None:
        if isinstance(content, bytes):
            try:
                content = content.decode("utf-8")
            except UnicodeDecodeError:
                raise StoryFileError("het bestand is geen UTF-8-tekst") from None
        self._max = max_front_matter
        self._text_blocks = True
        self._read(content)

    # Reading ---------------------------------------------------------------------------------

    @property
    def text(self) -> str:
        return self._text

    def encode(self) -> bytes:
        return self._text.encode("utf-8")

    @property
    def data(self) -> dict[str, Any]:
        """The front matter as the site reads it (a copy)."""
        return copy.deepcopy(self._data)

    @property
    def body(self) -> str:
        """The story text: everything after the closing ``---`` line and the blank lines under it."""
        return self._text[self._body_start() :]

    def get(self, field: FieldPath, default: Any = None) -> Any:
        value: Any = self._data
        for name in _path(field):
            if not isinstance(value, dict) or name not in value:
                return default
            value = value[name]
        return copy.deepcopy(value)

    def has(self, field: FieldPath) -> bool:
        missing = object()
        return self.get(field, missing) is not missing

    # Changing --------------------------------------------------------------------------------

    def set(self, field: FieldPath, value: Any) -> bool:
        """Give ``field`` this value; returns False when it had it already (nothing changes).

        Values are what a story holds: text, whole numbers, true/false, None, and lists and
        mappings of those. A field inside a mapping (``("image", "alt")``) is set in place when
        the mapping is a block; otherwise the field that holds it is written again.
        """
        path = _path(field)
        _check_value(value)
        if self.has(path) and _same(self.get(path), value):
            return False
        expected = self.data
        _put(expected, path, value)
        try:
            self._adopt(
                self._setting(self._root, (), path, value, self._starts[self._closing]), expected, path
            )
        except StoryFileError:
            if not _has_lines(value):
                raise
            # A block of text can take in an indented comment under it: write it quoted instead.
            self._text_blocks = False
            try:
                self._adopt(
                    self._setting(self._root, (), path, value, self._starts[self._closing]), expected, path
                )
            finally:
                self._text_blocks = True
        return True

    def remove(self, field: FieldPath) -> bool:
        """Take ``field`` out, with all its lines; returns False when it was not there."""
        path = _path(field)
        if not self.has(path):
            return False
        expected = self.data
        _drop(expected, path)
        try:
            self._adopt(self._removing(self._root, (), path), expected, path)
        except StoryFileError:
            # An indented comment under the field would fall into a block of text above it once
            # the field is gone: such a comment belongs to the field, and goes with it.
            self._adopt(self._removing(self._root, (), path, comments=True), expected, path)
        return True

    def set_body(self, body: str) -> None:
        """Replace the story text (:attr:`body`), with this file's line breaks; the blank lines
        between the front matter and the text stay."""
        body = body.replace("\r\n", "\n").replace("\n", self._newline)
        start = self._body_start()
        head = self._text[:start]
        if body and start == len(self._text):  # no text yet: it goes under a blank line
            if not head.endswith("\n"):
                head += self._newline
            if start == self._line_end(self._closing):
                head += self._newline
        self._adopt(head + body, self.data, None)

    # Where fields are ----------------------------------------------------------------------

    def _read(self, text: str) -> None:
        source = StorySource(slug="", path=Path(), display_path="")
        parse_story_text(source, text, self._max)
        errors = [problem for problem in source.problems if problem.is_error]
        if errors:
            reasons = "; ".join(f"regel {problem.line}: {problem.message}" for problem in errors)
            raise StoryFileError(f"de gegevens bovenaan het verhaal kloppen niet ({reasons})")
        self._text = text
        self._data = source.data
        self._loaded_body = source.body
        self._starts = [0, *(found.end() for found in re.finditer("\n", text))]
        bom = len("\ufeff") if text.startswith("\ufeff") else 0
        first = text[bom : self._content_end_of_line(0)]
        closing = next(
            (
                line
                for line in range(1, len(self._starts))
                if _BOUNDARY_LINE.fullmatch(text[self._starts[line] : self._content_end_of_line(line)])
            ),
            None,
        )
        if not _BOUNDARY_LINE.fullmatch(first) or closing is None:
            raise StoryFileError("het verhaal begint niet met gegevens tussen twee regels '---'")
        self._closing = closing
        self._newline = "\r\n" if text[: self._line_end(0)].endswith("\r\n") else "\n"
        self._raw_start = self._starts[1]
        raw = text[self._raw_start : self._starts[closing]]
        # Positions are found in the text as the loader reads it, without characters no page can
        # carry; ``_where`` leads each position back to the file.
        self._where: list[int] | None = None
        if UNFIT_CHARACTERS.search(raw):
            kept: list[str] = []
            self._where = []
            for index, char in enumerate(raw):
                clean = without_unfit(char)
                if clean:
                    kept.append(clean)
                    self._where.append(index)
            self._where.append(len(raw))
            raw = "".join(kept)
        try:
            root = compose_front_matter(raw)
        except yaml.YAMLError:
            raise self._layout(1) from None
        if root is not None and (not isinstance(root, yaml.MappingNode) or root.flow_style):
            raise self._layout(self._line(self._at(root.start_mark)))
        self._root: yaml.MappingNode | None = root

    def _fields(self, mapping: yaml.MappingNode) -> list[_Field]:
        fields: list[_Field] = []
        for key, value in mapping.value:
            start = self._at(key.start_mark)
            first = self._line(start)
            indent = self._text[self._starts[first] : start]
            if indent.strip(" ") or (fields and indent != fields[0].indent):
                raise self._layout(first)
            end = max(self._content_end(value), self._at(key.end_mark))
            last = self._line(end - 1)
            after = self._text[end : self._content_end_of_line(last)]
            tail = after if _TRAILING_COMMENT.fullmatch(after) else ""
            if (after.strip() and not tail) or (fields and fields[-1].end > self._starts[first]):
                raise self._layout(first)  # another field shares a line with this one
            name = without_unfit(str(key.value))
            fields.append(
                _Field(
                    name, key, value, self._starts[first], self._line_end(last), indent, tail, first == last
                )
            )
        return fields

    def _content_end(self, node: yaml.Node) -> int:
        """Just after the last character of a value that belongs to it."""
        if isinstance(node, yaml.ScalarNode):
            end = self._at(node.end_mark)
            if node.style in ("|", ">"):
                start = self._at(node.start_mark)
                header = self._text[start : self._content_end_of_line(self._line(start))]
                if "+" not in header.split("#", 1)[0]:
                    # Blank lines after a block of text are not part of it (unless kept with '+').
                    while end > start + 1 and self._text[end - 1] in " \t\r\n":
                        end -= 1
            return end
        if node.flow_style or not node.value:
            return self._at(node.end_mark)
        last = node.value[-1]
        if isinstance(node, yaml.MappingNode):
            return max(self._content_end(last[1]), self._at(last[0].end_mark))
        return self._content_end(last)

    def _at(self, mark: yaml.Mark) -> int:
        index = mark.index if self._where is None else self._where[mark.index]
        return self._raw_start + index

    def _line(self, offset: int) -> int:
        return bisect.bisect_right(self._starts, offset) - 1

    def _line_end(self, line: int) -> int:
        return self._starts[line + 1] if line + 1 < len(self._starts) else len(self._text)

    def _body_start(self) -> int:
        start = self._line_end(self._closing)
        return _BLANK_LINES.match(self._text, start).end()

    def _content_end_of_line(self, line: int) -> int:
        end = self._line_end(line)
        if self._text.endswith("\n", 0, end):
            end -= 1
            if self._text.endswith("\r", 0, end):
                end -= 1
        return end

    def _layout(self, line: int) -> StoryFileError:
        return StoryFileError(
            "de gegevens bovenaan staan in een vorm die niet per regel kan worden aangepast "
            f"(regel {line + 1}); zet elk veld op een eigen regel, zoals 'title: …'"
        )

    # Writing ---------------------------------------------------------------------------------

    def _setting(
        self,
        mapping: yaml.MappingNode | None,
        done: tuple[str, ...],
        path: tuple[str, ...],
        value: Any,
        at: int,
    ) -> str:
        """The text with ``path`` (under the fields ``done``) set; a new field goes at ``at`` when
        the mapping has no fields yet."""
        fields = self._fields(mapping) if mapping is not None else []
        name, rest = path[0], path[1:]
        found = next((field for field in reversed(fields) if field.name == name), None)
        if found is None:
            indent = fields[0].indent if fields else ""
            where = fields[-1].end if fields else at
            lines = self._render(name, _nested(rest, value), indent, None)
            return self._text[:where] + lines + self._text[where:]
        if rest and isinstance(found.value, yaml.MappingNode) and _is_block(found.value):
            return self._setting(found.value, (*done, name), rest, value, found.end)
        new_value = value
        if rest:
            current = self.get((*done, name))
            new_value = current if isinstance(current, dict) else {}
            _put(new_value, rest, value)
        return self._replacing(found, new_value)

    def _removing(
        self,
        mapping: yaml.MappingNode | None,
        done: tuple[str, ...],
        path: tuple[str, ...],
        comments: bool = False,
    ) -> str:
        fields = self._fields(mapping) if mapping is not None else []
        name, rest = path[0], path[1:]
        matching = [field for field in fields if field.name == name]
        if rest:
            found = matching[-1]
            if (
                isinstance(found.value, yaml.MappingNode)
                and _is_block(found.value)
                and len(found.value.value) > 1
            ):
                return self._removing(found.value, (*done, name), rest, comments)
            new_value = self.get((*done, name))
            _drop(new_value, rest)
            return self._replacing(found, new_value)
        text = self._text
        # Every occurrence: an earlier one would count again once the last is gone.
        for field in reversed(matching):
            end = field.end
            if comments:
                while found_comment := _INDENTED_COMMENT.match(text, end):
                    end = found_comment.end()
            text = text[: field.start] + text[end:]
        return text

    def _replacing(self, found: _Field, value: Any) -> str:
        lines = self._render(found.name, value, found.indent, found)
        if found.tail and found.single_line and lines.count("\n") == 1:
            lines = lines.removesuffix(self._newline) + found.tail + self._newline
        return self._text[: found.start] + lines + self._text[found.end :]

    def _render(self, name: str, value: Any, indent: str, old: _Field | None) -> str:
        """``name: value`` as lines of YAML at ``indent``, in the style of the field it replaces."""
        before = old.value if old is not None else None
        flow = False
        if isinstance(value, list | dict) and value and all(_is_scalar(item) for item in _items(value)):
            # A field keeps the style it had; a new list is written on one line, a new mapping as a block.
            flow = before.flow_style if isinstance(before, yaml.CollectionNode) else isinstance(value, list)
        # Block lists and mappings are indented as the field's old value was ("  - a", or "- a").
        indented = True
        step = 2
        if old is not None and before is not None and _is_block(before):
            # A block list starts at its first '-', a block mapping at its first key.
            offset = before.start_mark.column - old.key.start_mark.column
            if offset == 0 and isinstance(before, yaml.SequenceNode):
                indented = False
            elif 1 < offset < 10:
                step = offset

        def dump(flow_style: bool) -> str:
            return yaml.dump(
                {name: value},
                Dumper=_DUMPERS[indented, self._text_blocks],
                default_flow_style=None if flow_style else False,
                allow_unicode=True,
                sort_keys=False,
                width=_NEVER_WRAP,
                indent=step,
            )

        dumped = dump(flow)
        stays_flow = isinstance(before, yaml.CollectionNode) and before.flow_style
        if flow and not stays_flow and len(indent) + len(dumped.rstrip("\n")) > SHORT_LINE:
            dumped = dump(False)
        # PyYAML ends the document with "..." after a block of text that keeps its last line breaks.
        dumped = dumped.removesuffix("\n...\n") + "\n" if dumped.endswith("\n...\n") else dumped
        lines = [f"{indent}{line}" if line else line for line in dumped.removesuffix("\n").split("\n")]
        return "".join(line + self._newline for line in lines)

    def _adopt(self, new_text: str, expected: dict[str, Any], path: tuple[str, ...] | None) -> None:
        """Take ``new_text`` only when it reads back as ``expected`` with the same story text."""
        shown = f" ({field_label('.'.join(path))})" if path else ""
        try:
            changed = StoryFile(new_text, self._max)
        except StoryFileError as error:
            raise StoryFileError(f"de nieuwe gegevens{shown} kunnen niet worden gelezen: {error}") from None
        refusal = StoryFileError(f"de gegevens konden niet veilig opnieuw worden geschreven{shown}")
        same_text = path is None or changed._loaded_body == self._loaded_body
        if not same_text or not _same(changed._data, expected):
            raise refusal
        self.__dict__.update(changed.__dict__)


def _path(field: FieldPath) -> tuple[str, ...]:
    path = (field,) if isinstance(field, str) else tuple(field)
    if not path or not all(isinstance(name, str) and name for name in path):
        raise ValueError(f"not a field: {field!r}")
    return path


def _nested(path: tuple[str, ...], value: Any) -> Any:
    for name in reversed(path):
        value = {name: value}
    return value


def _put(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for name in path[:-1]:
        if not isinstance(data.get(name), dict):
            data[name] = {}
        data = data[name]
    data[path[-1]] = copy.deepcopy(value)


def _drop(data: dict[str, Any], path: tuple[str, ...]) -> None:
    for name in path[:-1]:
        data = data[name]
    del data[path[-1]]


def _is_block(node: yaml.Node) -> bool:
    """A list or mapping written as a block, one item or field a line."""
    return isinstance(node, yaml.CollectionNode) and not node.flow_style and bool(node.value)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | bool)


def _has_lines(value: Any) -> bool:
    if isinstance(value, str):
        return "\n" in value
    return isinstance(value, list | dict) and any(_has_lines(item) for item in _items(value))


def _items(value: list[Any] | dict[str, Any]) -> list[Any]:
    return list(value.values()) if isinstance(value, dict) else value


def _check_value(value: Any) -> None:
    if _is_scalar(value):
        return
    if isinstance(value, list):
        for item in value:
            _check_value(item)
    elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
        for item in value.values():
            _check_value(item)
    else:
        raise TypeError(f"a story holds text, whole numbers, true/false, lists and mappings, not {value!r}")


def _same(one: Any, other: Any) -> bool:
    """Equal values of equal types: 1 is not True, and "1" is not 1."""
    if type(one) is not type(other):
        return False
    if isinstance(one, dict):
        return one.keys() == other.keys() and all(_same(one[key], other[key]) for key in one)
    if isinstance(one, list):
        return len(one) == len(other) and all(_same(a, b) for a, b in zip(one, other, strict=True))
    return bool(one == other)
