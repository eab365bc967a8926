"""Interface texts for residents and visitors: Dutch first (B1), English available.

A site configured with another language gets its own texts here; stories keep the language
they were written in.
"""

from __future__ import annotations

from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date

NL = {
    "speaker": "Aan het woord",
    "told_by": "Verteld door",
    "recorded_by": "Opgetekend door",
    "published": "Gepubliceerd op",
    "in_neighbourhood": "Buurt",
    "about_theme": "Thema",
    "community": "Gemeenschap",
    "neighbourhood": "Buurt",
    "theme": "Thema",
    "updates": "Hoe gaat het nu?",
    "related": "Meer verhalen",
    "stories": "Verhalen",
    "all_stories": "Alle verhalen",
    "stories_intro": "Alle verhalen, het nieuwste eerst.",
    "neighbourhoods": "Buurten",
    "neighbourhoods_intro": "Kies een buurt en lees wat de mensen daar samen doen.",
    "themes": "Thema's",
    "themes_intro": "Kies een thema en lees verhalen uit heel de gemeente.",
    "communities": "Gemeenschappen",
    "communities_intro": (
        "Iedere groep die een verhaal vertelt, staat hier. Groot of klein, met of zonder vereniging: "
        "aanmelden hoeft niet."
    ),
    # A community page: "Vertelt sinds maart 2025".
    "community_since": "Vertelt sinds {month}",
    "story_count_0": "nog geen verhalen",
    "story_count_1": "1 verhaal",
    "story_count_n": "{n} verhalen",
    "page_of": "Pagina {page} van {pages}",
    "previous": "Vorige",
    "next": "Volgende",
    "pagination": "Meer pagina's",
    "first_story_invite": (
        "Er is nog geen verhaal over {name}. Doe je hier iets samen met anderen? Vertel het eerste verhaal."
    ),
    "share_invite": "Vertel ook jullie verhaal",
    "share_link": "Deel je verhaal",
    "withdrawn_title": "Verhaal ingetrokken",
    "withdrawn_text": "Dit verhaal is niet meer te lezen. Het is ingetrokken op verzoek van de vertellers.",
    "back_to_stories": "Naar alle verhalen",
    "concept_banner": (
        "Concept: dit verhaal is nog niet openbaar. Alleen jij ziet het in deze voorbeeldweergave."
    ),
    "embargo_banner": "Concept: dit verhaal wordt openbaar op {date}.",
    "problems_title": "Problemen in verhalen",
    "problems_intro": "Deze verhalen staan niet op de site tot het probleem is opgelost:",
    "previews_title": "Concepten en verhalen die nog niet openbaar zijn",
    "translations": "Dit verhaal in een andere taal",
    # "Ook in het Arabisch, het Engels en het Turks": language names from Babel.
    "also_in": "Ook in het",
    "also_in_next": ", het",
    "also_in_last": " en het",
    "photo_credit": "Foto",
    "in_area": "Wijk",
    "other_area": "Overige buurten",
    "other_names": "Andere tekens",
    "by_letter": "Naar letter",
    "home_title": "Verhalen uit de buurten",
    "more_stories": "Alle verhalen lezen",
    "pinned": "Uitgelicht",
    "made_with": "Gemaakt met",
    "about": "Over deze site",
    "privacy": "Privacy",
    "accessibility": "Toegankelijkheid",
    "contact": "Contact",
    "footer_links": "Over deze site en contact",
    "planned": "Gepland voor",
    "draft": "Concept",
    "status": "Status",
    "not_found_title": "Deze pagina bestaat niet",
    "not_found_text": (
        "Misschien is het adres verkeerd getypt, of is de pagina verhuisd of weggehaald. "
        "Zoek het verhaal, of kies hieronder waar je verder wilt lezen."
    ),
    "not_found_search": "Zoek een verhaal",
    "not_found_onward": "Verder lezen",
    "search": "Zoeken",
    "home": "Home",
    "map_caption": (
        "Kaart van de buurten. Elk nummer op de kaart staat ook in de lijst, voor de naam van de buurt. "
        "Een buurt met strepen heeft nog geen verhaal."
    ),
}

