"""``aanhetwoord intake``: serve the form; ``purge``, ``list``, ``check``, ``mail``, ``add-user`` for staff.

This module imports the web framework only when the service starts, so the other commands
of ``aanhetwoord`` stay quick and work without it.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import logging
import os
import re
import socket
import sys
from dataclasses import replace
from pathlib import Path

from ..config_file import load_settings
from ..text import plural
from . import settings as intake_settings
from .gitstore import Author, GitError, GitStore
from .register import ACCEPTED, DECLINED, SUBMITTED, UNKNOWN, ConsentRegister
from .settings import IntakeSettings, SettingsError

REFERENCE = re.compile(r"INZ-[0-9]{8}-[A-Z0-9]{6}")


def add_arguments(intake: argparse.ArgumentParser) -> None:
    """The options of ``aanhetwoord intake`` itself (they start the service)."""
    intake.add_argument(
        "--host",
        help="het adres waarop het formulier luistert (standaard: AANHETWOORD_INTAKE_HOST, anders 127.0.0.1)",
    )
    intake.add_argument(
        "--port",
        type=_port,
        help=f"de poort (standaard: AANHETWOORD_INTAKE_PORT, anders {intake_settings.DEFAULT_PORT}; "
        "0 kiest een vrije poort)",
    )


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is geen poort: kies een getal van 0 tot en met 65535")
    return int(value)


def serve(args: argparse.Namespace, config_file: Path) -> int:
    settings = _settings(config_file)
    if settings is None:
        return 2
    # The options win over the environment variables.
    if getattr(args, "host", None):
        settings = replace(settings, host=args.host)
    if getattr(args, "port", None) is not None:
        settings = replace(settings, port=args.port)
    # Bound before anything else happens, so a busy port is said plainly and changes nothing.
    try:
        sock = bind(settings.host, settings.port)
    except OSError as error:
        print(f"aanhetwoord intake: {bind_problem(settings.host, settings.port, error)}", file=sys.stderr)
        return 1
    try:
        return _serve(settings, sock)
    finally:
        sock.close()


def bind(host: str, port: int) -> socket.socket:
    """A listening socket as uvicorn would make it, but with the error left to us."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        # Listening at once: a port another program holds can show only here, and the address
        # printed at start takes connections from that moment (they wait until the app is ready).
        sock.listen(2048)
    except BaseException:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def bind_problem(host: str, port: int, error: OSError) -> str:
    """Why the service cannot listen, in plain Dutch, and what to do."""
    choose = "Kies een andere poort met --port of AANHETWOORD_INTAKE_PORT."
    if error.errno == errno.EADDRINUSE:
        return (
            f"poort {port} op {host} is al in gebruik. Draait het formulier al, of een ander programma? "
            f"Stop dat eerst, of {choose[0].lower()}{choose[1:]}"
        )
    if error.errno == errno.EACCES:
        return f"je mag poort {port} niet gebruiken (poorten onder 1024 zijn voor de beheerder). {choose}"
    if error.errno == errno.EADDRNOTAVAIL or isinstance(error, socket.gaierror):
        return (
            f"het adres {host} hoort niet bij deze computer. Kies een ander adres met --host of "
            "AANHETWOORD_INTAKE_HOST, bijvoorbeeld 127.0.0.1."
        )
    return f"luisteren op {host}:{port} lukt niet ({error.strerror or error}). {choose}"


def _serve(settings: IntakeSettings, sock: socket.socket) -> int:
    import uvicorn

    from .app import create_app

    # Before the app is made: the check at start reports what a crash left behind in the log.
    level = "DEBUG" if settings.log_level == "trace" else settings.log_level.upper()
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(settings)
    except (SettingsError, GitError) as error:
        print(f"aanhetwoord intake: {error}", file=sys.stderr)
        return 2
    # Client addresses come from our own X-Forwarded-For handling (TRUSTED_PROXIES), not uvicorn's.
    # No access log: it would keep residents' addresses and the secret withdrawal links.
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
    port = sock.getsockname()[1]  # with port 0, the port the system chose
    shown = "localhost" if settings.host in ("127.0.0.1", "::1") else settings.host
    print(f"Het formulier staat op http://{shown}:{port}/ (gegevens in {settings.data_dir})", file=sys.stderr)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        return 3  # uvicorn's own code for a server that did not start
    return 0


