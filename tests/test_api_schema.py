"""The API is documented: a JSON Schema (draft 2020-12) beside each JSON file, which every site's
API validates against, whose fields are the ones the code writes, and a page for staff that
explains every field in Dutch."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from jsonschema import Draft202012Validator
from PIL import Image

from aanhetwoord import pipeline
from aanhetwoord.config_file import load_settings
from aanhetwoord.memo import Memo
from fuzz.strategies import bodies, valid_fields
from sitefactory import ROOT, Site, build_demo, make_site

# What a story record holds: the contract, written out here on purpose.
STORY_FIELDS = {
    "slug",
    "url",
    "title",
    "date",
    "communities",
    "neighbourhoods",
    "themes",
    "summary",
    "language",
    "image",
}
DOC = ROOT / "docs" / "beheer" / "api.md"


def validator(schema: dict) -> Draft202012Validator:
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def check_api(site_dir: Path, site_url: str) -> dict[str, dict]:
    """Validate each API file against the schema published beside it; the file's content by name."""
    api = site_dir / "api"
    contents = {}
    for name in ("stories", "withdrawn"):
        schema = json.loads((api / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["$id"] == f"{site_url}api/{name}.schema.json"
        content = json.loads((api / f"{name}.json").read_text(encoding="utf-8"))
        errors = [error.message for error in validator(schema).iter_errors(content)]
        assert errors == [], (name, errors)
        contents[name] = content
    return contents


def test_the_demo_sites_api_validates_against_its_published_schemas(tmp_path: Path):
    site_dir = tmp_path / "site"
    result = build_demo(site_dir)
    assert result.returncode == 0, result.stderr
    api = check_api(site_dir, "https://verhalen.lindewaard.example/")
    assert len(api["stories"]["stories"]) >= 10
    assert "/verhalen/appgroep-kastanjehof/" in api["withdrawn"]["paths"]
    assert any(story["image"] for story in api["stories"]["stories"])
    assert any(story["language"] == "ar" for story in api["stories"]["stories"])
    dates = [story["date"] for story in api["stories"]["stories"]]
    assert dates == sorted(dates, reverse=True)  # newest first, as the schema says


@pytest.fixture(scope="module")
def varied(tmp_path_factory) -> Site:
    """A site with a photo, a translation, many communities, a withdrawn story and a draft."""
    site = make_site(tmp_path_factory.mktemp("api-schema"))
    folder = site.stories / "met-foto"
    folder.mkdir(parents=True)
    Image.new("RGB", (900, 600), (120, 60, 30)).save(folder / "omslag.jpg", "JPEG")
    site.add_story(
        "met-foto",
        title="Soep op het plein",
        date="2025-05-01",
        consent={"date": "2025-04-01", "reference": "T-1", "photos": True},
        image={"src": "omslag.jpg", "alt": "Buren rond een grote pan soep"},
    )
    site.add_story("vertaald", title="Soup on the square", language="en", translation_of="met-foto")
    site.add_story(
        "veel-groepen",
        title="Tien groepen",
        date="2025-03-01",
        community=[f"Groep {number}" for number in range(10)],
        summary="Kort.",
    )
    site.add_story("weg", title="Weg", status="withdrawn")
    site.add_story("concept", title="Nog niet klaar", status="draft", consent=None)
    site.build(strict=True)
    return site


def test_a_varied_sites_api_validates_and_holds_every_field(varied: Site):
    api = check_api(varied.site_dir, "https://verhalen.example.org/")
    stories = {story["slug"]: story for story in api["stories"]["stories"]}
    assert set(stories) == {"met-foto", "vertaald", "veel-groepen"}
    for story in stories.values():
        assert set(story) == STORY_FIELDS
    photo = stories["met-foto"]["image"]
    assert photo["alt"] == "Buren rond een grote pan soep"
    assert photo["url"].startswith("https://verhalen.example.org/verhalen/met-foto/")
    assert stories["vertaald"]["image"] is None and stories["vertaald"]["language"] == "en"
    assert len(stories["veel-groepen"]["communities"]) == 10
    assert api["withdrawn"] == {"paths": ["/verhalen/weg/"]}


def test_the_schema_names_exactly_the_fields_the_code_writes(varied: Site):
    schema = json.loads((varied.site_dir / "api/stories.schema.json").read_text(encoding="utf-8"))
    story = schema["$defs"]["story"]
    assert set(story["properties"]) == STORY_FIELDS
    assert set(story["required"]) == STORY_FIELDS
    assert story["additionalProperties"] is False
    assert schema["required"] == ["stories"] and schema["additionalProperties"] is False


def test_the_schema_refuses_what_the_api_never_writes(varied: Site):
    schema = json.loads((varied.site_dir / "api/stories.schema.json").read_text(encoding="utf-8"))
    good = json.loads((varied.site_dir / "api/stories.json").read_text(encoding="utf-8"))
    check = validator(schema)
    assert check.is_valid(good)
    record = good["stories"][0]
    for broken in (
        {**record, "extra": 1},
        {key: value for key, value in record.items() if key != "summary"},
        {**record, "date": "1 mei 2025"},
        {**record, "slug": "Met Spatie"},
        {**record, "title": "x" * 121},
        {**record, "communities": []},
        {**record, "image": {"url": "/foto.webp"}},
    ):
        assert not check.is_valid({"stories": [broken]}), broken


def test_the_staff_page_explains_every_field_in_dutch(varied: Site):
    text = DOC.read_text(encoding="utf-8")
    schema = json.loads((varied.site_dir / "api/stories.schema.json").read_text(encoding="utf-8"))
    withdrawn = json.loads((varied.site_dir / "api/withdrawn.schema.json").read_text(encoding="utf-8"))
    names = [*schema["$defs"]["story"]["properties"], "image.url", "image.alt", "stories", "paths"]
    for name in names:
        assert re.search(rf"^\| `{re.escape(name)}` \|", text, re.MULTILINE), name
    for path in ("/api/stories.json", "/api/stories.schema.json", "/api/withdrawn.schema.json"):
        assert path in text
    assert "paths" in withdrawn["properties"]
    assert "verhalen" in text and "veld" in text  # Dutch, for staff


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory):
    site = make_site(tmp_path_factory.mktemp("api-fuzz"))
    site.add_story("goed", title="Het goede verhaal", community="De Vaste Groep")
    site_settings = dataclasses.replace(load_settings(site.write_config()), today=date(2026, 6, 1))
    return site, site_settings


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
@given(fields=valid_fields(), body=bodies())
def test_any_story_that_builds_gives_an_api_that_validates(generated, fields: dict[str, str], body: str):
    site, site_settings = generated
    story = site.stories / "gemaakt" / "index.md"
    story.parent.mkdir(exist_ok=True)
    front = "\n".join(f"{key}: {value}" for key, value in fields.items())
    story.write_text(f"---\n{front}\n---\n\n{body}\n", encoding="utf-8", errors="surrogatepass")
    built = pipeline.build(site_settings, memo=Memo())
    files = built.files()
    for name in ("stories", "withdrawn"):
        schema = json.loads(files[f"api/{name}.schema.json"])
        content = json.loads(files[f"api/{name}.json"])
        errors = [error.message for error in validator(schema).iter_errors(content)]
        assert errors == [], (name, errors, fields)
    slugs = {record["slug"] for record in json.loads(files["api/stories.json"])["stories"]}
    assert "goed" in slugs
    published = {story.slug for story in built.catalogue.stories}
    assert slugs == published
    event("published" if "gemaakt" in slugs else "left out")
