"""The ``aanhetwoord`` command for residents and staff."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__, pipeline
from ..adapters import mkdocs_serve
from ..config_file import ConfigError, ConfigNotFound, find_config, house_style_problems, load_settings
from ..intake import command as intake_command
from ..problems import Problem
from ..settings import build_date
from ..text import plural
from . import newstory, nginx_config, prcheck, problem_formats, withdraw
from .report import command as report_command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="aanhetwoord",
        description="Aan het woord: verhalen van gemeenschappen, door henzelf verteld.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "-f",
        "--config-file",
        type=Path,
        default=None,
        help="het configuratiebestand van de site (standaard: mkdocs.yml in deze map of erboven)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check = commands.add_parser(
        "check",
        help="controleer verhalen en meld elk probleem als pad:regel: veld: melding",
    )
    check.add_argument("paths", nargs="*", type=Path, help="verhalen (mappen of bestanden); standaard alle")
    _add_format_arguments(check)
    check.set_defaults(run=_check)

    new = commands.add_parser(
        "new",
        help="maak een nieuw verhaal: een map met de gegevens bovenaan en een korte schrijfhulp",
        description="Zonder opties stelt het de vragen één voor één (als je in een terminal werkt).",
    )
    new.add_argument("--title", help="de titel van het verhaal")
    new.add_argument("--community", help="wie vertelt: de naam van jullie groep")
    new.add_argument("--neighbourhood", action="append", help="een buurt uit het register (mag vaker)")
    new.add_argument("--theme", action="append", help="een thema uit het register (mag vaker)")
    new.add_argument(
        "--date", help="JJJJ-MM-DD of DD-MM-JJJJ: vanaf die dag staat het verhaal online (standaard: vandaag)"
    )
    new.add_argument("--slug", help="de naam van de map en het adres (standaard: gemaakt van de titel)")
    new.add_argument(
        "--storyteller", action="append", help="een verteller, zoals die genoemd wil worden (mag vaker)"
    )
    new.add_argument("--draft", action="store_true", help="maak een concept (status: draft)")
    new.add_argument("--consent-date", help="JJJJ-MM-DD of DD-MM-JJJJ: de dag van de toestemming")
    new.add_argument("--consent-reference", help="het kenmerk van de toestemming, zoals TOE-2026-014")
    new.add_argument(
        "-i",
        "--interactive",
        action="store_true",
        help="vraag wat ontbreekt, ook als de invoer geen terminal is",
    )
    new.set_defaults(run=newstory.run)

    check_pr = commands.add_parser(
        "check-pr",
        help="controleer een pull request: verandert die alleen één verhaal, en is dat verhaal in orde?",
    )
    check_pr.add_argument("--base", required=True, help="de git-referentie waar de pull request naartoe gaat")
    check_pr.add_argument(
        "--head",
        default="HEAD",
        help="de commit van de pull request; die moet uitgecheckt zijn (standaard: HEAD)",
    )
    _add_format_arguments(check_pr)
    check_pr.set_defaults(run=prcheck.run)

    intake = commands.add_parser(
        "intake",
        help="start het formulier waarmee bewoners zonder account een verhaal insturen",
        description="Zonder ACTIE start dit het formulier (de dienst), tot je het stopt met Ctrl+C. "
        "Met een ACTIE start het formulier niet, maar doet het alleen die actie. Instellingen gaan met "
        "--host en --port of met AANHETWOORD_INTAKE_*-variabelen; zie docs/beheer/intake.md.",
    )
    intake_command.add_arguments(intake)
    intake.set_defaults(run=intake_command.serve)
    intake_actions = intake.add_subparsers(dest="intake_action", metavar="ACTIE")
    intake_actions.add_parser(
        "purge",
        help="wis e-mailadressen een aantal dagen na het besluit over een inzending, en ruim op",
    ).set_defaults(run=intake_command.purge)
    intake_list = intake_actions.add_parser("list", help="toon alle inzendingen met hun status en branch")
    intake_list.add_argument("--email", action="store_true", help="toon ook de e-mailadressen")
    intake_list.set_defaults(run=intake_command.listing)
    intake_actions.add_parser(
        "check",
        help="herstel wat een crash achterliet (halve inzendingen, tijdelijke bestanden) en meld het",
    ).set_defaults(run=intake_command.check)
    add_user = intake_actions.add_parser(
        "add-user",
        help="maak een account voor de redactie; het wachtwoord komt van de invoer of wordt gevraagd",
    )
    add_user.add_argument("name", metavar="NAAM", help="de naam om mee in te loggen, zoals anna.jansen")
    add_user.add_argument(
        "--role",
        choices=("redacteur", "beheerder"),
        default="redacteur",
        help="redacteur (standaard) of beheerder: die beheert ook accounts en leest het logboek",
    )
    add_user.add_argument(
        "--email", metavar="ADRES", help="het e-mailadres van de redacteur (niet verplicht)"
    )
    add_user.set_defaults(run=intake_command.add_user)
    intake_mail = intake_actions.add_parser(
        "mail", help="verstuur nu de e-mails die nog wachten (bijvoorbeeld elke paar minuten met cron)"
    )
    intake_mail.add_argument(
        "--digest-now", action="store_true", help="verstuur de dagelijkse samenvatting voor de redactie nu al"
    )
    intake_mail.set_defaults(run=intake_command.mail)

    # Staff commands: each module declares its own arguments.
    for module in (mkdocs_serve, report_command, withdraw, nginx_config):
        module.add_command(commands)

    args = parser.parse_args(argv)
    try:
        config_file = args.config_file or find_config(Path.cwd())
    except ConfigNotFound as error:
        print(f"aanhetwoord: {error}", file=sys.stderr)
        return 2
    try:
        build_date()  # a malformed SOURCE_DATE_EPOCH is said once, here, not as a crash later
    except ValueError as error:
        print(f"aanhetwoord: {error}", file=sys.stderr)
        return 2
    try:
        return args.run(args, config_file)
    except ConfigError as error:
        # A wrong option in the site's configuration: said as the site build says it.
        print(f"aanhetwoord: {error}", file=sys.stderr)
        return 2


def _add_format_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--format",
        choices=problem_formats.FORMATS,
        default="text",
        help="uitvoer: text, github (meldingen bij de regels) of gitlab (ook een Code Quality-rapport)",
    )
    command.add_argument(
        "--output",
        type=Path,
        default=Path(problem_formats.GITLAB_REPORT),
        help=f"waar het gitlab-rapport komt (standaard: {problem_formats.GITLAB_REPORT})",
    )


def _check(args: argparse.Namespace, config_file: Path) -> int:
    settings = load_settings(config_file)
    missing = [
        Problem(path.as_posix(), 1, "", "dit bestand of deze map bestaat niet")
        for path in args.paths
        if not path.exists()
    ]
    # The house style is the site's, not a story's: wrong colours stop the build as well.
    missing += house_style_problems(settings, config_file)
    existing = [path for path in args.paths if path.exists()]
    if args.paths and not existing:
        problem_formats.emit(missing, args.format, args.output)
        return 1
    checked = pipeline.check_photos(settings, pipeline.check(settings, existing or None))
    found = checked.problems
    if args.format != "text":
        # CI places annotations by the path from where it runs (the repository root).
        found = problem_formats.rebase(found, settings.root, Path.cwd())
    problem_formats.emit(missing + found, args.format, args.output)
    errors = len(missing) + sum(problem.is_error for problem in checked.problems)
    warnings = sum(problem.is_warning for problem in checked.problems)
    print(
        f"{plural(len(checked.stories), 'verhaal', 'verhalen')} in orde, {plural(errors, 'fout', 'fouten')}, "
        f"{plural(warnings, 'waarschuwing', 'waarschuwingen')}",
        file=sys.stderr,
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
