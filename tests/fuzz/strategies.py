"""Hypothesis strategies for untrusted story files: YAML front matter with tags, deep nesting,
odd scalars and random text, and Markdown bodies full of the characters Markdown cares about.

Most generated stories are close to valid, so they also reach the catalogue, the renderer and
the feeds; the rest are broken in every way YAML allows, or are no YAML at all.
"""

from __future__ import annotations

from hypothesis import strategies as st

# Every code point but surrogates (YAML escapes bring those in: see ESCAPES), control characters too.
ANY_CHARACTER = st.characters(min_codepoint=0, max_codepoint=0x10FFFF)
ANY_TEXT = st.text(ANY_CHARACTER, max_size=60)

# Double-quoted YAML escapes that give characters a web page or feed cannot carry.
ESCAPES = ["\\x0b", "\\0", "\\a", "\\e", "\\x7f", "\\x85", "\\ud800", "\\uDFFF", "\\uFFFE", "\\U0001FFFF"]

# Scalars and collections that once stopped the site, or that YAML reads in a surprising way.
ODD_VALUES = [
    "!!timestamp 2025-05-01 10:00:00",
    "!!timestamp 2025-05-01",
    "!!binary aGVsbG8=",
    "!!python/object/apply:os.system [echo]",
    "!!python/name:os.system",
    "!!set {a, b}",
    "!!omap [{a: 1}]",
    "!!pairs [{a: 1}]",
    "!!int abc",
    "!!int 0x_",
    "!!float x",
    "!!bool maybe",
    "!!null x",
    "!!str 12",
    "!!seq [a]",
    "!!map {a: b}",
    "!lokaal x",
    "! 12",
    "1" + "0" * 5000,
    "-" + "9" * 4400,
    "1e5000",
    ".inf",
    "-.inf",
    ".nan",
    "0x_",
    "0b",
    "0o17",
    "0123",
    "1_000",
    "10:30",
    "190:20:30.15",
    "~",
    "null",
    "''",
    "yes",
    "no",
    "True",
    "FALSE",
    "2025-02-30",
    "2025-05-01",
    "2025-05-01T10:00:00Z",
    "20250501",
    "[]",
    "{}",
    "[~]",
    "['', ' ']",
    "[[[a]]]",
    "{a: {b: {c: d}}}",
    "[" * 30 + "]" * 30,
    "[" * 10_000 + "]" * 10_000,
    "{a: " * 3000 + "b" + "}" * 3000,
    "&anker x",
    "*anker",
    "{<<: {a: 1}}",
    "{[a, b]: c}",
    "{{a: b}: c}",
    '"' + "".join(ESCAPES) + '"',
    "'it''s'",
    '"\\"; <script>alert(1)</script>"',
    "]]>",
]
# Names in the test site's registers (see sitefactory), so some stories get through.
NEIGHBOURHOODS = ["Oude Haven", "Marktkwartier", "Lindehoeve", "Veldrand", "Haven"]
THEMES = ["Samen leven", "Sport en bewegen", "Taal en meedoen"]
KEYS = [
    "title",
    "date",
    "community",
    "neighbourhoods",
    "themes",
    "consent",
    "summary",
    "storytellers",
    "recorded_by",
    "image",
    "language",
    "status",
    "updates",
    "pinned",
    "translation_of",
    "hide",
    "search",
    "template",
]
ODD_KEYS = ["1", "~", "true", "<<", "? [a, b]", "? {a: b}", '"ti\\x0btle"', "'title'", "title ", "Title"]

MARKDOWN_PIECES = [
    "\n",
    "\n\n",
    " ",
    "# ",
    "## ",
    "* ",
    "- ",
    "1. ",
    "> ",
    "    ",
    "```",
    "`",
    "*",
    "_",
    "**",
    "~~",
    "[",
    "]",
    "(",
    ")",
    "!",
    "|",
    "---",
    "|-|-|",
    "\\",
    "&",
    "&amp;",
    "&#0;",
    "&#x0b;",
    "&#xD800;",
    "&#xFFFE;",
    "&#x10FFFF;",
    "&nbsp;",
    "<",
    ">",
    "<script>alert(1)</script>",
    "<!--",
    "-->",
    "<![CDATA[",
    "]]>",
    "<img src=x onerror=alert(1)>",
    "![foto](foto.jpg)",
    "![](../geheim.jpg)",
    "![x](https://elders.example/x.jpg)",
    "[link](javascript:alert(1))",
    "[link](https://example.org/?a=1&b=2)",
    "<https://example.org>",
    "\x0b",
    "\x00",
    "\x85",
    "\ufffe",
    "\u2028",
    "\u202e",
    "\ufeff",
    "é",
    "مرحبا",
    "😀",
    "> " * 50,
    "* " * 50,
]


