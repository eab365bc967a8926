"""Where every page of the site lives, and links between them.

All pages are addressed as folders ("verhalen/slug/"); links in page content are relative,
so a site works under any base path and straight from disk.
"""

from __future__ import annotations

import functools
import posixpath
import re
from urllib.parse import urlsplit

from .model import TermKind
from .settings import UrlWords


class Urls:
    def __init__(self, words: UrlWords, site_url: str = "") -> None:
        self.words = words
        self.site_url = site_url.rstrip("/") + "/" if site_url else ""
        self._kind_words = {
            TermKind.NEIGHBOURHOODS: words.neighbourhoods,
            TermKind.THEMES: words.themes,
            TermKind.COMMUNITIES: words.communities,
        }

    def story(self, slug: str) -> str:
        return f"{self.words.stories}/{slug}/"

    def asset(self, slug: str, name: str) -> str:
        return f"{self.words.stories}/{slug}/{name}"

    def stories(self, page: int = 1) -> str:
        return self._paged(f"{self.words.stories}/", page)

    def overview(self, kind: TermKind) -> str:
        return f"{self._kind_words[kind]}/"

    def term(self, kind: TermKind, slug: str, page: int = 1) -> str:
        return self._paged(f"{self._kind_words[kind]}/{slug}/", page)

    def feed(self, base: str, kind: str) -> str:
        """The Atom (``"atom"``) or JSON (``"json"``) feed of the page at ``base`` ("" for the whole site)."""
        return f"{base}feed.{'xml' if kind == 'atom' else 'json'}"

    def api(self, name: str) -> str:
        return f"{self.words.api}/{name}"

    def _paged(self, base: str, page: int) -> str:
        return base if page == 1 else f"{base}{self.words.page}/{page}/"

    def source_path(self, url: str) -> str:
        """The virtual Markdown file an engine keeps for a page at ``url``."""
        return f"{url}index.md"

    def absolute(self, url: str) -> str:
        """Full URL when the site URL is known, else a path from the site root."""
        return f"{self.site_url}{url}" if self.site_url else f"/{url}"

    def server_path(self, url: str) -> str:
        """The path a web server sees for ``url``, including the site's base path."""
        base = urlsplit(self.site_url).path if self.site_url else "/"
        return posixpath.join(base or "/", url)


@functools.lru_cache(maxsize=1 << 16)
def relative(from_url: str, to_url: str) -> str:
    """A link from the page at ``from_url`` to ``to_url``; both relative to the site root."""
    from_dir = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    base = from_dir.split("/")[:-1]
    parts = [part for part in to_url.split("/") if part]
    if _PLAIN.fullmatch(from_dir) and _PLAIN.fullmatch(to_url):
        # The site's own addresses: folders to go up, then down. ``relpath`` gives the same, slower.
        common = 0
        while common < min(len(base), len(parts)) and base[common] == parts[common]:
            common += 1
        target = "/".join([".."] * (len(base) - common) + parts[common:]) or "."
    else:
        target = posixpath.relpath(to_url or ".", from_dir or ".")
    if to_url.endswith("/") or not to_url:
        target = "./" if target == "." else target + "/"
    return target


# Names separated by single slashes, none of them "." or "..", not from the root.
_PLAIN = re.compile(r"(?:(?!\.\.?/|\.\.?$)[^/]+/)*(?:(?!\.\.?$)[^/]+)?")