def purge(args: argparse.Namespace, config_file: Path) -> int:
    """Mark decided submissions, delete e-mail addresses after the waiting time, tidy the data folder."""
    settings = _settings(config_file)
    if settings is None:
        return 2
    from .abuse import AbuseStore
    from .attempts import clean_data_folder

    register = ConsentRegister(settings.register_file)
    try:
        decided = mark_decided(settings, register)
    except GitError as error:
        print(f"aanhetwoord intake purge: {error}", file=sys.stderr)
        return 1
    erased = register.purge(settings.purge_days)
    from .outbox import Outbox

    Outbox(settings.register_file).forget_done(settings.purge_days)  # traces of sent mail, no addresses
    clean_data_folder(settings, AbuseStore(settings.abuse_file, settings.secret))
    print(
        f"{plural(decided, 'inzending', 'inzendingen')} besloten, "
        f"{plural(erased, 'e-mailadres', 'e-mailadressen')} gewist "
        f"(na {settings.purge_days} dagen)."
    )
    return 0


def mark_decided(settings: IntakeSettings, register: ConsentRegister) -> int:
    """A submission is decided once its story is on the base branch, or its branch is merged or gone."""
    store = _store(settings)
    base = store.base_commit()
    stories = load_settings(settings.config_file).stories_dir.resolve().relative_to(settings.repository)
    published = store.matches(base, REFERENCE.pattern, stories.as_posix())
    decided = 0
    for submission in register.all():
        if submission.status not in (SUBMITTED, UNKNOWN):
            continue
        commit = store.resolve(f"refs/heads/{submission.branch}")
        if submission.id in published or commit is None or store.is_ancestor(commit, base):
            merged = submission.id in published or (commit is not None and store.is_ancestor(commit, base))
            register.decide(submission.id, review=ACCEPTED if merged else DECLINED)
            decided += 1
    return decided


def mail(args: argparse.Namespace, config_file: Path) -> int:
    """Send what waits in the outbox now, also what waits for a retry (for cron, or by hand)."""
    settings = _settings(config_file)
    if settings is None:
        return 2
    if settings.mail is None:
        print(
            "aanhetwoord intake mail: e-mail staat uit. Zet AANHETWOORD_INTAKE_SMTP_HOST en "
            "AANHETWOORD_INTAKE_MAIL_FROM (zie docs/beheer/intake.md).",
            file=sys.stderr,
        )
        return 2
    from .mail import Mailer
    from .sitedata import SiteData

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    result = Mailer(settings, SiteData(settings.config_file)).send_due(
        everything=True, digest_now=args.digest_now
    )
    print(f"{plural(result.sent, 'e-mail', 'e-mails')} verstuurd.")
    if result.failed:
        print(
            f"{plural(result.failed, 'e-mail', 'e-mails')} geweigerd door de mailserver "
            "(het adres bestaat waarschijnlijk niet); die proberen we niet opnieuw."
        )
    if result.waiting:
        print(
            f"{plural(result.waiting, 'e-mail wacht', 'e-mails wachten')} nog: de mailserver nam "
            f"{'ze' if result.waiting > 1 else 'hem'} niet aan ({result.error or 'onbekende fout'}). "
            "Het formulier probeert het later opnieuw; kijk de SMTP-instellingen na.",
            file=sys.stderr,
        )
        return 1
    return 0


