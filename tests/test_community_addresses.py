"""Community addresses depend on the name alone: no new story can take over or move a page.

Unit tests of the naming rules and the catalogue, a property test over random sets of names,
and real builds and a real ``aanhetwoord check`` for the cases residents could meet.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aanhetwoord.catalogue import build_catalogue
from aanhetwoord.communities import community_key, community_slug, community_slugs, skeleton
from aanhetwoord.model import Consent, RegisterEntry, Story
from aanhetwoord.registers import Register
from aanhetwoord.text import strip_invisible

TODAY = date(2026, 6, 1)
CYRILLIC_E = "\u0435"
LOOK_ALIKE = f"Vrouwengroep Yasmin{CYRILLIC_E}"
ARABIC = "مسجد الهداية"


def register(kind: str, *names: str) -> Register:
    result = Register(kind)
    for name in names:
        result.add(RegisterEntry(slug=name.lower().replace(" ", "-"), name=name))
    return result


NEIGHBOURHOODS = register("neighbourhoods", "Noord", "Zuid")
THEMES = register("themes", "Sport", "Zorg")


def story(slug: str, community: str, day: int = 0, nb: str = "Noord") -> Story:
    return Story(
        slug=slug,
        source=Path(f"stories/{slug}/index.md"),
        title=slug,
        date=date(2026, 1, 1) + timedelta(days=day),
        communities=(community,),
        neighbourhoods=(NEIGHBOURHOODS.find(nb),),
        themes=(THEMES.find("Sport"),),
        body="",
        consent=Consent(date(2025, 1, 1)),
    )


def catalogue(stories: list[Story]):
    return build_catalogue(stories, NEIGHBOURHOODS, THEMES, TODAY)


def address_of(result, name: str) -> str:
    [term] = result.communities_of(story("x", name))
    return term.slug


def hashed(readable: str, key: str) -> str:
    return f"{readable}--{hashlib.sha256(key.encode()).hexdigest()[:10]}"


# The naming rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "address"),
    [
        ("Vrouwengroep Yasmine", "vrouwengroep-yasmine"),
        ("!Vrouwengroep Yasmine", "vrouwengroep-yasmine"),
        ("  vrouwengroep   YASMINE?! ", "vrouwengroep-yasmine"),
        ("Tabletcafé Lindeplein", "tabletcafe-lindeplein"),
        ("Koffieochtend Het Prieël", "koffieochtend-het-prieel"),
        ("'t Hofje", "t-hofje"),
        ("Repair-Café Lindewaard", "repair-cafe-lindewaard"),
        ("Kapsalon Yıldız", "kapsalon-yildiz"),
        ("Straße 12", "strasse-12"),
        ("Łódź Bakkerij", "lodz-bakkerij"),
        ("Zondagvoetbal ⚽", "zondagvoetbal"),
    ],
)
def test_latin_names_are_their_own_address(name: str, address: str):
    assert community_slug(community_key(name)) == address


@pytest.mark.parametrize(
    ("name", "address"),
    [
        (ARABIC, hashed("msjd-lhdyh", "مسجد الهداية")),
        ("!!!", hashed("gemeenschap", "!!!")),
        ("! ! !", hashed("gemeenschap", "!!!")),
        ("???", hashed("gemeenschap", "???")),
        ("⚽", hashed("soccer", "⚽")),
        ("Вера", hashed("vera", "вера")),
        (LOOK_ALIKE, hashed("vrouwengroep-yasmine", f"vrouwengroep yasmin{CYRILLIC_E}")),
        ("a" * 81, hashed("a" * 68, "a" * 81)),
    ],
)
def test_other_names_get_a_readable_part_and_a_hash_of_their_own_key(name: str, address: str):
    assert community_slug(community_key(name)) == address
    assert len(address) <= 80


def test_names_with_invisible_characters_are_the_name_without_them():
    assert community_key("Vrouwen\u200bgroep\u00ad \u202eYasmine\u202c\ufeff") == "vrouwengroep yasmine"
    assert community_key("Yas\u2060mine\ufe0f") == "yasmine"


def test_if_two_keys_ever_share_an_address_both_get_the_whole_hash():
    keys = [char * 3 for char in "!?#$%&*+=@^~|<>/"] + ["klaver"]
    short = community_slugs(keys, hash_length=1)
    assert len(set(short.values())) == len(keys)
    assert short["klaver"] == "klaver"
    # Sixteen punctuation names share the part "gemeenschap" and one hex digit: some collide.
    long = [key for key in keys if len(short[key]) > len("gemeenschap--x")]
    assert long, "expected at least one collision with one hex digit"
    for key in long:
        assert short[key] == "gemeenschap--" + hashlib.sha256(key.encode()).hexdigest()


def test_invisible_characters_leave_names_and_text():
    assert strip_invisible("Vrouwen\u200bgroep\u200c\u200d \u200e\u200f\u202a\u202b\u202c\u202d\u202e") == (
        "Vrouwengroep "
    )
    assert strip_invisible("\u2066An\u00adna\u2069\u2060\ufeff\u3164") == "Anna"
    assert strip_invisible("Yasmine\ufe0f") == "Yasmine"
    # Running text keeps the joiners Persian words and emoji sequences need, and emoji selectors.
    persian = "می\u200cخواهم"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert strip_invisible(f"{persian} {family} ⚽\ufe0f", name=False) == f"{persian} {family} ⚽\ufe0f"
    assert strip_invisible("\u200dKoken\u200c met\u202e Yasmine", name=False) == "Koken met Yasmine"


def test_a_look_alike_has_the_skeleton_of_the_real_name():
    assert skeleton(LOOK_ALIKE) == skeleton("Vrouwengroep Yasmine") == "vrouwengroepyasmine"
    assert skeleton("Vrouwengroep  Yasmine!") == "vrouwengroepyasmine"
    assert skeleton(ARABIC) != skeleton("Vrouwengroep Yasmine")


# The catalogue --------------------------------------------------------------------------------


def test_a_punctuation_variant_joins_the_real_community_instead_of_taking_its_page():
    real = [story("a", "Vrouwengroep Yasmine", 1), story("b", "Vrouwengroep Yasmine", 2)]
    before = catalogue(real)
    after = catalogue([*real, story("c", "!Vrouwengroep Yasmine", 30)])
    assert [(term.slug, term.name) for term in before.communities] == [
        ("vrouwengroep-yasmine", "Vrouwengroep Yasmine")
    ]
    assert [(term.slug, term.name, [s.slug for s in term.stories]) for term in after.communities] == [
        ("vrouwengroep-yasmine", "Vrouwengroep Yasmine", ["c", "b", "a"])
    ]


def test_the_shown_name_is_the_spelling_most_stories_use_then_the_earliest():
    two_to_one = catalogue([story("a", "Het Koor", 5), story("b", "Het Koor", 6), story("c", "het koor!", 1)])
    assert [term.name for term in two_to_one.communities] == ["Het Koor"]
    tie = catalogue([story("a", "het koor!", 9), story("b", "Het Koor", 3)])
    assert [term.name for term in tie.communities] == ["Het Koor"]


def test_a_cyrillic_look_alike_is_a_community_of_its_own_at_its_own_address():
    result = catalogue([story("a", "Vrouwengroep Yasmine", 1), story("b", LOOK_ALIKE, 2)])
    assert sorted(term.slug for term in result.communities) == [
        "vrouwengroep-yasmine",
        hashed("vrouwengroep-yasmine", f"vrouwengroep yasmin{CYRILLIC_E}"),
    ]


def test_names_without_latin_letters_do_not_renumber_each_other():
    alone = {name: address_of(catalogue([story("a", name)]), name) for name in (ARABIC, "!!!", "⚽")}
    crowd = catalogue(
        [
            story("a", "???", 1),
            story("b", "!!!", 2),
            story("c", "مسجد النور", 3),
            story("d", "⚽", 4),
            story("e", "###", 5),
            story("f", ARABIC, 6),
            story("g", "⚽⚽", 7),
        ]
    )
    for name, address in alone.items():
        assert address_of(crowd, name) == address
    assert len({term.slug for term in crowd.communities}) == 7


def test_register_terms_keep_their_addresses_whatever_the_stories():
    empty = catalogue([])
    full = catalogue([story("a", "Groep", 1, nb="Zuid"), story("b", "Ander", 2)])
    for kind in ("neighbourhoods", "themes"):
        assert [term.slug for term in getattr(empty, kind)] == [term.slug for term in getattr(full, kind)]
    assert [term.slug for term in full.neighbourhoods] == ["noord", "zuid"]
    assert [term.slug for term in full.themes] == ["sport", "zorg"]


# Any set of names, in any order, on any dates -------------------------------------------------

TRICKY = [
    "Vrouwengroep Yasmine",
    "!Vrouwengroep Yasmine",
    LOOK_ALIKE,
    "Vrouwengroep\u200bYasmine",
    ARABIC,
    "مسجد",
    "!!!",
    "???",
    "⚽",
    "👨\u200d👩\u200d👧",
    "Вера",
    "Ελληνική Κοινότητα",
    "De Kapper",
    "De Kapper!",
    "de-kapper",
    "Kapsalon Yıldız",
    "Kapsalon Yildiz",
    "x" * 90,
    "x" * 91,
]
NAMES = st.one_of(
    st.sampled_from(TRICKY),
    st.text(
        alphabet=st.characters(
            codec="utf-8",
            categories=("Lu", "Ll", "Lo", "Nd", "Po", "Pd", "So", "Zs", "Cf", "Mn"),
        ),
        min_size=1,
        max_size=12,
    ).filter(lambda name: name.strip()),
)
ADDRESS = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*(?:--[0-9a-f]{10})?$")


@settings(max_examples=150, deadline=None)
@given(
    names=st.lists(NAMES, min_size=1, max_size=12),
    days=st.lists(st.integers(min_value=0, max_value=140), min_size=12, max_size=12),
    order=st.randoms(use_true_random=False),
)
def test_the_address_of_a_name_never_depends_on_the_other_names(names, days, order):
    stories = [story(f"s{index}", name, days[index]) for index, name in enumerate(names)]
    order.shuffle(stories)
    together = catalogue(stories)
    keys = {community_key(name) for name in names}
    assert len({term.slug for term in together.communities}) == len(keys)
    for name in names:
        alone = address_of(catalogue([story("alleen", name)]), name)
        assert address_of(together, name) == alone
        assert ADDRESS.match(alone) and len(alone) <= 80, alone
        # Removing every other story, or moving this one's date, changes nothing either.
        assert address_of(catalogue([story("later", name, 150)]), name) == alone


# Real builds --------------------------------------------------------------------------------


def community_folders(site) -> set[str]:
    return {path.name for path in (site.site_dir / "gemeenschappen").iterdir() if path.is_dir()}


def feed_entries(site, folder: str) -> tuple[str, list[str]]:
    data = json.loads((site.site_dir / "gemeenschappen" / folder / "feed.json").read_text())
    return data["title"], [item["url"] for item in data["items"]]


@pytest.mark.slow
def test_a_story_with_a_punctuated_name_does_not_take_over_the_real_groups_page(site):
    site.add_story("koken", community="Vrouwengroep Yasmine", title="Koken met Yasmine", date="2025-03-01")
    site.add_story("naaien", community="Vrouwengroep Yasmine", title="Naaien op dinsdag", date="2025-04-01")
    site.add_story("kapper", community="De Kapper", title="Bij de kapper", date="2025-02-01")
    site.build()
    assert community_folders(site) == {"vrouwengroep-yasmine", "de-kapper"}
    title, urls = feed_entries(site, "vrouwengroep-yasmine")
    assert "Vrouwengroep Yasmine" in title
    atom = (site.site_dir / "gemeenschappen/vrouwengroep-yasmine/feed.xml").read_text()

    site.add_story("overname", community="!Vrouwengroep Yasmine", title="Echt wij", date="2025-05-01")
    site.build()
    assert community_folders(site) == {"vrouwengroep-yasmine", "de-kapper"}
    page = site.page("gemeenschappen/vrouwengroep-yasmine")
    assert re.search(r"<h1[^>]*>Vrouwengroep Yasmine</h1>", page)
    assert "Koken met Yasmine" in page and "Naaien op dinsdag" in page
    new_title, new_urls = feed_entries(site, "vrouwengroep-yasmine")
    assert new_title == title
    assert new_urls[1:] == urls  # the real group's stories, after the newest one
    new_atom = (site.site_dir / "gemeenschappen/vrouwengroep-yasmine/feed.xml").read_text()
    feed_title = re.compile(r"<title>([^<]*)</title>")  # the first is the feed's own
    assert feed_title.search(new_atom)[1] == feed_title.search(atom)[1]
    assert "Vrouwengroep Yasmine" in feed_title.search(new_atom)[1]
    assert "!Vrouwengroep" not in page + new_atom


@pytest.mark.slow
def test_adding_removing_and_redating_stories_moves_no_community(site):
    names = {
        "yasmine": "Vrouwengroep Yasmine",
        "moskee": ARABIC,
        "uitroep": "!!!",
        "bal": "⚽",
        "lijkt": LOOK_ALIKE,
    }
    for index, (slug, name) in enumerate(names.items()):
        site.add_story(slug, community=name, title=f"Verhaal {slug}", date=f"2025-0{index + 1}-10")
    site.add_story("weg", community="Verdwijnt", title="Verdwijnt", date="2025-01-01")
    site.build()
    expected = {
        "vrouwengroep-yasmine",
        hashed("msjd-lhdyh", ARABIC),
        hashed("gemeenschap", "!!!"),
        hashed("soccer", "⚽"),
        hashed("vrouwengroep-yasmine", f"vrouwengroep yasmin{CYRILLIC_E}"),
        "verdwijnt",
    }
    assert community_folders(site) == expected

    (site.stories / "weg" / "index.md").unlink()
    site.add_story("vraag", community="???", title="Vragen", date="2024-01-01")
    site.add_story("nour", community="مسجد النور", title="Nour", date="2024-01-02")
    site.add_story("bal2", community="⚽⚽", title="Twee ballen", date="2024-01-03")
    site.add_story("moskee", community=ARABIC, title="Verhaal moskee", date="2023-01-01")  # re-dated
    site.build()
    folders = community_folders(site)
    assert expected - {"verdwijnt"} <= folders and "verdwijnt" not in folders
    assert len(folders) == 8
    for slug in names:
        assert (site.site_dir / "verhalen" / slug / "index.html").is_file()


INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff\u00ad"
)


@pytest.mark.slow
def test_invisible_characters_are_gone_from_pages_and_the_api(site):
    site.add_story(
        "onzichtbaar",
        community="Vrouwen\u200bgroep \u202eYasmine\u202c",
        title="\u2067Koken\u2069 met\u00ad Yasmine\ufeff",
        summary="Samen \u200ekoken\u200f.",
        storytellers=["An\u200dna"],
        recorded_by="Car\u2060la",
    )
    site.build(strict=True)
    record = json.loads((site.site_dir / "api/stories.json").read_text())["stories"][0]
    assert record["communities"] == ["Vrouwengroep Yasmine"]
    assert record["title"] == "Koken met Yasmine"
    assert record["summary"] == "Samen koken."
    assert community_folders(site) == {"vrouwengroep-yasmine"}
    story_page = site.page("verhalen/onzichtbaar")
    assert "Verteld door <bdi>Anna</bdi>." in story_page and "Opgetekend door <bdi>Carla</bdi>." in story_page
    for page in (story_page, site.page("gemeenschappen/vrouwengroep-yasmine")):
        assert not set(page) & set(INVISIBLE)
        assert "Vrouwengroep Yasmine" in page and "Koken met Yasmine" in page


# The check command ----------------------------------------------------------------------------

COMMUNITY_LINE = 4  # title, date, community: line 1 is the opening '---'


def test_check_warns_about_look_alikes_and_names_the_existing_community(site):
    site.add_story("koken", community="Vrouwengroep Yasmine", date="2025-03-01")
    site.add_story("naaien", community="Vrouwengroep Yasmine", date="2025-04-01")
    site.add_story("nep", community=LOOK_ALIKE, date="2025-05-01")
    site.add_story("leesteken", community="Vrouwengroep Yasmine!", date="2025-05-02")
    site.add_story("anders", community="Het Koor", date="2025-05-03")
    result = site.cli("check")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    existing = f"'Vrouwengroep Yasmine' (stories/koken/index.md:{COMMUNITY_LINE})"
    [fake] = [line for line in lines if line.startswith("stories/nep/")]
    assert fake.startswith(f"stories/nep/index.md:{COMMUNITY_LINE}: community: waarschuwing: ")
    assert f"'{LOOK_ALIKE}' lijkt op de gemeenschap {existing}" in fake
    assert f"het 20e teken is een Cyrillische {CYRILLIC_E}, geen gewone e" in fake
    [punctuation] = [line for line in lines if line.startswith("stories/leesteken/")]
    assert punctuation.startswith(f"stories/leesteken/index.md:{COMMUNITY_LINE}: community: waarschuwing: ")
    assert f"'Vrouwengroep Yasmine!' is anders geschreven dan de gemeenschap {existing}" in punctuation
    assert "alleen leestekens of spaties verschillen" in punctuation
    assert not [line for line in lines if line.startswith("stories/anders/")]
    # The real group's stories hear of it too, with the look-alike letter pointed out.
    [real] = [line for line in lines if line.startswith("stories/koken/")]
    assert real.startswith(f"stories/koken/index.md:{COMMUNITY_LINE}: community: waarschuwing: ")
    assert f"in die naam is het 20e teken een Cyrillische {CYRILLIC_E}, geen gewone e" in real


def test_check_says_when_a_name_is_only_invisible_characters(site):
    site.add_story("leeg", community="\u200b\u200d", date="2025-03-01")
    result = site.cli("check")
    assert result.returncode == 1
    assert f"stories/leeg/index.md:{COMMUNITY_LINE}: community[0]: bevat alleen onzichtbare tekens" in (
        result.stdout
    )
