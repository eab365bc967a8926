"""Story Markdown: CommonMark for untrusted text.

Stories come from the public, so their Markdown gets its own renderer instead of the site's:
raw HTML is shown as text, there are no attribute lists and no file inclusion, and links
may only be http(s), mailto or relative. nh3 cleans the result once more as a second wall.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

_LINK_SCHEMES = {"http", "https", "mailto"}
_ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "picture",
    "source",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "source": {"type", "srcset", "sizes"},
    "ol": {"start"},
}


def is_safe_link(url: str) -> bool:
    """Only http(s), mailto, or a relative link. Anything else (javascript:, data:, …) is refused."""
    url = url.strip()
    if url.startswith("//") or "\\" in url:
        return False
    scheme = urlsplit(url).scheme.lower()
    return scheme == "" or scheme in _LINK_SCHEMES


def is_local_image(src: str) -> bool:
    """An image in the story's own folder: relative, and not climbing out of it."""
    parts = urlsplit(src)
    if parts.scheme or parts.netloc or src.startswith("/") or "\\" in src:
        return False
    return ".." not in parts.path.split("/") and bool(parts.path)


@dataclass(frozen=True)
class ImageRef:
    src: str
    line: int  # 1-based line within the Markdown text


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    return md


def parse(text: str) -> list[Token]:
    return _parser().parse(text)


def images(tokens: list[Token]) -> list[ImageRef]:
    found = []
    for token in tokens:
        if token.type == "inline" and token.children:
            # Inline tokens carry no line of their own: count the line breaks before each image.
            line = token.map[0] + 1 if token.map else 1
            for child in token.children:
                if child.type in {"softbreak", "hardbreak"}:
                    line += 1
                elif child.type == "image":
                    found.append(ImageRef(str(child.attrGet("src") or ""), line))
    return found


def first_paragraph_text(tokens: list[Token]) -> str:
    """Plain text of the first paragraph, for a summary when the story gives none."""
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            inline = tokens[index + 1]
            text = "".join(
                child.content for child in inline.children or [] if child.type in {"text", "code_inline"}
            ).strip()
            if text:
                return text
    return ""


# Renders a story photo (source as written, alt text) as HTML, or None to keep a plain <img>.
PictureRenderer = Callable[[str, str], "str | None"]


def render(text: str, picture: PictureRenderer | None = None, tokens: list[Token] | None = None) -> str:
    """Safe HTML for a story body or update; headings start at level 2 under the story title.

    ``tokens`` may be the text already parsed (by the validator); they are used up."""
    tokens = parse(text) if tokens is None else tokens
    for token in tokens:
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token.tag = "h2"
        elif token.type == "inline":
            _images(token, picture)
    html = _parser().renderer.render(tokens, _parser().options, {})
    return clean(html)


def _images(inline: Token, picture: PictureRenderer | None) -> None:
    """Photos from the story folder become responsive pictures; an image from another host would
    be a request to it, so it shows its alt text instead."""
    for child in inline.children or []:
        if child.type != "image":
            continue
        src = unquote(str(child.attrGet("src") or ""))
        if not is_local_image(src):
            child.type = "text"
            child.children = None
            continue
        html = picture(src, child.content) if picture else None
        if html is not None:
            # Our own markup, built with escaping; the renderer prints html_inline as it is.
            child.type = "html_inline"
            child.content = html
            child.children = None
        else:
            child.attrSet("loading", "lazy")


def clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_LINK_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
