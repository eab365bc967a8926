"""JSON Schemas (draft 2020-12) for the files of the API, published beside them.

The schema is the API's contract: ``write.story_record`` writes exactly these fields, every one of
them always (``null`` where there is nothing), and the tests hold both to it. The descriptions
are Dutch, like ``docs/beheer/api.md``, which explains each field at more length.
"""

from __future__ import annotations

from typing import Any

from .text import SLUG_PATTERN
from .validate import LANGUAGE_MAX, LIST_MAX, SUMMARY_MAX, TITLE_MAX

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Community names are at most this long (README: "at most 200 characters").
NAME_MAX = 200


def _names(key: str, description: str) -> dict[str, Any]:
    return {
        "type": "array",
        "description": description,
        "minItems": 1,
        "maxItems": LIST_MAX[key],
        "items": {"type": "string", "minLength": 1},
    }


def _story() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "slug": {
            "type": "string",
            "description": "De korte naam van het verhaal, ook in zijn adres.",
            "pattern": SLUG_PATTERN.pattern,
        },
        "url": {
            "type": "string",
            "description": "Het volledige adres van het verhaal (zonder adres van de site: een pad).",
            "format": "uri-reference",
            "minLength": 1,
        },
        "title": {
            "type": "string",
            "description": "De titel van het verhaal.",
            "minLength": 1,
            "maxLength": TITLE_MAX,
        },
        "date": {
            "type": "string",
            "description": "De dag waarop het verhaal online kwam, als JJJJ-MM-DD.",
            "format": "date",
            "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        },
        "communities": {
            **_names("community", "De groepen die het verhaal vertellen, zoals zij zich noemen."),
            "items": {"type": "string", "minLength": 1, "maxLength": NAME_MAX},
        },
        "neighbourhoods": _names("neighbourhoods", "De buurten, met hun naam uit de lijst van buurten."),
        "themes": _names("themes", "De thema's, met hun naam uit de lijst van thema's."),
        "summary": {
            "type": "string",
            "description": "Een korte samenvatting: van de schrijver, of het begin van het verhaal.",
            "maxLength": SUMMARY_MAX,
        },
        "language": {
            "type": "string",
            "description": "De taal van het verhaal als BCP 47-code, zoals nl, en of ar.",
            "minLength": 1,
            "maxLength": LANGUAGE_MAX,
        },
        "image": {
            "description": "De omslagfoto, of null: zonder foto, of zonder toestemming voor foto's.",
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "properties": {
                        "url": {
                            "type": "string",
                            "description": "Het adres van de bewerkte foto (nooit het origineel).",
                            "format": "uri-reference",
                            "minLength": 1,
                        },
                        "alt": {
                            "type": "string",
                            "description": "Wat er op de foto staat, voor wie hem niet kan zien.",
                            "minLength": 1,
                        },
                    },
                    "required": ["url", "alt"],
                    "additionalProperties": False,
                },
            ],
        },
    }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _identified(schema: dict[str, Any], schema_url: str) -> dict[str, Any]:
    head: dict[str, Any] = {"$schema": DIALECT}
    if schema_url.startswith(("http://", "https://")):
        head["$id"] = schema_url
    return {**head, **schema}


def stories_schema(schema_url: str) -> dict[str, Any]:
    """The schema of ``stories.json``; ``schema_url`` is where it is published."""
    return _identified(
        {
            "title": "Verhalen",
            "description": "Alle gepubliceerde verhalen van de site, nieuwste eerst.",
            "type": "object",
            "properties": {"stories": {"type": "array", "items": {"$ref": "#/$defs/story"}}},
            "required": ["stories"],
            "additionalProperties": False,
            "$defs": {"story": _story()},
        },
        schema_url,
    )


def withdrawn_schema(schema_url: str) -> dict[str, Any]:
    """The schema of ``withdrawn.json``; ``schema_url`` is where it is published."""
    return _identified(
        {
            "title": "Weggehaalde verhalen",
            "description": "De adressen van verhalen die zijn weggehaald; de webserver antwoordt daar 410.",
            "type": "object",
            "properties": {
                "paths": {
                    "type": "array",
                    "description": "Paden zoals de webserver ze ziet, met het basispad van de site.",
                    "items": {"type": "string", "pattern": "^/.*/$"},
                    "uniqueItems": True,
                }
            },
            "required": ["paths"],
            "additionalProperties": False,
        },
        schema_url,
    )
