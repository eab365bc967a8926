"""The ``aanhetwoord`` command for residents and staff."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, pipeline
from .siteconfig import ConfigNotFound, find_config, load_settings


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
    check.add_argument("--format", choices=["text"], default="text", help="uitvoer (standaard: text)")
    check.set_defaults(run=_check)

    args = parser.parse_args(argv)
    try:
        config_file = args.config_file or find_config(Path.cwd())
    except ConfigNotFound as error:
        print(f"aanhetwoord: {error}", file=sys.stderr)
        return 2
    return args.run(args, config_file)


def _check(args: argparse.Namespace, config_file: Path) -> int:
    settings = load_settings(config_file)
    missing = [path for path in args.paths if not path.exists()]
    for path in missing:
        print(f"{path}:1: dit bestand of deze map bestaat niet")
    existing = [path for path in args.paths if path.exists()]
    if args.paths and not existing:
        return 1
    checked = pipeline.check(settings, existing or None)
    for problem in checked.problems:
        print(problem.format())
    errors = len(missing) + sum(problem.is_error for problem in checked.problems)
    warnings = sum(not problem.is_error for problem in checked.problems)
    print(
        f"{_count(len(checked.stories), 'verhaal', 'verhalen')} in orde, {_count(errors, 'fout', 'fouten')}, "
        f"{_count(warnings, 'waarschuwing', 'waarschuwingen')}",
        file=sys.stderr,
    )
    return 1 if errors else 0


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


if __name__ == "__main__":
    sys.exit(main())
