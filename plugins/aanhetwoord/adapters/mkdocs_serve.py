"""``aanhetwoord serve``: the staff preview, which shows a saved edit within moments.

It is ``mkdocs serve --dirty``: MkDocs' own server and live reload, in the mode where only
pages marked as changed are rebuilt. The plugin marks exactly the pages an edit reaches
(see ``mkdocs_rebuild``), so the result is the same as a clean build. Plain
``mkdocs serve`` also works, but builds every page after every save.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_command(commands: argparse._SubParsersAction) -> None:
    command = commands.add_parser(
        "serve",
        help="bekijk de site op je eigen computer; na elke wijziging ververst de pagina vanzelf",
        description=(
            "Start een voorvertoning met concepten en meldingen. Na het opslaan van een verhaal "
            "worden alleen de pagina's gemaakt waar het op staat, en ververst je browser vanzelf."
        ),
    )
    command.add_argument(
        "-a",
        "--dev-addr",
        metavar="IP:POORT",
        help="waar de voorvertoning te zien is (standaard: 127.0.0.1:8000)",
    )
    command.add_argument("--open", action="store_true", help="open de voorvertoning in je browser")
    command.set_defaults(run=run)


def run(args: argparse.Namespace, config_file: Path) -> int:
    from mkdocs.__main__ import cli  # only here: the rest of the command line needs no MkDocs

    arguments = ["serve", "--dirty", "--config-file", str(config_file)]
    if args.dev_addr:
        arguments += ["--dev-addr", args.dev_addr]
    if args.open:
        arguments.append("--open")
    cli.main(args=arguments, prog_name="aanhetwoord serve")  # exits when the server stops
    return 0
