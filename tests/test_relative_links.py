"""Relative links between the site's pages: the quick way gives what ``posixpath.relpath`` gives."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.urls import relative


def _by_relpath(from_url: str, to_url: str) -> str:
    from_dir = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    target = posixpath.relpath(to_url or ".", from_dir or ".")
    if to_url.endswith("/") or not to_url:
        target = "./" if target == "." else target + "/"
    return target


# Addresses as the site makes them, and some it never makes ("..", "//", "."), which take the slow way.
_URLS = st.lists(st.sampled_from(["a", "b", "ab", "a.jpg", ".", "..", "", "x y", "é"]), max_size=5).flatmap(
    lambda parts: st.sampled_from(["/".join(parts), "/".join(parts) + "/"])
)


@settings(max_examples=500, deadline=None)
@given(from_url=_URLS, to_url=_URLS)
def test_a_relative_link_is_what_relpath_makes(from_url: str, to_url: str):
    if from_url.startswith("/") or to_url.startswith("/"):
        return  # never made: addresses are relative to the site root
    assert relative(from_url, to_url) == _by_relpath(from_url, to_url)


def test_links_between_pages_at_different_depths():
    assert relative("verhalen/koffie/", "buurten/markt/") == "../../buurten/markt/"
    assert relative("verhalen/koffie/", "verhalen/koffie/foto.jpg") == "foto.jpg"
    assert relative("", "verhalen/") == "verhalen/"
    assert relative("verhalen/pagina/2/", "") == "../../../"
    assert relative("buurten/", "buurten/") == "./"
