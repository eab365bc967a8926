"""The site's own stylesheets and scripts, minified and named after their content.

A name such as ``aanhetwoord.3f9a1c2e.min.css`` changes whenever the file does, so a web server
may let browsers keep it for a year (see ``commands.nginx_config.immutable_patterns``): a new build links
the new name, and no visitor ever gets an old stylesheet with a new page.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import rcssmin
import rjsmin

HASH_LENGTH = 8
# Names that already hold a hash (Material's ``bundle.a5f9d56c.min.js``) stay as they are.
_HASHED = re.compile(r"\.[0-9a-f]{8,}\.min\.(?:css|js)$")


@dataclass(frozen=True)
class Asset:
    source: str  # the name in the theme, e.g. ``assets/stylesheets/aanhetwoord.css``
    path: str  # the name in the site, e.g. ``assets/stylesheets/aanhetwoord.3f9a1c2e.min.css``
    content: bytes


def is_fingerprintable(path: str) -> bool:
    """Whether ``path`` is a stylesheet or script that gets a hashed name."""
    return path.endswith((".css", ".js")) and not _HASHED.search(path)


def minify(path: str, text: str) -> str:
    if path.endswith(".css"):
        return rcssmin.cssmin(text)
    return rjsmin.jsmin(text)


def fingerprint(path: str, text: str) -> Asset:
    """The minified file under a name that holds the first characters of its SHA-256."""
    content = minify(path, text).encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
    stem, _, extension = path.rpartition(".")
    return Asset(path, f"{stem}.{digest}.min.{extension}", content)
