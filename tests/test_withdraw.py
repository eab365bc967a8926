"""``aanhetwoord withdraw``: a story and its photos are gone everywhere after the next build.

The command runs as staff run it, in a real site folder; the site is built with the real
plugin before and after, and the web server configuration is generated from the build.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from aanhetwoord.commands.withdraw import CannotWithdraw, slug_from_argument, with_status
from aanhetwoord.load import StorySource, parse_story_text
from sitefactory import Site, make_site, story_text

SECRET_TITLE = "Het verhaal dat weg moet"
SECRET_BODY = "Dit zijn woorden die niemand meer mag lezen."
SECRET_COMMUNITY = "Verdwijnclub Zuid"


def photo(path: Path, colour: tuple[int, int, int], kind: str = "JPEG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (640, 480), colour).save(path, kind)
    return path


def site_files(site: Site) -> dict[str, bytes]:
    return {
        path.relative_to(site.site_dir).as_posix(): path.read_bytes()
        for path in site.site_dir.rglob("*")
        if path.is_file()
    }


@pytest.fixture(scope="module")
def withdrawn(tmp_path_factory) -> dict:
    """Build with the story, withdraw it, build again; hand the tests what they need to compare."""
    site = make_site(tmp_path_factory.mktemp("withdraw"))
    # The neighbourhood and theme stay, with another story in them; the community goes away.
    site.add_story(
        "blijft",
        "Dit verhaal blijft gewoon staan.",
        title="Een verhaal dat blijft",
        community="De Blijvers",
        date="2025-05-02",
    )
    story_file = site.add_story(
        "weg-verhaal",
        f"{SECRET_BODY}\n\n![De tweede foto]( tweede.png )\n\n---\n\nNa een streep.",
        title=SECRET_TITLE,
        community=SECRET_COMMUNITY,
        date="2025-05-01",
        image={"src": "omslag.jpg", "alt": "Een groepsfoto"},
        consent={"date": "2025-04-01", "reference": "TOE-2025-099", "photos": True},
    )
    folder = story_file.parent
    photo(folder / "omslag.jpg", (200, 40, 40))
    photo(folder / "tweede.png", (40, 200, 40), "PNG")
    (folder / "extra").mkdir()
    photo(folder / "extra" / "niet-gebruikt.jpg", (40, 40, 200))
    original = story_file.read_bytes()

    site.build(strict=True)
    before = site_files(site)
    published_photos = [
        name for name in before if name.startswith("verhalen/weg-verhaal/") and not name.endswith(".html")
    ]

    result = site.cli("withdraw", "weg-verhaal")
    after_command = story_file.read_bytes()
    remaining = sorted(path.name for path in folder.rglob("*"))
    site.build(strict=True)
    nginx = site.cli("nginx", "--output", str(site.root / "nginx.conf"))
    return {
        "site": site,
        "result": result,
        "original": original,
        "after_command": after_command,
        "remaining": remaining,
        "before": before,
        "after": site_files(site),
        "published_photos": published_photos,
        "nginx": nginx,
    }


def test_the_story_and_its_photos_were_published_before(withdrawn):
    before = withdrawn["before"]
    assert SECRET_TITLE in before["verhalen/weg-verhaal/index.html"].decode()
    assert len(withdrawn["published_photos"]) >= 4, withdrawn["published_photos"]
    assert SECRET_TITLE.encode() in before["api/stories.json"]
    assert SECRET_TITLE.encode() in before["verhalen/index.html"]


def test_withdraw_sets_the_status_and_keeps_the_rest_of_the_story(withdrawn):
    result = withdrawn["result"]
    assert result.returncode == 0, result.stderr
    source = StorySource("weg-verhaal", Path(), "")
    parse_story_text(source, withdrawn["after_command"].decode(), 64 * 1024)
    assert source.problems == []
    assert source.data["status"] == "withdrawn"
    assert source.data["consent"] == {"date": "2025-04-01", "reference": "TOE-2025-099", "photos": True}
    assert source.data["title"] == SECRET_TITLE
    # The story text below the front matter is kept byte for byte.
    original, changed = withdrawn["original"], withdrawn["after_command"]
    body_start = original.index(b"\n---\n", 4) + 1
    assert changed.endswith(original[body_start:])


def test_withdraw_deletes_every_photo_in_the_story_folder(withdrawn):
    assert withdrawn["remaining"] == ["index.md"]


def test_withdraw_prints_the_remaining_steps_in_plain_words(withdrawn):
    out = withdrawn["result"].stdout
    assert "Het verhaal 'weg-verhaal' is ingetrokken" in out
    assert "stories/weg-verhaal/omslag.jpg" in out and "stories/weg-verhaal/tweede.png" in out
    assert "Nog te doen:" in out
    for step in ("mkdocs build", "aanhetwoord nginx", "410", "CDN", "purge", "git filter-repo", "vertellers"):
        assert step in out, step
    assert "/verhalen/weg-verhaal/" in out
    assert "git filter-repo --invert-paths --path stories/weg-verhaal/extra/niet-gebruikt.jpg" in out
    assert "TOE-2025-099" in out


def test_after_the_build_the_story_is_gone_everywhere(withdrawn):
    after = withdrawn["after"]
    notice = after["verhalen/weg-verhaal/index.html"].decode()
    assert "ingetrokken op verzoek van de vertellers" in notice
    assert 'name="robots" content="noindex"' in notice
    for name, content in after.items():
        if name.endswith((".html", ".json", ".xml")):
            text = content.decode("utf-8")
            for secret in (SECRET_TITLE, SECRET_BODY, SECRET_COMMUNITY, "Een groepsfoto"):
                assert secret not in text, (name, secret)
            if name != "verhalen/weg-verhaal/index.html" and name != "api/withdrawn.json":
                assert "weg-verhaal" not in text, name
    api = json.loads(after["api/stories.json"])
    assert [story["slug"] for story in api["stories"]] == ["blijft"]
    assert json.loads(after["api/withdrawn.json"]) == {"paths": ["/verhalen/weg-verhaal/"]}
    # Its community has no other story, so its page is gone; the neighbourhood stays with the other story.
    assert "gemeenschappen/verdwijnclub-zuid/index.html" not in after
    assert "Een verhaal dat blijft" in after["buurten/oude-haven/index.html"].decode()


def test_after_the_build_no_photo_of_the_story_is_in_the_site(withdrawn):
    after = withdrawn["after"]
    assert [name for name in after if name.startswith("verhalen/weg-verhaal/")] == [
        "verhalen/weg-verhaal/index.html"
    ]
    for name in withdrawn["published_photos"]:
        assert name not in after
        file_name = name.rsplit("/", 1)[1]
        assert not any(other.endswith(file_name) for other in after), file_name


def test_the_nginx_configuration_answers_410_for_the_story(withdrawn):
    nginx = withdrawn["nginx"]
    assert nginx.returncode == 0, nginx.stderr
    config = (withdrawn["site"].root / "nginx.conf").read_text()
    assert 'location = "/verhalen/weg-verhaal/" { return 410; }' in config
    assert 'location = "/verhalen/weg-verhaal/index.html" { return 410; }' in config
    assert "1 ingetrokken adres (410)" in nginx.stderr


def test_withdrawing_again_says_so_and_changes_nothing(withdrawn):
    site = withdrawn["site"]
    story_file = site.stories / "weg-verhaal" / "index.md"
    before = story_file.read_bytes()
    again = site.cli("withdraw", "stories/weg-verhaal/")
    assert again.returncode == 0, again.stderr
    assert "was al ingetrokken" in again.stdout
    assert "Er stonden geen foto's bij het verhaal." in again.stdout
    assert story_file.read_bytes() == before


def test_an_unknown_story_is_refused_clearly(site):
    site.add_story("koffie-ochtend", title="Koffie")
    story_file = site.stories / "koffie-ochtend" / "index.md"
    before = story_file.read_bytes()
    result = site.cli("withdraw", "koffie-ochtent")
    assert result.returncode == 1
    assert "er is geen verhaal 'koffie-ochtent' in stories/" in result.stderr
    assert "Er is niets veranderd." in result.stderr and "Bedoel je 'koffie-ochtend'?" in result.stderr
    assert story_file.read_bytes() == before
    outside = site.cli("withdraw", "../../etc")
    assert outside.returncode == 1 and "geen verhaal" in outside.stderr


def test_a_story_with_broken_front_matter_is_refused_and_left_alone(site):
    path = site.write_story("kapot", "---\ntitle: [niet dicht\n---\n\nTekst.\n")
    photo(path.parent / "foto.jpg", (1, 2, 3))
    result = site.cli("withdraw", "kapot")
    assert result.returncode == 1
    assert "kan niet worden ingetrokken" in result.stderr and "Er is niets veranderd." in result.stderr
    assert path.read_text() == "---\ntitle: [niet dicht\n---\n\nTekst.\n"
    assert (path.parent / "foto.jpg").exists()


def test_a_single_file_story_keeps_the_files_beside_it(site):
    site.add_story("los-verhaal", title="Los", folder=False)
    neighbour = photo(site.stories / "andere-foto.jpg", (9, 9, 9))
    result = site.cli("withdraw", "los-verhaal")
    assert result.returncode == 0, result.stderr
    assert "status: withdrawn" in (site.stories / "los-verhaal.md").read_text()
    assert neighbour.exists() and (site.stories / "_registers" / "buurten.yml").exists()


def test_with_status_keeps_bom_line_endings_and_body_exactly():
    text = "\ufeff" + story_text("Regel een.\n\n---\n\nNa de streep: ---").replace("\n", "\r\n")
    new_text, data = with_status(text, 64 * 1024)
    assert new_text.startswith("\ufeff---\r\n")
    body_start = text.index("\r\n---\r\n", 5) + 2
    assert new_text.endswith(text[body_start:])
    assert "status: withdrawn\r\n" in new_text and "\n" not in new_text.replace("\r\n", "")
    assert data["title"] == "Een verhaal"


def test_with_status_replaces_an_existing_status_and_keeps_values_as_the_site_reads_them():
    text = story_text(status="draft", title="No", summary="Yes: echt waar", storytellers=["On", "Off"])
    new_text, _ = with_status(text, 64 * 1024)
    source = StorySource("x", Path(), "")
    parse_story_text(source, new_text, 64 * 1024)
    assert source.data["status"] == "withdrawn"
    assert source.data["title"] == "No" and source.data["summary"] == "Yes: echt waar"
    assert source.data["storytellers"] == ["On", "Off"]
    assert new_text.count("status:") == 1


def test_with_status_refuses_anchors_and_missing_front_matter():
    with pytest.raises(CannotWithdraw):
        with_status("Geen gegevens bovenaan.\n", 64 * 1024)
    with pytest.raises(CannotWithdraw):
        with_status("---\na: &x 1\nb: *x\n---\nTekst\n", 64 * 1024)


@pytest.mark.parametrize(
    ("argument", "slug"),
    [
        ("weg", "weg"),
        ("stories/weg/", "weg"),
        ("stories/weg/index.md", "weg"),
        ("stories/weg.md", "weg"),
    ],
)
def test_the_slug_may_be_given_as_a_path(argument, slug):
    assert slug_from_argument(argument) == slug
