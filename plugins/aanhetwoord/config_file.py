"""Read the plugin's settings from a site's configuration file, for tools that run without an engine.

The CLI, the pull-request check and the web form need the same settings as the site
build. They read ``mkdocs.yml`` (or ``properdocs.yml``) as plain YAML: ``!ENV`` is read as
the engines read it, other engine-specific tags such as ``!!python/name`` are tolerated and
ignored. The options are checked
against the one declaration in ``options.py``, by the same function as in the site build.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from yaml_env_tag import construct_env_tag

from . import brand
from .brand import Brand
from .options import PLUGIN_NAME, check_options
from .problems import Problem, display_path
from .settings import MEGABYTE, MEGAPIXEL, PhotoSettings, Settings, UrlWords

CONFIG_NAMES = ("mkdocs.yml", "mkdocs.yaml", "properdocs.yml", "properdocs.yaml")


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
_TolerantLoader.add_constructor("!ENV", construct_env_tag)


class ConfigNotFound(Exception):
    pass


class ConfigError(Exception):
    """A configuration the site cannot be built with: each problem names the option and its line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(problem.format() for problem in problems))
        self.problems = problems


def find_config(start: Path) -> Path:
    for folder in (start, *start.parents):
        for name in CONFIG_NAMES:
            if (folder / name).is_file():
                return folder / name
    raise ConfigNotFound(f"geen {CONFIG_NAMES[0]} gevonden in {start} of een map daarboven")


def plugin_options(config: Mapping[str, Any]) -> Any:
    """The plugin's block as written (None when it has none); ``check_options`` checks it."""
    plugins = config.get("plugins")
    if isinstance(plugins, Mapping):
        return plugins.get(PLUGIN_NAME)
    for item in plugins if isinstance(plugins, list) else []:
        if isinstance(item, Mapping) and PLUGIN_NAME in item:
            return item[PLUGIN_NAME]
    return None


def settings_from_options(
    root: Path,
    options: Any,
    *,
    config_file: Path,
    shown: str | None = None,
    theme_language: str | None = None,
    site_url: str = "",
    site_name: str = "",
    preview: bool = False,
    strict: bool = True,
    docs_dir: str = "docs",
) -> Settings:
    """The one mapping from plugin options to core settings, for the adapter and the tools.

    ``options`` is the plugin's block as the configuration file has it; a wrongly typed or
    unknown option raises ConfigError, with its line in ``config_file`` (shown as ``shown``).
    ``strict`` also raises it for a value only the build uses; the tools pass False, since they
    never write the files such options are for and should not stop over them."""
    values, errors = check_options(options)
    if errors:
        shown = shown or display_path(config_file, Path.cwd())
        lines = option_lines(config_file)
        raise ConfigError([Problem(shown, lines.get(name, 1), name, message) for name, message in errors])

    def path(key: str) -> Path | None:
        return root / values[key] if values[key] else None

    return Settings(
        root=root,
        stories_dir=path("stories") or root / "stories",
        neighbourhoods_file=path("neighbourhoods"),
        themes_file=path("themes"),
        language=values["language"] or theme_language or "nl",
        site_url=site_url or "",
        site_name=site_name or "",
        urls=UrlWords(
            stories=values["url_stories"],
            neighbourhoods=values["url_neighbourhoods"],
            themes=values["url_themes"],
            communities=values["url_communities"],
            page=values["url_page"],
            api=values["url_api"],
        ),
        per_page=values["pagination_per_page"],
        home_count=values["home_count"],
        related_max=values["related_max"],
        share_url=values["share_url"],
        preview=preview,
        cache_dir=path("cache_dir"),
        photos=PhotoSettings(
            max_pixels=int(values["photo_max_megapixels"] * MEGAPIXEL),
            max_bytes=int(values["photo_max_megabytes"] * MEGABYTE),
        ),
        security_contact=values["security_contact"] or "",
        security_expires=_date_option(values["security_expires"], strict),
        docs_dir=root / (docs_dir or "docs"),
        brand=Brand(
            logo=_text(values["logo"]),
            favicon=_text(values["favicon"]),
            primary=_text(values["color_primary"]),
            accent=_text(values["color_accent"]),
            text=_text(values["color_text"]),
        ),
        about_url=_text(values["about_url"]) or Settings.about_url,
        privacy_url=_text(values["privacy_url"]) or Settings.privacy_url,
        accessibility_url=_text(values["accessibility_url"]) or Settings.accessibility_url,
        contact_url=_text(values["contact_url"]),
        generator_credit=values["generator_credit"],
    )


def _text(value: str | None) -> str:
    return value.strip() if value is not None else ""


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


def read_config(text: str) -> Any:
    """The configuration file's plain values, read as the engines read it (``!ENV`` included);
    other engine tags are ignored. Raises ``yaml.YAMLError`` for text that is not YAML."""
    return yaml.load(text, Loader=_TolerantLoader)  # noqa: S506 - a SafeLoader subclass


def load_settings(config_file: Path, *, shown: str | None = None) -> Settings:
    """The settings in ``config_file``; ConfigError when it cannot be read or an option is wrong.

    Messages name the file as ``shown`` (by default its path from the current folder)."""
    shown = shown or display_path(config_file, Path.cwd())
    try:
        config = read_config(config_file.read_text(encoding="utf-8")) or {}
    except yaml.MarkedYAMLError as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        raise ConfigError([Problem(shown, line, "", f"dit is geen goede YAML ({error.problem})")]) from None
    except UnicodeDecodeError as error:
        raise ConfigError(
            [Problem(shown, 1, "", f"dit bestand is geen UTF-8-tekst ({error.reason})")]
        ) from None
    except ValueError:
        # Python reads no number of thousands of digits (nor does the site build).
        message = "in dit bestand staat een getal van duizenden cijfers; dat kan niet worden gelezen"
        raise ConfigError([Problem(shown, 1, "", message)]) from None
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError([Problem(shown, 1, "", f"dit bestand kan niet worden gelezen ({error})")]) from None
    if not isinstance(config, Mapping):
        raise ConfigError([Problem(shown, 1, "", "hier horen instellingen met een naam en een waarde")])
    theme = config.get("theme")
    theme_language = theme.get("language") if isinstance(theme, Mapping) else None
    return settings_from_options(
        config_file.parent.resolve(),
        plugin_options(config),
        config_file=config_file,
        shown=shown,
        theme_language=theme_language if isinstance(theme_language, str) else None,
        site_url=str(config.get("site_url") or ""),
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
