"""The service's pages, rendered on the server from the templates in ``templates/``.

Every page works without JavaScript and loads nothing from another host; none may be cached,
since some carry a private token or what a resident typed. ``?lang=en`` shows a page in English:
the templates pass every text through the ``tr`` filter, which picks the English twin of a
:class:`wording.Said`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, pass_context
from jinja2.runtime import Context
from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from .. import brand
from ..model import RegisterEntry
from . import wording
from .attempts import Kept
from .form import Errors, Values, language_choices
from .settings import IntakeSettings
from .sitedata import SiteData

HERE = Path(__file__).parent
TRANSLATED = frozenset({"form.html", "message.html"})


class Pages:
    def __init__(self, settings: IntakeSettings, site: SiteData) -> None:
        self.settings = settings
        self.site = site
        self.templates = Environment(
            loader=FileSystemLoader(HERE / "templates"), autoescape=True, trim_blocks=True, lstrip_blocks=True
        )
        self.templates.globals["aria"] = aria
        self.templates.filters["tr"] = _translate

    def page(self, request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("contact", self.settings.contact)
        site = self.site.current().settings
        context.setdefault("site_name", site.site_name)
        # Only a web address leads back to the site; anything else in the settings is left out.
        context.setdefault(
            "site_url", site.site_url if site.site_url.startswith(("https://", "http://")) else ""
        )
        # Only the form and the message pages are translated; the others stay Dutch whatever is asked.
        lang = wording.form_language(request.query_params.get("lang")) if template in TRANSLATED else "nl"
        context.setdefault("lang", lang)
        # Added to every address within the service, so the resident stays in their language.
        context.setdefault("lang_query", f"?lang={lang}" if lang != wording.FORM_LANGUAGES[0] else "")
        context.setdefault("texts", wording)
        context.setdefault("logo", bool(self.house_file("logo")))
        context.setdefault("favicon", bool(self.house_file("favicon")))
        html = self.templates.get_template(template).render(base=self.base_path(request), **context)
        return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})

    def message(self, request: Request, status: int, notice: wording.Notice) -> HTMLResponse:
        return self.page(
            request,
            "message.html",
            status,
            title=notice.title,
            paragraphs=notice.paragraphs,
            again=notice.again,
        )

    def form(
        self,
        request: Request,
        status: int,
        values: Values,
        errors: Errors,
        token: str,
        kept: Kept | None = None,
    ) -> HTMLResponse:
        site = self.site.current()
        return self.page(
            request,
            "form.html",
            status,
            values=values,
            errors=errors,
            token=token,
            kept_id=kept[0] if kept else "",
            kept=kept[1] if kept else None,
            neighbourhoods=site.registers.neighbourhoods.entries,
            themes=site.registers.themes.entries,
            chosen_neighbourhoods=_chosen(values.neighbourhoods, site.registers.neighbourhoods.find),
            chosen_themes=_chosen(values.themes, site.registers.themes.find),
            labels=wording.LABELS,
            hints=wording.HINTS,
            languages=language_choices(
                wording.form_language(request.query_params.get("lang")), values.language
            ),
            email_note=wording.email_note(self.settings.purge_days, self.settings.mail is not None),
            photo_hint=wording.photo_hint(self.settings.photo_max_bytes // (1024 * 1024)),
            body_max=self.settings.body_max_chars,
        )

    def base_path(self, request: Request) -> str:
        return (self.settings.root_path or request.scope.get("root_path", "")).rstrip("/") + "/"

    def public_base(self, request: Request) -> str:
        if self.settings.public_url:
            return self.settings.public_url
        base = str(request.base_url)
        root = self.settings.root_path
        if root and not base.rstrip("/").endswith(root):
            base = base.rstrip("/") + root + "/"
        return base

    def house_file(self, kind: str) -> Path | None:
        """The site's logo or favicon (inside its docs folder), or None."""
        settings = self.site.current().settings
        name = settings.brand.logo if kind == "logo" else settings.brand.favicon
        if not name or settings.docs_dir is None or Path(name).suffix.lower() not in brand.IMAGE_SUFFIXES:
            return None
        return brand.resolve(settings.docs_dir, name)


def aria(errors: Errors, name: str, hint: bool = False, invalid: bool = True) -> Markup:
    """``aria-describedby`` (its hint and error messages) and ``aria-invalid`` for a field.

    A fieldset gets only the description: ``aria-invalid`` has no meaning on a group."""
    ids = [f"{name}-uitleg"] if hint else []
    ids += [f"{name}-fout-{number}" for number in range(1, len(errors.by_field.get(name, [])) + 1)]
    attributes = f' aria-describedby="{escape(" ".join(ids))}"' if ids else ""
    if invalid and errors.has(name):
        attributes += ' aria-invalid="true"'
    return Markup(attributes)


@pass_context
def _translate(context: Context, text: str) -> str:
    return wording.in_language(text, context.get("lang", wording.FORM_LANGUAGES[0]))


def _chosen(values: list[str], find: Any) -> set[str]:
    """Slugs of the register entries among the values (which may be names, slugs or aliases)."""
    found: set[str] = set()
    for value in values:
        entry: RegisterEntry | None = find(value)
        if entry is not None:
            found.add(entry.slug)
    return found
