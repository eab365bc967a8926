"""Story Markdown: CommonMark for untrusted text.

Stories come from the public, so their Markdown gets its own renderer instead of the site's:
raw HTML is shown as text, there are no attribute lists and no file inclusion, and links
may only be http(s), mailto or relative. nh3 cleans the result once more as a second wall.

HTML comments (``<!-- … -->``) are where editors leave notes ("consent of the parents still
missing"), so they are taken out before anything else reads the text: whatever is made from it
(page, search index, summary, feeds, API) never holds them. That is done on the text itself, so
it holds everywhere, in code too; an unclosed ``<!--`` hides everything after it.
"""

from __future__ import annotations

import html
import re
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
    alt: str = ""


@dataclass(frozen=True)
class Comment:
    line: int  # 1-based line within the Markdown text where ``<!--`` stands
    closed: bool  # False: no ``-->`` follows, so the rest of the text is hidden


# From '<!--' to the first '-->' after it, or to the end of the text when none follows.
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


def comments(text: str) -> list[Comment]:
    """Every HTML comment in ``text``: none of them is published."""
    return [
        Comment(text.count("\n", 0, match.start()) + 1, match.group().endswith("-->"))
        for match in _COMMENT.finditer(text)
    ]


def without_comments(text: str) -> tuple[str, list[int]]:
    """``text`` without its HTML comments, and for each of its lines the 0-based line it had."""
    if "<!--" not in text:
        return text, list(range(text.count("\n") + 1))
    kept: list[str] = []
    lines = [0]
    start = 0
    for match in [*_COMMENT.finditer(text), None]:
        piece = text[start : match.start() if match else len(text)]
        # The piece's line breaks stand on consecutive lines of the text, from the one it starts on.
        line = text.count("\n", 0, start)
        lines.extend(range(line + 1, line + 1 + piece.count("\n")))
        kept.append(piece)
        if match:
            start = match.end()
    return "".join(kept), lines


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = is_safe_link  # type: ignore[method-assign]
    return md


def parse(text: str) -> list[Token]:
    """The tokens of ``text`` without its HTML comments; their lines are those of ``text``.

    (Within one paragraph, an image after a comment that spans lines counts from the comment's
    first line: the line breaks inside a comment are gone with it.)"""
    if "\r" in text:
        # Markdown also breaks lines at a lone CR; the line numbers count only LF.
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    stripped, lines = without_comments(text)
    tokens = _parser().parse(stripped)
    for token in tokens:
        if not token.map:
            continue
        first, end = token.map
        token.map = [lines[first], lines[end - 1] + 1 if end > first else lines[first]]
        if token.type == "inline" and token.children:
            # Inline tokens carry no line of their own: count the line breaks before each one.
            line = first
            for child in token.children:
                if child.type in {"softbreak", "hardbreak"}:
                    line += 1
                else:
                    child.meta["line"] = lines[min(line, len(lines) - 1)] + 1
    return tokens


def images(tokens: list[Token]) -> list[ImageRef]:
    return [
        ImageRef(str(child.attrGet("src") or ""), child.meta.get("line", 1), child.content)
        for token in tokens
        if token.type == "inline" and token.children
        for child in token.children
        if child.type == "image"
    ]


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


# Renders a story photo (source as written, alt text) as HTML; None keeps a plain <img>, and ""
# leaves the photo out (one that may not be published).
PictureRenderer = Callable[[str, str], "str | None"]


@dataclass(frozen=True)
class Rendered:
    html: str  # safe HTML for the page
    text: str  # the same text for a search index: see :func:`search_text`


def render(text: str, picture: PictureRenderer | None = None, tokens: list[Token] | None = None) -> str:
    """Safe HTML for a story body or update; headings start at level 2 under the story title.

    ``tokens`` may be the text already parsed (by the validator); they are read, never changed,
    so the same parse can be rendered again."""
    return _html(_shown(text, picture, tokens))


def rendered(
    text: str, picture: PictureRenderer | None = None, tokens: list[Token] | None = None
) -> Rendered:
    """As :func:`render`, with the text for the search index made from the same tokens: what
    the page leaves out (a photo without consent, a comment) the index leaves out too."""
    shown = _shown(text, picture, tokens)
    return Rendered(_html(shown), search_text(shown))


