"""Read the plugin's settings from a site's configuration file, for tools that run without an engine.

The CLI, the pull-request check and the web form need the same settings as the site
build. They read ``mkdocs.yml`` (or ``properdocs.yml``) as plain YAML: engine-specific tags
such as ``!ENV`` or ``!!python/name`` are tolerated and ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from . import brand
from .brand import Brand
from .problems import Problem, display_path
from .settings import PhotoSettings, Settings, UrlWords

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml", "properdocs.yml", "properdocs.yaml")
PLUGIN_NAME = "aanhetwoord"


class _TolerantLoader(yaml.SafeLoader):
    pass


def _ignore_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)  # type: ignore[arg-type]


_TolerantLoader.add_multi_constructor("!", _ignore_tag)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", _ignore_tag)


class ConfigNotFound(Exception):
    pass


def find_config(start: Path) -> Path:
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    raise ConfigNotFound(f"geen {CONFIG_NAMES[0]} gevonden in {start} of een map daarboven")


def plugin_options(config: Mapping[str, Any]) -> dict[str, Any]:
    for item in config.get("plugins") or []:
        if isinstance(item, str) and item == PLUGIN_NAME:
            return {}
        if isinstance(item, Mapping) and PLUGIN_NAME in item:
            return dict(item[PLUGIN_NAME] or {})
    if isinstance(config.get("plugins"), Mapping) and PLUGIN_NAME in config["plugins"]:
        return dict(config["plugins"][PLUGIN_NAME] or {})
    return {}


def settings_from_options(
    root: Path,
    options: Mapping[str, Any],
    *,
    theme_language: str | None = None,
    site_url: str = "",
    site_name: str = "",
    preview: bool = False,
    strict: bool = True,
    docs_dir: str = "docs",
) -> Settings:
    """The one mapping from plugin options to core settings, for the adapter and the tools.

    ``strict`` raises ValueError for an option the build cannot use; the tools pass False, since
    they never write the files such options are for and should not stop over them."""
    defaults = UrlWords()

    def path(key: str, default: str | None = None) -> Path | None:
        value = options.get(key, default)
        return root / value if value else None

    return Settings(
        root=root,
        stories_dir=path("stories", "stories") or root / "stories",
        neighbourhoods_file=path("neighbourhoods"),
        themes_file=path("themes"),
        language=options.get("language") or theme_language or "nl",
        site_url=site_url or "",
        site_name=site_name or "",
        urls=UrlWords(
            stories=options.get("url_stories", defaults.stories),
            neighbourhoods=options.get("url_neighbourhoods", defaults.neighbourhoods),
            themes=options.get("url_themes", defaults.themes),
            communities=options.get("url_communities", defaults.communities),
            page=options.get("url_page", defaults.page),
            api=options.get("url_api", defaults.api),
        ),
        per_page=options.get("pagination_per_page", Settings.per_page),
        home_count=options.get("home_count", Settings.home_count),
        related_max=options.get("related_max", Settings.related_max),
        share_url=options.get("share_url", Settings.share_url),
        preview=preview,
        cache_dir=path("cache_dir"),
        photos=PhotoSettings(
            max_pixels=int(options.get("photo_max_megapixels", 40) * 1_000_000),
            max_bytes=int(options.get("photo_max_megabytes", 30) * 1024 * 1024),
        ),
        security_contact=str(options.get("security_contact") or ""),
        security_expires=_date_option(options.get("security_expires"), strict),
        docs_dir=root / (docs_dir or "docs"),
        brand=Brand(
            logo=_text(options.get("logo")),
            favicon=_text(options.get("favicon")),
            primary=_text(options.get("color_primary")),
            accent=_text(options.get("color_accent")),
            text=_text(options.get("color_text")),
        ),
        about_url=_text(options.get("about_url")) or Settings.about_url,
        privacy_url=_text(options.get("privacy_url")) or Settings.privacy_url,
        accessibility_url=_text(options.get("accessibility_url")) or Settings.accessibility_url,
        contact_url=_text(options.get("contact_url")),
        generator_credit=options.get("generator_credit", True) is not False,
    )


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _date_option(value: Any, strict: bool) -> date | None:
    """A date from YAML: YAML itself makes ``2027-01-31`` a date; quoted text is read too."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as error:
        if not strict:
            return None
        raise ValueError(f"security_expires: '{value}' is geen datum (JJJJ-MM-DD)") from error


def load_settings(config_file: Path) -> Settings:
    with config_file.open(encoding="utf-8") as handle:
        config = yaml.load(handle, Loader=_TolerantLoader) or {}  # noqa: S506 - SafeLoader subclass
    theme = config.get("theme")
    theme_language = theme.get("language") if isinstance(theme, Mapping) else None
    return settings_from_options(
        config_file.parent.resolve(),
        plugin_options(config),
        theme_language=theme_language,
        site_url=config.get("site_url") or "",
        site_name=str(config.get("site_name") or ""),
        strict=False,
        docs_dir=str(config.get("docs_dir") or "docs"),
    )


def option_lines(config_file: Path) -> dict[str, int]:
    """The line (1-based) of each of the plugin's options in the configuration file, for messages."""
    try:
        node = yaml.compose(config_file.read_text(encoding="utf-8"), Loader=_TolerantLoader)  # noqa: S506
    except (OSError, yaml.YAMLError):
        return {}
    plugins = _child(node, "plugins")
    items = plugins.value if isinstance(plugins, (yaml.SequenceNode, yaml.MappingNode)) else []
    for item in items:
        candidate = item[0] if isinstance(item, tuple) else item
        options = None
        if (
            isinstance(candidate, yaml.ScalarNode)
            and candidate.value == PLUGIN_NAME
            and isinstance(item, tuple)
        ):
            options = item[1]
        elif isinstance(candidate, yaml.MappingNode):
            options = _child(candidate, PLUGIN_NAME)
        if isinstance(options, yaml.MappingNode):
            return {key.value: key.start_mark.line + 1 for key, _ in options.value}
    return {}


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for name, value in node.value:
            if isinstance(name, yaml.ScalarNode) and name.value == key:
                return value
    return None


def house_style_problems(settings: Settings, config_file: Path) -> list[Problem]:
    """Problems with the logo, favicon and colours, at their lines in ``config_file``."""
    return brand.problems(
        settings.brand,
        settings.docs_dir,
        display_path(config_file, Path.cwd()),
        option_lines(config_file),
    )