def listing(args: argparse.Namespace, config_file: Path) -> int:
    settings = _settings(config_file)
    if settings is None:
        return 2
    from .submission import BRANCH_PREFIX

    register = ConsentRegister(settings.register_file)
    submissions = register.all()
    for submission in submissions:
        email = submission.email or "-" if args.email else ("e-mail" if submission.email else "-")
        print(
            f"{submission.id}  {submission.submitted_at}  {submission.status:<9}  "
            f"{submission.withdrawal_branch or submission.branch}  {email}"
        )
    # A branch the register does not know yet (the service has not checked since it appeared):
    # shown all the same, as it has no consent on record.
    try:
        strays = sorted(set(_store(settings).branches(BRANCH_PREFIX)) - register.branches())
    except GitError as error:
        print(f"aanhetwoord intake list: de branches zijn niet te lezen: {error}", file=sys.stderr)
        strays = []
    for branch in strays:
        print(f"{'-':<19}  {'-':<25}  {UNKNOWN:<9}  {branch}  -")
    print(plural(len(submissions), "inzending", "inzendingen"), file=sys.stderr)
    unknown = len(strays) + sum(1 for submission in submissions if submission.status == UNKNOWN)
    if unknown:
        print(
            f"Let op: {plural(unknown, 'inzending', 'inzendingen')} zonder vastgelegde "
            "toestemming (status unknown). Publiceer die niet voordat je weet dat de verteller "
            "toestemming gaf. Zie 'aanhetwoord intake check'.",
            file=sys.stderr,
        )
    return 0


def check(args: argparse.Namespace, config_file: Path) -> int:
    """Put right what a crash left behind, as the service does at start, and say what was found.

    Exit code 1 while a branch without recorded consent (status unknown) waits for staff."""
    settings = _settings(config_file)
    if settings is None:
        return 2
    from . import recovery

    register = ConsentRegister(settings.register_file)
    try:
        with recovery.locked(settings.data_dir) as alone:
            report = recovery.reconcile(settings, register, _store(settings), alone=alone)
    except GitError as error:
        print(f"aanhetwoord intake check: {error}", file=sys.stderr)
        return 2
    for _, line in report.lines():
        print(line)
    return 1 if report.waiting else 0


def add_user(args: argparse.Namespace, config_file: Path) -> int:
    """A staff account for the staff area; the password from standard input, or asked twice."""
    settings = _settings(config_file)
    if settings is None:
        return 2
    from .staff import audit
    from .staff.accounts import AccountError, Role, StaffAccounts, check_email, check_name, check_password

    try:
        name = check_name(args.name)
        email = check_email(args.email)
    except AccountError as error:
        print(f"aanhetwoord intake add-user: {error}", file=sys.stderr)
        return 2
    try:
        password = _new_password(name)
        check_password(password)
        StaffAccounts(settings.staff_file).add(name, password, Role(args.role), email)
    except AccountError as error:
        print(f"aanhetwoord intake add-user: {error}", file=sys.stderr)
        return 1
    except (EOFError, KeyboardInterrupt):
        print("\naanhetwoord intake add-user: gestopt, er is geen account gemaakt.", file=sys.stderr)
        return 1
    audit.AuditLog(settings.staff_file).record("opdrachtregel", audit.ACCOUNT_ADDED, name, args.role)
    print(f"Account {name} gemaakt ({args.role}). Inloggen kan op /redactie/inloggen van het formulier.")
    return 0


def _new_password(name: str) -> str:
    from .staff.accounts import AccountError

    if not sys.stdin.isatty():
        # From a script or a password manager: the first line, without its line ending.
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    first = getpass.getpass(f"Wachtwoord voor {name}: ")
    if getpass.getpass("Typ het wachtwoord nog een keer: ") != first:
        raise AccountError("De twee wachtwoorden zijn niet gelijk. Er is geen account gemaakt.")
    return first


def _store(settings: IntakeSettings) -> GitStore:
    return GitStore(
        settings.repository,
        settings.work_dir,
        Author(settings.author_name, settings.author_email),
        settings.base,
    )


def _settings(config_file: Path) -> IntakeSettings | None:
    try:
        return intake_settings.load(os.environ, config_file)
    except SettingsError as error:
        print(f"aanhetwoord intake: {error}", file=sys.stderr)
        return None