def quoted(text: str, ascii_only: bool) -> str:
    """``text`` as a double-quoted YAML scalar: control characters (and with ``ascii_only`` all
    but ASCII) as escapes, everything else as it is, so the raw file holds odd characters too."""
    out = []
    for char in text:
        code = ord(char)
        if char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F or (ascii_only and code > 0x7E):
            out.append(
                f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
            )
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def flow_values() -> st.SearchStrategy[str]:
    """A YAML value in flow style, on one line: odd values, random text, nested lists and maps."""
    leaves = st.one_of(
        st.sampled_from(ODD_VALUES),
        st.builds(quoted, ANY_TEXT, st.booleans()),
        st.builds(
            lambda escapes, text: '"' + "".join(escapes) + text + '"',
            st.lists(st.sampled_from(ESCAPES), max_size=3),
            st.text("abc ", max_size=5),
        ),
        st.integers().map(str),
        st.floats().map(repr),
        st.sampled_from(NEIGHBOURHOODS + THEMES).map(quoted_plain),
    )
    return st.recursive(
        leaves,
        lambda children: st.one_of(
            st.lists(children, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
            st.lists(
                st.tuples(st.sampled_from(KEYS + ["date", "text", "src", "alt"]), children), max_size=3
            ).map(lambda pairs: "{" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"),
            st.tuples(st.sampled_from(["!!str", "!!seq", "!!set", "!!timestamp", "!foo", "!"]), children).map(
                " ".join
            ),
        ),
        max_leaves=8,
    )


def quoted_plain(text: str) -> str:
    return quoted(text, True)


def valid_fields() -> st.SearchStrategy[dict[str, str]]:
    """The fields of a story that passes (as YAML text), with random text where text goes."""
    names = st.text(ANY_CHARACTER, min_size=1, max_size=40)
    return st.fixed_dictionaries(
        {
            "title": st.builds(quoted, st.text(ANY_CHARACTER, min_size=1, max_size=130), st.booleans()),
            "date": st.sampled_from(["2025-05-01", "2024-02-29", "'2025-01-31'", "!!timestamp 2025-03-01"]),
            "community": st.one_of(
                st.builds(quoted, names, st.booleans()),
                st.lists(names.map(quoted_plain), min_size=1, max_size=14).map(
                    lambda items: f"[{', '.join(items)}]"
                ),
            ),
            "neighbourhoods": st.lists(
                st.sampled_from(NEIGHBOURHOODS).map(quoted_plain), min_size=1, max_size=12
            ).map(lambda items: f"[{', '.join(items)}]"),
            "themes": st.lists(st.sampled_from(THEMES).map(quoted_plain), min_size=1, max_size=3).map(
                lambda items: f"[{', '.join(items)}]"
            ),
            "consent": st.sampled_from(
                ["{date: 2025-01-01}", "{date: 2025-01-01, reference: T-1, photos: true}"]
            ),
        },
        optional={
            "summary": st.builds(quoted, st.text(ANY_CHARACTER, max_size=320), st.booleans()),
            "storytellers": st.lists(names.map(quoted_plain), max_size=22).map(
                lambda items: f"[{', '.join(items)}]"
            ),
            "recorded_by": st.builds(quoted, names, st.booleans()),
            "language": st.sampled_from(["nl", "en", "ar", "fy", "xx", "nl-" + "x" * 50]),
            "status": st.sampled_from(["published", "published", "draft", "withdrawn", "Published", "weg"]),
            "updates": st.lists(
                st.tuples(
                    st.sampled_from(
                        ["2025-06-01", "2025-07-01", "2025-06-31", "!!timestamp 2025-06-01 12:00:00"]
                    ),
                    st.builds(quoted, ANY_TEXT, st.booleans()),
                ),
                max_size=3,
            ).map(
                lambda items: "[" + ", ".join(f"{{date: {day}, text: {text}}}" for day, text in items) + "]"
            ),
            "pinned": st.sampled_from(["true", "false", "true", "yes"]),
            "translation_of": st.sampled_from(["goed", "goed", "bestaat-niet", "Geen Slug"]),
        },
    )


@st.composite
def front_matters(draw: st.DrawFn) -> str:
    """Front matter text: a valid story with some fields dropped, replaced or added as odd YAML."""
    fields = draw(valid_fields())
    values = flow_values()
    for key in draw(st.lists(st.sampled_from(KEYS), max_size=3, unique=True)):
        if draw(st.booleans()):
            fields.pop(key, None)
        else:
            fields[key] = draw(values)
    for key in draw(st.lists(st.sampled_from(ODD_KEYS), max_size=2)):
        fields[key] = draw(values)
    lines = [f"{key}: {value}" for key, value in fields.items()]
    return "\n".join(draw(st.permutations(lines)))


def bodies() -> st.SearchStrategy[str]:
    return st.lists(
        st.one_of(st.sampled_from(MARKDOWN_PIECES), st.text(max_size=20), ANY_TEXT), max_size=25
    ).map("".join)


def story_texts() -> st.SearchStrategy[str]:
    """The whole text of a story file: mostly front matter and a body, sometimes anything at all."""
    return st.one_of(
        st.builds(lambda front, body: f"---\n{front}\n---\n\n{body}\n", front_matters(), bodies()),
        st.builds(lambda front, body: f"---\n{front}\n---\n\n{body}\n", front_matters(), bodies()),
        st.builds(
            lambda front, body: f"---\n{front}\n---\n{body}", st.text(ANY_CHARACTER, max_size=200), bodies()
        ),
        st.text(ANY_CHARACTER, max_size=200),
    )