EN = {
    "speaker": "In their own words",
    "told_by": "Told by",
    "recorded_by": "Written down by",
    "published": "Published on",
    "in_neighbourhood": "Neighbourhood",
    "about_theme": "Theme",
    "community": "Community",
    "neighbourhood": "Neighbourhood",
    "theme": "Theme",
    "updates": "How are things now?",
    "related": "More stories",
    "stories": "Stories",
    "all_stories": "All stories",
    "stories_intro": "All stories, newest first.",
    "neighbourhoods": "Neighbourhoods",
    "neighbourhoods_intro": "Choose a neighbourhood and read what people there do together.",
    "themes": "Themes",
    "themes_intro": "Choose a theme and read stories from all over the municipality.",
    "communities": "Communities",
    "communities_intro": (
        "Every group that tells a story is here. Big or small, formal or not: nobody needs to sign up."
    ),
    "community_since": "Telling stories since {month}",
    "story_count_0": "no stories yet",
    "story_count_1": "1 story",
    "story_count_n": "{n} stories",
    "page_of": "Page {page} of {pages}",
    "previous": "Previous",
    "next": "Next",
    "pagination": "More pages",
    "first_story_invite": (
        "There is no story about {name} yet. Do you do something together with others here? "
        "Tell the first story."
    ),
    "share_invite": "Tell your story too",
    "share_link": "Share your story",
    "withdrawn_title": "Story withdrawn",
    "withdrawn_text": (
        "This story can no longer be read. It was withdrawn at the request of its storytellers."
    ),
    "back_to_stories": "To all stories",
    "concept_banner": "Draft: this story is not public yet. Only you see it in this preview.",
    "embargo_banner": "Draft: this story becomes public on {date}.",
    "problems_title": "Problems in stories",
    "problems_intro": "These stories are not on the site until the problem is fixed:",
    "previews_title": "Drafts and stories that are not public yet",
    "translations": "This story in another language",
    "also_in": "Also in",
    "also_in_next": ",",
    "also_in_last": " and",
    "photo_credit": "Photo",
    "in_area": "District",
    "other_area": "Other neighbourhoods",
    "other_names": "Other scripts",
    "by_letter": "Go to letter",
    "home_title": "Stories from the neighbourhoods",
    "more_stories": "Read all stories",
    "pinned": "Featured",
    "made_with": "Made with",
    "about": "About this site",
    "privacy": "Privacy",
    "accessibility": "Accessibility",
    "contact": "Contact",
    "footer_links": "About this site and contact",
    "planned": "Planned for",
    "draft": "Draft",
    "status": "Status",
    "not_found_title": "This page does not exist",
    "not_found_text": (
        "The address may be mistyped, or the page has moved or been removed. "
        "Search for the story, or choose where to read on below."
    ),
    "not_found_search": "Search for a story",
    "not_found_onward": "Read on",
    "search": "Search",
    "home": "Home",
    "map_caption": (
        "Map of the neighbourhoods. Each number on the map is also in the list, before the "
        "neighbourhood's name. A striped neighbourhood has no story yet."
    ),
}

CATALOGS = {"nl": NL, "en": EN}


class Texts:
    """Interface texts and dates in one language, falling back to Dutch."""

    def __init__(self, language: str) -> None:
        self.language = language
        base = language.split("-")[0].lower()
        self.catalog = CATALOGS.get(base, NL)
        self.locale = base if base in CATALOGS else "nl"

    def __call__(self, key: str, **values: object) -> str:
        text = self.catalog.get(key) or NL[key]
        return text.format(**values) if values else text

    def count(self, n: int) -> str:
        if n == 0:
            return self("story_count_0")
        return self("story_count_1") if n == 1 else self("story_count_n", n=n)

    def date(self, value) -> str:  # noqa: ANN001 - a datetime.date
        return long_date(value, self.locale)

    def month(self, value) -> str:  # noqa: ANN001 - a datetime.date
        return month_year(value, self.locale)


@lru_cache(maxsize=4096)
def long_date(value, locale: str = "nl") -> str:  # noqa: ANN001 - a datetime.date
    """A date written out in a language: "24 november 2026"."""
    return format_date(value, format="long", locale=locale)


@lru_cache(maxsize=4096)
def month_year(value, locale: str = "nl") -> str:  # noqa: ANN001 - a datetime.date
    """A month written out in a language, as it stands alone: "maart 2025"."""
    return format_date(value, format="LLLL y", locale=locale)


@lru_cache(maxsize=256)
def language_name(code: str, in_language: str) -> str:
    """The name of a language, in the reader's language: "Arabisch", "Engels"."""
    try:
        return Locale.parse(code, sep="-").get_display_name(in_language.split("-")[0]) or code
    except (ValueError, UnknownLocaleError):
        return code


@lru_cache(maxsize=256)
def text_direction(code: str) -> str:
    """ "rtl" for right-to-left scripts (Arabic, Hebrew, Persian …), else "ltr"."""
    try:
        return "rtl" if Locale.parse(code, sep="-").character_order == "right-to-left" else "ltr"
    except (ValueError, UnknownLocaleError):
        return "ltr"


@lru_cache(maxsize=256)
def og_locale(code: str) -> str:
    """Open Graph's ``language_TERRITORY`` for a BCP 47 code: "nl" → "nl_NL", "ar" → "ar_EG".

    Open Graph wants a territory; the likeliest one for the language stands in when none is given."""
    try:
        locale = Locale.parse(code, sep="-")
        if not locale.territory:
            likely = get_global("likely_subtags").get(locale.language)
            if likely:
                locale = Locale.parse(likely)
    except (ValueError, UnknownLocaleError):
        return code.replace("-", "_")
    return f"{locale.language}_{locale.territory}" if locale.territory else locale.language
