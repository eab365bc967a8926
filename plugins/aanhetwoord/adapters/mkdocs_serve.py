"""``aanhetwoord serve``: the staff preview, which shows a saved edit within moments.

It is ``mkdocs serve --dirty``: MkDocs' own server and live reload, in the mode where only
pages marked as changed are rebuilt. The plugin marks exactly the pages an edit reaches
(see ``mkdocs_rebuild``), so the result is the same as a clean build. Plain
``mkdocs serve`` also works, but builds every page after every save.

One thing differs from MkDocs: it notices a save from the operating system's file events
instead of looking at every story file twice a second. With thousands of stories that
looking takes a quarter of a processor, also while nobody edits, and slows every rebuild.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
from pathlib import Path
from typing import Any

# File events that mean something was saved, moved or removed; a build only opens and reads.
CHANGE_EVENTS = (
    "FileCreatedEvent",
    "FileModifiedEvent",
    "FileDeletedEvent",
    "FileMovedEvent",
    "FileClosedEvent",
    "DirCreatedEvent",
    "DirDeletedEvent",
    "DirMovedEvent",
)


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
        help="waar de voorvertoning te zien is (standaard: 127.0.0.1:8000; poort 0 kiest een vrije poort)",
    )
    command.add_argument("--open", action="store_true", help="open de voorvertoning in je browser")
    command.add_argument(
        "--polling",
        action="store_true",
        help="kijk steeds zelf of bestanden veranderd zijn (voor netwerkschijven en containers, "
        "waar het systeem geen seintje geeft)",
    )
    command.set_defaults(run=run)


def run(args: argparse.Namespace, config_file: Path) -> int:
    # Imported here: the rest of the command line needs no MkDocs.
    from mkdocs.__main__ import cli
    from mkdocs.commands import serve

    arguments = ["serve", "--dirty", "--config-file", str(config_file)]
    listening: socket.socket | None = None
    if args.dev_addr:
        host, _, port = args.dev_addr.rpartition(":")
        dev_addr = args.dev_addr
        if port == "0":
            # Port 0 lets the system choose a free port. MkDocs puts the address in the pages
            # before its server binds, so bind here and tell MkDocs the port that was chosen.
            listening = _bind(host)
            dev_addr = f"{host}:{listening.getsockname()[1]}"
        arguments += ["--dev-addr", dev_addr]
    if args.open:
        arguments.append("--open")
    server = serve.LiveReloadServer
    if not args.polling:
        # MkDocs 1.6 has no setting for its watcher; its serve command takes the server class
        # from its module, so this process gives it one that listens for file events.
        server = _event_server(server)
    if listening is not None:
        server = _bound_server(server, listening)
    serve.LiveReloadServer = server  # type: ignore[misc]
    cli.main(args=arguments, prog_name="aanhetwoord serve")  # exits when the server stops
    return 0


def _bind(host: str) -> socket.socket:
    try:
        family = socket.AF_INET6 if ipaddress.ip_address(host).version == 6 else socket.AF_INET
    except ValueError:
        family = socket.AF_INET  # a host name, as MkDocs' own server assumes
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.bind((host, 0))
    return sock


class _BoundSocket(socket.socket):
    """A socket that is bound already: the server's own bind() becomes a no-op."""

    def bind(self, address: Any) -> None:
        pass


def _bound_server(base: type, listening: socket.socket) -> type:
    class BoundLiveReloadServer(base):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.socket.close()
            self.socket = _BoundSocket(listening.family, listening.type, fileno=listening.detach())

    return BoundLiveReloadServer


def _event_server(base: type) -> type:
    import watchdog.events
    from watchdog.observers import Observer

    changes = [getattr(watchdog.events, name) for name in CHANGE_EVENTS]

    class ChangeObserver(Observer):  # type: ignore[misc,valid-type]
        def schedule(self, handler: Any, path: Any, **options: Any) -> Any:
            options["event_filter"] = options.get("event_filter") or changes
            return super().schedule(handler, path, **options)

    class EventLiveReloadServer(base):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.observer = ChangeObserver()

    return EventLiveReloadServer
