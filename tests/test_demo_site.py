"""The demo site builds strictly, with MkDocs and ProperDocs, and has no broken internal link."""

from __future__ import annotations

import dataclasses
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from aanhetwoord import pipeline
from sitefactory import DEMO_TODAY, ROOT, build_demo, demo_settings, run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    site_dir = tmp_path_factory.mktemp("demo") / "site"
    result = build_demo(site_dir)
    assert result.returncode == 0, result.stderr
    return site_dir


@pytest.fixture(scope="module")
def demo_site() -> pipeline.Site:
    return pipeline.build(demo_settings())


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name in {"href", "src"} or (tag == "link" and name == "href")):
                self.links.append(value)


def test_demo_has_no_broken_internal_link(demo: Path):
    broken = []
    pages = list(demo.rglob("*.html"))
    assert len(pages) > 80
    for page in pages:
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            url, _ = urldefrag(link)
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path or url.startswith("mailto:"):
                continue
            # 404.html links from the site root, since it is served at any depth.
            base = demo if parts.path.startswith("/") else page.parent
            target = (base / unquote(parts.path).lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                broken.append(f"{page.relative_to(demo)} → {link}")
    assert broken == []


def test_demo_has_every_story_neighbourhood_theme_and_community_page(demo: Path, demo_site: pipeline.Site):
    catalogue = demo_site.catalogue
    assert len(catalogue.stories) >= 30
    for story in catalogue.stories:
        assert (demo / "verhalen" / story.slug / "index.html").exists(), story.slug
    for kind, terms in catalogue.indexes():
        word = {"neighbourhoods": "buurten", "themes": "themas", "communities": "gemeenschappen"}[kind]
        for term in terms:
            assert (demo / word / term.slug / "index.html").exists(), (kind, term.slug)
    assert len(catalogue.neighbourhoods) >= 10 and len(catalogue.themes) >= 8
    assert len(catalogue.communities) >= 20


def test_demo_shows_the_publication_rules(demo: Path, demo_site: pipeline.Site):
    stories = demo_site.stories
    assert sum(story.pinned for story in stories) == 2
    assert len(demo_site.catalogue.withdrawn) == 1
    withdrawn = json.loads((demo / "api/withdrawn.json").read_text())["paths"]
    assert withdrawn == [f"/verhalen/{demo_site.catalogue.withdrawn[0]}/"]
    public = {story.slug for story in demo_site.catalogue.stories}
    hidden = [story for story in stories if story.slug not in public and story.slug not in withdrawn[0]]
    assert len(hidden) == 2  # one draft, one embargoed
    assert sorted(story.status.value for story in hidden) == ["draft", "published"]
    (embargoed,) = [story for story in hidden if story.status.value == "published"]
    assert embargoed.date > DEMO_TODAY
    for story in hidden:
        assert not (demo / "verhalen" / story.slug).exists()
    assert any(story.language and story.language != "nl" for story in demo_site.catalogue.stories)


def test_demo_builds_with_properdocs(tmp_path: Path, demo: Path):
    site_dir = tmp_path / "site"
    result = build_demo(site_dir, "properdocs")
    assert result.returncode == 0, result.stderr
    mkdocs_pages = sorted(p.relative_to(demo).as_posix() for p in demo.rglob("index.html"))
    properdocs_pages = sorted(p.relative_to(site_dir).as_posix() for p in site_dir.rglob("index.html"))
    assert properdocs_pages == mkdocs_pages
    assert json.loads((site_dir / "api/stories.json").read_text()) == json.loads(
        (demo / "api/stories.json").read_text()
    )


def test_check_command_passes_on_the_demo():
    result = run_cli(ROOT, "check", today=DEMO_TODAY)
    assert result.returncode == 0, result.stdout
    # Only the editors' note in the draft is mentioned: it is never published.
    assert result.stdout == (
        "stories/skaters-willen-een-plek/index.md:12: tekst: opmerking: een notitie tussen <!-- en -->"
        " komt niet op de site\n"
    )


def test_the_demo_drawings_have_photo_consent_and_are_shown(demo: Path):
    for slug in ("moestuin-ganzenweide", "bewoners-runnen-de-ijsbaan", "buurtorkest-de-losse-snaar"):
        page = (demo / "verhalen" / slug / "index.html").read_text(encoding="utf-8")
        assert '<figure class="ahw-story__cover">' in page and "<picture>" in page, slug
        assert "Tekening" in page, slug


def test_the_demo_drafts_note_is_not_in_its_preview():
    site = pipeline.build(dataclasses.replace(demo_settings(), preview=True))
    [page] = [page for page in site.pages() if page.url == "verhalen/skaters-willen-een-plek/"]
    assert "Na school staan we" in page.content
    assert "Toestemming van de ouders" not in page.content and "&lt;!--" not in page.content
    assert "ouders" not in page.description and page.description.startswith("Een groep jongeren")
