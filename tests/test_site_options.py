"""The plugin's options: one check, the same message from ``aanhetwoord check`` and the site build.

A wrongly typed option is named with its line in mkdocs.yml and stops every path with a plain
Dutch message, never a traceback; a number in quotes is refused, not converted, as MkDocs' own
option types would.
"""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mkdocs.config import load_config as mkdocs_load_config
from mkdocs.exceptions import PluginError

from aanhetwoord.config_file import ConfigError, house_style_problems, load_settings
from aanhetwoord.options import check_options
from sitefactory import Site, engine_executable, make_site, quiet_env

# Written as text, so the file holds exactly what a person would type.
WRONG = {
    "photo_max_megapixels": (
        '"40"',
        "'40' staat tussen aanhalingstekens, en is dan tekst. Schrijf 40 zonder aanhalingstekens",
    ),
    "pagination_per_page": (
        '"12"',
        "'12' staat tussen aanhalingstekens, en is dan tekst. Schrijf 12 zonder aanhalingstekens",
    ),
    "photo_max_megabytes": ("1.0e+400", "kies een getal groter dan 0 en hoogstens 1000"),
    "home_count": ("[3, 4]", "hier hoort een heel getal, zoals 9, geen lijst"),
    "pagination_per_pagina": (
        "12",
        "dit is geen instelling van aanhetwoord. Bedoel je 'pagination_per_page'?",
    ),
    "generator_credit": (
        '"no"',
        "'no' staat tussen aanhalingstekens, en is dan tekst. Schrijf true of false zonder aanhalingstekens",
    ),
}


def write_raw_options(site: Site, options: dict[str, str]) -> dict[str, int]:
    """mkdocs.yml with these options as written text; returns the line of each."""
    site.write_config()
    config = site.root / "mkdocs.yml"
    lines = config.read_text(encoding="utf-8").splitlines()
    at = next(number for number, line in enumerate(lines) if line.strip() == "- aanhetwoord:") + 1
    indent = " " * (len(lines[at]) - len(lines[at].lstrip()))
    added = [f"{indent}{name}: {text}" for name, text in options.items()]
    lines[at:at] = added
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {name: at + 1 + index for index, name in enumerate(options)}


def run_check(site: Site) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "aanhetwoord.commands.cli", "check"],
        cwd=site.root,
        capture_output=True,
        text=True,
        env=quiet_env(),
        timeout=120,
    )


def run_build(site: Site, engine: str = "mkdocs") -> subprocess.CompletedProcess:
    return subprocess.run(
        [engine_executable(engine), "build", "-f", str(site.root / "mkdocs.yml")],
        cwd=site.root,
        capture_output=True,
        text=True,
        env=quiet_env(),
        timeout=300,
    )


@pytest.fixture
def site(tmp_path: Path) -> Site:
    site = make_site(tmp_path)
    site.add_story("een-verhaal")
    return site


def test_wrong_options_get_the_same_message_from_check_and_build(site: Site):
    lines = write_raw_options(site, {name: text for name, (text, _) in WRONG.items()})
    expected = [f"mkdocs.yml:{lines[name]}: {name}: {message}" for name, (_, message) in WRONG.items()]

    check = run_check(site)
    assert check.returncode == 2, check.stderr
    assert "Traceback" not in check.stderr + check.stdout
    assert check.stderr.splitlines() == [f"aanhetwoord: {expected[0]}", *expected[1:]]

    for engine in ("mkdocs", "properdocs"):
        build = run_build(site, engine)
        assert build.returncode != 0
        assert "Traceback" not in build.stderr + build.stdout
        shown = build.stderr + build.stdout
        assert f"aanhetwoord: {expected[0]}" in shown, shown
        for line in expected[1:]:
            assert line in shown.splitlines()
        assert not (site.site_dir / "index.html").exists()


def test_a_large_number_in_scientific_notation_is_text_to_yaml(site: Site):
    lines = write_raw_options(site, {"photo_max_megapixels": "1e400"})
    check = run_check(site)
    assert check.returncode == 2
    assert check.stderr == (
        f"aanhetwoord: mkdocs.yml:{lines['photo_max_megapixels']}: photo_max_megapixels: '1e400' is voor "
        "YAML tekst, geen getal. Schrijf een gewoon getal, zoals 40\n"
    )


