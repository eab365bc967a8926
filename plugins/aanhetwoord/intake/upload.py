"""Reading a posted form within limits, while it arrives.

The whole request, every text field and the photo each have a limit, counted as the bytes come
in: an oversized post is stopped at its limit instead of being stored first and measured
later. Only the known field names are kept. The photo goes straight to a file with a random
name in the service's data folder; the name the browser sends is kept only to be checked,
never used as a path.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from urllib.parse import parse_qsl

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

MAX_PARTS = 200
MAX_HEADER_BYTES = 8 * 1024
PHOTO_FIELD = "photo"


class TooLarge(Exception):
    """Over a hard limit: the message says which, in plain Dutch."""


class BadPost(Exception):
    """Not a form post this service understands."""


@dataclass
class Post:
    fields: dict[str, list[str]] = field(default_factory=dict)
    photo_path: Path | None = None  # the bytes as received; the caller removes the file
    photo_size: int = 0
    photo_filename: str = ""
    photo_too_large: bool = False

    def value(self, name: str) -> str:
        values = self.fields.get(name)
        return values[0] if values else ""

    def values(self, name: str) -> list[str]:
        return list(self.fields.get(name, []))

    def discard(self) -> None:
        if self.photo_path is not None:
            self.photo_path.unlink(missing_ok=True)
            self.photo_path = None


@dataclass(frozen=True)
class Limits:
    request_bytes: int
    photo_bytes: int
    field_bytes: int  # any text field
    long_field_bytes: int  # the fields in ``long_fields``
    long_fields: frozenset[str]
    allowed: frozenset[str]
    # Fields the service fills in itself (the form token): when too long, dropped instead of
    # refusing the post, so the resident gets the form back with everything typed still in it.
    dropped_when_too_long: frozenset[str] = frozenset()

    def for_field(self, name: str) -> int:
        return self.long_field_bytes if name in self.long_fields else self.field_bytes


async def read_post(
    content_type: str, content_length: str | None, stream: AsyncIterator[bytes], limits: Limits, folder: Path
) -> Post:
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            raise BadPost("de lengte van het bericht klopt niet") from None
        if declared > limits.request_bytes:
            raise TooLarge(_too_large(limits))
    kind, options = parse_options_header(content_type)
    if kind == b"multipart/form-data":
        boundary = options.get(b"boundary")
        if not boundary:
            raise BadPost("het formulier is niet goed verstuurd")
        reader = _MultipartReader(limits, folder)
        try:
            parser = MultipartParser(boundary, reader.callbacks())
            total = 0
            async for chunk in stream:
                total += len(chunk)
                if total > limits.request_bytes:
                    raise TooLarge(_too_large(limits))
                parser.write(chunk)
            parser.finalize()
        except FormParserError:
            reader.post.discard()
            raise BadPost("het formulier is niet goed verstuurd") from None
        except BaseException:
            reader.post.discard()
            raise
        finally:
            reader.close()
        return reader.post
    if kind == b"application/x-www-form-urlencoded":
        cap = limits.long_field_bytes * len(limits.long_fields) + limits.field_bytes * len(limits.allowed)
        body = bytearray()
        async for chunk in stream:
            body.extend(chunk)
            if len(body) > min(cap, limits.request_bytes):
                raise TooLarge(_too_large(limits))
        post = Post()
        try:
            pairs = parse_qsl(
                body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_PARTS
            )
        except ValueError:
            raise BadPost("het formulier heeft te veel velden") from None
        for name, value in pairs:
            if name in limits.allowed and name != PHOTO_FIELD:
                if len(value.encode()) > limits.for_field(name):
                    if name in limits.dropped_when_too_long:
                        continue
                    raise TooLarge(_field_too_large())
                post.fields.setdefault(name, []).append(value)
        return post
    raise BadPost("stuur het formulier zoals de pagina het doet (multipart/form-data)")


class _MultipartReader:
    def __init__(self, limits: Limits, folder: Path) -> None:
        self.limits = limits
        self.folder = folder
        self.post = Post()
        self.parts = 0
        self.header_name = bytearray()
        self.header_value = bytearray()
        self.header_bytes = 0
        self.disposition = b""
        self.name = ""
        self.data: bytearray | None = None  # a text field being read
        self.file: IO[bytes] | None = None  # the photo being written
        self.file_bytes = 0
        self.skipping = False

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
        }

    def on_part_begin(self) -> None:
        self.parts += 1
        if self.parts > MAX_PARTS:
            raise BadPost("het formulier heeft te veel velden")
        self.disposition = b""
        self.header_bytes = 0
        self.name = ""
        self.data = None
        self.skipping = False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self.header_name.extend(data[start:end])

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._count_header(end - start)
        self.header_value.extend(data[start:end])

    def _count_header(self, size: int) -> None:
        self.header_bytes += size
        if self.header_bytes > MAX_HEADER_BYTES:
            raise BadPost("het formulier is niet goed verstuurd")

    def on_header_end(self) -> None:
        if bytes(self.header_name).lower() == b"content-disposition":
            self.disposition = bytes(self.header_value)
        self.header_name.clear()
        self.header_value.clear()

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        self.name = options.get(b"name", b"").decode("utf-8", "replace")
        is_file = b"filename" in options
        if self.name not in self.limits.allowed:
            self.skipping = True
        elif is_file:
            if self.name != PHOTO_FIELD or self.post.photo_path is not None or self.post.photo_filename:
                self.skipping = True  # one photo; anything else sent as a file is ignored
            else:
                self.post.photo_filename = options[b"filename"].decode("utf-8", "replace")
                self._open_photo()
        elif self.name == PHOTO_FIELD:
            self.skipping = True
        else:
            self.data = bytearray()

    def _open_photo(self) -> None:
        path = self.folder / f"{secrets.token_hex(16)}.upload"
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self.file = os.fdopen(handle, "wb")
        self.post.photo_path = path
        self.file_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.skipping:
            return
        size = end - start
        if self.file is not None:
            self.file_bytes += size
            if self.file_bytes > self.limits.photo_bytes:
                # Keep reading the form (so the resident gets it back filled in), drop the photo.
                self.post.photo_too_large = True
                self.file.close()
                self.file = None
                self.post.discard()
                self.skipping = True
                return
            self.file.write(data[start:end])
        elif self.data is not None:
            if len(self.data) + size > self.limits.for_field(self.name):
                if self.name in self.limits.dropped_when_too_long:
                    self.data = None
                    self.skipping = True
                    return
                raise TooLarge(_field_too_large())
            self.data.extend(data[start:end])

    def on_part_end(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None
            self.post.photo_size = self.file_bytes
        elif self.data is not None:
            self.post.fields.setdefault(self.name, []).append(self.data.decode("utf-8", "replace"))
            self.data = None

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def _too_large(limits: Limits) -> str:
    megabytes = limits.photo_bytes // (1024 * 1024)
    return (
        "Wat je stuurde is te groot. Een foto mag hoogstens "
        f"{megabytes} MB zijn. Kies een kleinere foto en probeer het opnieuw."
    )


def _field_too_large() -> str:
    return "Een van de tekstvelden is veel te lang. Maak je tekst korter en probeer het opnieuw."