def _html(shown: list[Token]) -> str:
    return clean(_parser().renderer.render(shown, _parser().options, {}))


def _shown(text: str, picture: PictureRenderer | None, tokens: list[Token] | None) -> list[Token]:
    tokens = parse(text) if tokens is None else tokens
    shown: list[Token] = []
    emptied = False
    for token in tokens:
        if token.type in {"heading_open", "heading_close"} and token.tag == "h1":
            token = token.copy(tag="h2")
        elif token.type == "inline":
            token, left_out = _images(token, picture)
            emptied |= left_out
        shown.append(token)
    return _without_empty_paragraphs(shown) if emptied else shown


# The tags a search index keeps, as Material's search does; every other tag becomes a space.
_SEARCH_TAGS = {"p", "ul", "ol", "li", "code", "pre"}


def search_text(tokens: list[Token]) -> str:
    """The words of rendered tokens as a search index shows them: paragraphs, lists and code
    as tags, every character of the text escaped, photos (our own markup) left out."""
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts.append(_inline_text(token.children or []))
        elif token.type in {"code_block", "fence"}:
            parts.append(f"<pre><code>{html.escape(token.content, quote=False)}</code></pre> ")
        elif token.tag in _SEARCH_TAGS and not token.hidden and token.nesting:
            parts.append(f"<{token.tag}>" if token.nesting > 0 else f"</{token.tag}> ")
        else:
            parts.append(" ")  # a heading, a table cell: its words stay apart from the next
    return re.sub(r" {2,}", " ", "".join(parts)).strip()


def _inline_text(children: list[Token]) -> str:
    parts: list[str] = []
    for child in children:
        if child.type == "text":
            parts.append(html.escape(child.content, quote=False))
        elif child.type == "code_inline":
            parts.append(f"<code>{html.escape(child.content, quote=False)}</code>")
        elif child.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return "".join(parts)


def _images(inline: Token, picture: PictureRenderer | None) -> tuple[Token, bool]:
    """Photos from the story folder become responsive pictures; an image from another host would
    be a request to it, so it shows its alt text instead. Returns the inline token as shown (a
    copy where anything changed) and whether a photo was left out."""
    if not any(child.type == "image" for child in inline.children or []):
        return inline, False
    shown: list[Token] = []  # every child, photos as shown
    children: list[Token] = []  # without photos left out and the links around them
    left_out = False
    for child in inline.children or []:
        if child.type == "image":
            src = unquote(str(child.attrGet("src") or ""))
            if not is_local_image(src):
                child = child.copy(type="text", children=None)
            else:
                html = picture(src, child.content) if picture else None
                if html == "":
                    left_out = True
                    continue
                if html is not None:
                    # Our own markup, built with escaping; the renderer prints html_inline as it is.
                    child = child.copy(type="html_inline", content=html, children=None)
                else:
                    child = child.copy(attrs={**child.attrs, "loading": "lazy"})
        shown.append(child)
        if child.type == "link_close" and children and children[-1].type == "link_open":
            children.pop()  # a link around a photo that was left out: nothing to click on
            continue
        children.append(child)
    if not left_out:
        return inline.copy(children=shown), False
    emptied = not any(
        child.type not in {"softbreak", "hardbreak"} and (child.type != "text" or child.content.strip())
        for child in children
    )
    return inline.copy(children=children, meta={**inline.meta, "emptied": emptied}), True


_CONTAINERS = {"list_item", "bullet_list", "ordered_list", "blockquote"}


def _without_empty_paragraphs(tokens: list[Token]) -> list[Token]:
    """Paragraphs that held only photos that were left out go, and so do the list items, lists
    and quotes left empty by that: no empty element on the page."""
    kept: list[Token] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if (
            token.type == "paragraph_open"
            and index + 2 < len(tokens)
            and tokens[index + 1].meta.get("emptied")
            and tokens[index + 2].type == "paragraph_close"
        ):
            index += 3
            continue
        closes = token.type.endswith("_close") and token.type.removesuffix("_close") in _CONTAINERS
        if closes and kept and kept[-1].type == f"{token.type.removesuffix('_close')}_open":
            kept.pop()
        else:
            kept.append(token)
        index += 1
    return kept


def clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes=_LINK_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
