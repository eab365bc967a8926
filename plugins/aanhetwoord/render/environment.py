"""The Jinja environment the pages are rendered with, and the templates they use.

Autoescaping is on, so every value from a story is escaped unless it is our own markup;
undefined names are errors, so a typo in a template fails the build instead of leaving a gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import jinja2

from ..interface_texts import Texts
from ..model import TermKind
from ..settings import Settings
from ..urls import Urls

TEMPLATES = Path(__file__).parent.parent / "templates"


def environment(
    settings: Settings,
    urls: Urls,
    texts: Texts,
    extra_templates: Path | None = None,
    bytecode: jinja2.BytecodeCache | None = None,
) -> jinja2.Environment:
    """Templates in ``extra_templates`` (a site's own) come before the built-in ones."""
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(TEMPLATES)]
    if extra_templates and extra_templates.is_dir():
        loaders.insert(0, jinja2.FileSystemLoader(extra_templates))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=bytecode,
    )
    env.globals.update(
        t=texts,
        urls=urls,
        settings_share_url=settings.share_url,
        kinds={kind.value: kind for kind in TermKind},
    )
    return env


@dataclass(frozen=True)
class Templates:
    """The page templates, loaded once per build."""

    story: jinja2.Template
    picture: jinja2.Template
    card: jinja2.Template
    overview: jinja2.Template
    term: jinja2.Template
    withdrawn: jinja2.Template
    home: jinja2.Template

    @classmethod
    def load(cls, env: jinja2.Environment) -> Templates:
        names = ("story", "picture", "card", "overview", "term", "withdrawn", "home")
        return cls(**{name: env.get_template(f"{name}.html") for name in names})