def test_other_commands_stop_on_a_wrong_option_too(site: Site):
    lines = write_raw_options(site, {"pagination_per_page": '"12"'})
    result = subprocess.run(
        [sys.executable, "-m", "aanhetwoord.commands.cli", "report"],
        cwd=site.root,
        capture_output=True,
        text=True,
        env=quiet_env(),
        timeout=120,
    )
    assert result.returncode == 2
    assert (
        f"mkdocs.yml:{lines['pagination_per_page']}: pagination_per_page: '12' staat tussen" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_right_options_are_read_alike_by_the_tools_and_the_build(site: Site):
    site.plugin_options.update(
        {
            "pagination_per_page": 5,
            "photo_max_megapixels": 12.5,
            "photo_max_megabytes": 2,
            "generator_credit": False,
            "url_page": "blad",
            "security_expires": datetime.date(2027, 1, 31),
        }
    )
    site.write_config()
    settings = load_settings(site.root / "mkdocs.yml")
    assert settings.per_page == 5
    assert settings.photos.max_pixels == 12_500_000
    assert settings.photos.max_bytes == 2 * 1024 * 1024
    assert settings.generator_credit is False
    assert settings.urls.page == "blad"
    assert settings.security_expires == datetime.date(2027, 1, 31)
    config = mkdocs_load_config(str(site.root / "mkdocs.yml"))
    plugin = config.plugins["aanhetwoord"]
    plugin.on_config(config)
    assert plugin.settings == settings


def test_defaults_when_no_option_is_given():
    values, problems = check_options(None)
    assert problems == []
    assert values["pagination_per_page"] == 12
    assert values["photo_max_megapixels"] == 40
    assert values["photo_max_megabytes"] == 30
    assert values["stories"] == "stories"
    assert values["generator_credit"] is True
    assert values["neighbourhoods"] is None
    # Written without a value: the default, as MkDocs does.
    assert check_options({"home_count": None})[0]["home_count"] == 9


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("pagination_per_page", 0, "kies een heel getal van 1 of meer"),
        ("pagination_per_page", True, "hier hoort een heel getal, zoals 12, geen true of false"),
        ("pagination_per_page", 12.0, "hier hoort een heel getal, zoals 12, zonder komma of punt"),
        ("related_max", "veel", "hier hoort een heel getal, zoals 6, geen tekst"),
        ("photo_max_megapixels", float("nan"), "hier hoort een getal, zoals 40"),
        ("photo_max_megapixels", -1, "kies een getal groter dan 0 en hoogstens 1000"),
        (
            "photo_max_megapixels",
            "2.5",
            "'2.5' staat tussen aanhalingstekens, en is dan tekst. Schrijf 2.5 zonder aanhalingstekens",
        ),
        ("url_page", 2, "hier hoort tekst, geen getal. Zet de waarde tussen aanhalingstekens: '2'"),
        ("logo", {"a": 1}, "hier hoort tekst, geen groep instellingen"),
        ("generator_credit", 1, "hier hoort true of false, geen getal"),
        ("security_expires", 20270131, "hier hoort een datum zoals 2027-01-31, geen getal"),
    ],
)
def test_each_kind_of_mistake_has_its_message(name: str, value: Any, message: str):
    assert check_options({name: value}) == (check_options(None)[0], [(name, message)])


def test_a_block_that_is_not_options_is_refused():
    _, problems = check_options(["stories"])
    assert problems == [
        (
            "aanhetwoord",
            "hier horen instellingen met een naam en een waarde, zoals 'stories: stories', geen lijst",
        )
    ]


def test_an_unreadable_configuration_is_a_message(tmp_path: Path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\nplugins:\n  - aanhetwoord:\n      home_count: [1\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, shown="mkdocs.yml")
    [problem] = caught.value.problems
    assert (problem.path, problem.line) == ("mkdocs.yml", 5)
    assert problem.message.startswith("dit is geen goede YAML")
    config.write_text("site_name: x\nextra:\n  n: 1" + "0" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_settings(config, shown="mkdocs.yml")
    assert caught.value.problems[0].message == (
        "in dit bestand staat een getal van duizenden cijfers; dat kan niet worden gelezen"
    )


# Any value, both paths ---------------------------------------------------------------------------

NAMES = sorted(check_options(None)[0])
yaml_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.dates(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


@pytest.fixture(scope="module")
def plain_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = make_site(tmp_path_factory.mktemp("options"))
    site.add_story("een-verhaal")
    return site


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from([*NAMES, "onbekend"]), value=yaml_values)
def test_any_value_gives_settings_or_the_same_message_in_both_paths(plain_site: Site, name: str, value: Any):
    plain_site.plugin_options = {name: value}
    config_file = plain_site.write_config()
    # The tools' path: the settings, and the house style that ``aanhetwoord check`` reports.
    try:
        settings = load_settings(config_file)
        tools_message = None
    except ConfigError as error:
        settings = None
        tools_message = f"aanhetwoord: {error}"
        assert [(problem.line > 1, problem.field) for problem in error.problems] == [(True, name)]
    else:
        house_style_problems(settings, config_file)
    if name == "enabled":
        return  # MkDocs' own switch, which the engine checks before the plugin sees the options
    # The site build's path, in this process: MkDocs reads the file, the plugin checks it.
    config = mkdocs_load_config(str(config_file))
    plugin = config.plugins["aanhetwoord"]
    try:
        plugin.on_config(config)
        build_message = None
    except PluginError as error:
        build_message = str(error)
    if tools_message is not None:
        assert build_message == tools_message
    elif build_message is not None:
        # Values only the build uses: an expiry date that is no date, and the house style.
        assert name in ("security_expires", "logo", "favicon", "color_primary", "color_accent", "color_text")
    else:
        assert plugin.settings == settings


# The web form -----------------------------------------------------------------------------------


def test_the_form_keeps_its_last_good_settings_when_an_option_turns_wrong(site: Site, caplog):
    from aanhetwoord.intake.sitedata import SiteData

    site.plugin_options = {"pagination_per_page": 5}
    config_file = site.write_config()
    data = SiteData(config_file)
    assert data.current().settings.per_page == 5
    lines = write_raw_options(site, {"home_count": '"3"'})
    site_before = data.current()  # the file changed: read again, refused, the old settings stay
    assert site_before.settings.per_page == 5 and site_before.settings.home_count == 9
    assert f"mkdocs.yml:{lines['home_count']}: home_count: '3' staat tussen aanhalingstekens" in caplog.text
    with pytest.raises(ConfigError):
        SiteData(config_file).current()  # at the start there is nothing to keep: the form does not start
