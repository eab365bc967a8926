"""``aanhetwoord report``: its arguments, and where each output goes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ...config_file import load_settings
from .counting import CONSENT_YEARS, MONTHS_SHOWN, QUIET_MONTHS, make_report
from .html_output import html_report
from .json_output import for_terminal, json_report
from .text_output import text_report


def add_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "report",
        help="overzicht voor de redactie: waar verhalen zijn en waar ze ontbreken",
        description=(
            "Verhalen per buurt (stille buurten eerst), per thema, per gemeenschap en per maand; "
            "verhalen die wachten op hun datum, concepten, oude toestemmingen en problemen. "
            "Het overzicht hoort niet bij de openbare site."
        ),
    )
    command.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="uitvoer in de terminal: text (tabellen) of json (voor andere programma's)",
    )
    command.add_argument(
        "--html",
        type=Path,
        metavar="BESTAND",
        help="schrijf het overzicht ook als HTML-bestand met grafieken",
    )
    command.add_argument(
        "--quiet-months",
        type=_positive,
        default=QUIET_MONTHS,
        metavar="N",
        help=f"een buurt is stil zonder verhaal in de laatste N maanden (standaard: {QUIET_MONTHS})",
    )
    command.add_argument(
        "--consent-years",
        type=_positive,
        default=CONSENT_YEARS,
        metavar="N",
        help=f"vraag opnieuw toestemming als die ouder is dan N jaar (standaard: {CONSENT_YEARS})",
    )
    command.add_argument(
        "--months",
        type=_positive,
        default=MONTHS_SHOWN,
        metavar="N",
        help=f"hoeveel maanden de telling per maand teruggaat (standaard: {MONTHS_SHOWN})",
    )
    command.set_defaults(run=run)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"'{value}' is geen heel getal van 1 of meer")
    return number


def run(args: argparse.Namespace, config_file: Path) -> int:
    settings = load_settings(config_file)
    report = make_report(
        settings, quiet_months=args.quiet_months, consent_years=args.consent_years, months=args.months
    )
    if args.format == "json":
        print(for_terminal(json_report(report)))
    else:
        print(text_report(report), end="")
    if args.html is not None:
        args.html.parent.mkdir(parents=True, exist_ok=True)
        args.html.write_text(html_report(report), encoding="utf-8")
        print(f"Het overzicht staat ook in {args.html}", file=sys.stderr)
    return 0
