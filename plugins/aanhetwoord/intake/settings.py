"""Every setting of the intake service, read from ``AANHETWOORD_INTAKE_*`` environment variables.

The defaults let it run with no set-up at all: it listens on 127.0.0.1:8700 (not
``aanhetwoord serve``'s 8000), commits to the
git repository it is started in, and keeps its private data (the consent register, the
abuse counters, photos kept between two attempts) in a folder outside that repository. A data
folder inside the repository is refused: e-mail addresses must never end up in ``docs/``,
``stories/`` or the built site, nor in a commit made with ``git add -A``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import secrets
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import gitrepo
from ..gitrepo import GitError

PREFIX = "AANHETWOORD_INTAKE_"
FORGES = ("github", "gitlab", "forgejo", "gitea")
FORGE_API = {"github": "https://api.github.com", "gitlab": "https://gitlab.com/api/v4"}
MEGABYTE = 1024 * 1024
SECRET_FILE = "secret.key"
LOG_LEVELS = ("critical", "error", "warning", "info", "debug", "trace")
DEFAULT_PORT = 8700  # not 8000, where ``aanhetwoord serve`` shows the site
_YES = ("1", "ja", "aan", "true", "yes", "on")
_NO = ("0", "nee", "uit", "false", "no", "off")


class SettingsError(Exception):
    """A setting that cannot be used; the message names the variable and says why."""


@dataclass(frozen=True)
class ForgeSettings:
    """Where branches are pushed and pull/merge requests opened (off unless ``FORGE`` is set)."""

    kind: str  # github, gitlab, forgejo or gitea
    api_url: str
    token: str = field(repr=False)
    repository: str  # owner/name, or the GitLab project path or id
    remote: str = "origin"
    target: str = "main"


@dataclass(frozen=True)
class MailSettings:
    """SMTP and who gets what (off unless ``SMTP_HOST`` is set). Addresses are never logged."""

    host: str
    port: int
    sender: str = field(repr=False)  # MAIL_FROM
    user: str = field(default="", repr=False)
    password: str = field(default="", repr=False)
    starttls: bool = False
    staff: tuple[str, ...] = field(default=(), repr=False)  # STAFF_EMAIL, comma separated
    digest_time: str = ""  # "HH:MM": staff notices as one mail a day; "" = at once
    retry_seconds: float = 60.0  # the first wait after a failure; it doubles, up to an hour


@dataclass(frozen=True)
class IntakeSettings:
    repository: Path  # the top of the git work tree
    config_file: Path  # the site's mkdocs.yml
    data_dir: Path
    secret: bytes = field(repr=False)
    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    base: str = ""  # branch new submissions start from; "" = main if it exists, else HEAD
    author_name: str = "Aan het woord-formulier"
    author_email: str = "formulier@aanhetwoord.invalid"
    min_seconds: float = 3.0
    max_age_seconds: float = 2 * 3600
    rate_limit: int = 10
    rate_window_seconds: int = 3600
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    photo_max_bytes: int = 25 * MEGABYTE
    max_request_bytes: int = 27 * MEGABYTE
    body_max_chars: int = 20_000
    purge_days: int = 30
    public_url: str = ""  # e.g. https://verhalen.example.nl/formulier/ ; else from the request
    root_path: str = ""  # the path prefix a reverse proxy strips, e.g. /formulier
    contact: str = ""  # an e-mail address residents may write to
    photo_workers: int = 2
    log_level: str = "info"
    forge: ForgeSettings | None = None
    login_attempts: int = 5  # failed staff logins per account before a block (4x per address)
    # Run after staff accept a submission (a deploy script, say); split like a shell would, run without one.
    publish_command: tuple[str, ...] = ()
    publish_timeout_seconds: float = 600.0
    mail: MailSettings | None = None

    @property
    def register_file(self) -> Path:
        return self.data_dir / "register.sqlite3"

    @property
    def staff_file(self) -> Path:
        """Staff accounts, sessions and the audit log of the staff area."""
        return self.data_dir / "staff.sqlite3"

    @property
    def abuse_file(self) -> Path:
        return self.data_dir / "abuse.sqlite3"

    @property
    def attempts_dir(self) -> Path:
        """Photos kept between a refused attempt and the next, under random names."""
        return self.data_dir / "pogingen"

    @property
    def uploads_dir(self) -> Path:
        """Photos while they arrive, before they are checked and re-encoded."""
        return self.data_dir / "upload"

    @property
    def work_dir(self) -> Path:
        """Temporary git index files."""
        return self.data_dir / "git"


def load(environ: Mapping[str, str], config_file: Path) -> IntakeSettings:
    """Read and check every setting; creates the data folder (and its secret) when missing."""
    env = _Reader(environ)
    config_file = config_file.resolve()
    repository = Path(env.text("REPOSITORY") or config_file.parent).expanduser().resolve()
    repository = _work_tree(repository)
    try:
        config_file.relative_to(repository)
    except ValueError:
        raise SettingsError(
            f"{PREFIX}REPOSITORY: {config_file} ligt niet in de repository {repository}"
        ) from None
    data_dir = Path(env.text("DATA_DIR") or default_data_dir(repository, environ)).expanduser()
    data_dir = data_dir.resolve()
    _refuse_inside(data_dir, repository)

    photo_max = env.number("PHOTO_MAX_MB", 25, low=1, high=200)
    photo_max_bytes = int(photo_max * MEGABYTE)
    max_request = env.number("MAX_REQUEST_MB", photo_max + 2, low=1, high=250)
    forge = _forge(env)
    settings = IntakeSettings(
        repository=repository,
        config_file=config_file,
        data_dir=data_dir,
        secret=b"",
        host=env.text("HOST") or "127.0.0.1",
        port=int(env.number("PORT", DEFAULT_PORT, low=0, high=65535)),
        base=env.text("BASE"),
        author_name=env.text("AUTHOR_NAME") or IntakeSettings.author_name,
        author_email=env.text("AUTHOR_EMAIL") or IntakeSettings.author_email,
        min_seconds=env.number("MIN_SECONDS", 3, low=0, high=3600),
        max_age_seconds=env.number("MAX_AGE_SECONDS", 2 * 3600, low=10, high=7 * 24 * 3600),
        rate_limit=int(env.number("RATE_LIMIT", 10, low=1, high=1_000_000)),
        rate_window_seconds=int(env.number("RATE_WINDOW_SECONDS", 3600, low=1, high=7 * 24 * 3600)),
        trusted_proxies=_networks(env.text("TRUSTED_PROXIES")),
        photo_max_bytes=photo_max_bytes,
        max_request_bytes=max(int(max_request * MEGABYTE), photo_max_bytes + MEGABYTE),
        body_max_chars=int(env.number("BODY_MAX_CHARS", 20_000, low=100, high=200_000)),
        purge_days=int(env.number("PURGE_DAYS", 30, low=0, high=3650)),
        public_url=_public_url(env.text("PUBLIC_URL")),
        root_path=_root_path(env.text("ROOT_PATH")),
        contact=env.text("CONTACT"),
        photo_workers=int(env.number("PHOTO_WORKERS", os.cpu_count() or 2, low=1, high=64)),
        log_level=_log_level(env.text("LOG_LEVEL")),
        forge=forge,
        login_attempts=int(env.number("LOGIN_ATTEMPTS", 5, low=1, high=1000)),
        publish_command=_command(env.text("PUBLISH_COMMAND")),
        publish_timeout_seconds=env.number("PUBLISH_TIMEOUT_SECONDS", 600, low=1, high=24 * 3600),
        mail=_mail(env),
    )
    secret = env.text("SECRET")
    if secret and len(secret) < 32:
        raise SettingsError(
            f"{PREFIX}SECRET: gebruik minstens 32 tekens (bijvoorbeeld: openssl rand -hex 32)"
        )
    return _with_secret(settings, secret.encode() if secret else None)


def default_data_dir(repository: Path, environ: Mapping[str, str]) -> Path:
    """``$XDG_DATA_HOME/aanhetwoord/intake/<repo>-<hash>``: one folder per repository, never inside it."""
    base = Path(environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    tag = hashlib.sha256(str(repository).encode()).hexdigest()[:8]
    return base / "aanhetwoord" / "intake" / f"{repository.name}-{tag}"


def _with_secret(settings: IntakeSettings, secret: bytes | None) -> IntakeSettings:
    """Create the data folder (private to this user) and the signing key that survives restarts."""
    for folder in (settings.data_dir, settings.attempts_dir, settings.uploads_dir, settings.work_dir):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        # Private to this user, whatever it was made with: SQLite's -wal and -shm files beside
        # the register hold e-mail addresses too, and they are made with the default mode.
        settings.data_dir.chmod(0o700)
    except OSError as error:
        raise SettingsError(
            f"{PREFIX}DATA_DIR: {settings.data_dir} kan niet privé worden ({error})"
        ) from None
    if secret is None:
        path = settings.data_dir / SECRET_FILE
        if not path.exists():
            try:
                handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it meanwhile
            else:
                with os.fdopen(handle, "w") as file:
                    file.write(secrets.token_hex(32))
        secret = path.read_text().strip().encode()
    return replace(settings, secret=secret)


def _work_tree(folder: Path) -> Path:
    try:
        return gitrepo.toplevel(folder, timeout=30).resolve()
    except GitError as error:
        if error.returncode is None:  # git did not run at all
            raise SettingsError(f"git werkt niet ({error.stderr})") from None
        raise SettingsError(f"{PREFIX}REPOSITORY: {folder} is geen git-repository") from None


def _refuse_inside(data_dir: Path, repository: Path) -> None:
    try:
        data_dir.relative_to(repository)
    except ValueError:
        return
    raise SettingsError(
        f"{PREFIX}DATA_DIR: {data_dir} ligt in de repository {repository}. Daar kunnen e-mailadressen in "
        "docs/, stories/, site/ of een commit terechtkomen. Kies een map buiten de repository."
    )


def _networks(value: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for part in value.replace(",", " ").split():
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise SettingsError(f"{PREFIX}TRUSTED_PROXIES: '{part}' is geen IP-adres of netwerk") from None
    return tuple(networks)


def _public_url(value: str) -> str:
    if not value:
        return ""
    if not value.startswith(("https://", "http://")):
        raise SettingsError(f"{PREFIX}PUBLIC_URL: begin met https://")
    return value.rstrip("/") + "/"


def _root_path(value: str) -> str:
    value = value.strip().rstrip("/")
    if value and not value.startswith("/"):
        raise SettingsError(f"{PREFIX}ROOT_PATH: begin met /, bijvoorbeeld /formulier")
    return value


def _command(value: str) -> tuple[str, ...]:
    try:
        return tuple(shlex.split(value))
    except ValueError as error:
        raise SettingsError(f"{PREFIX}PUBLISH_COMMAND: '{value}' is geen opdracht ({error})") from None


def _log_level(value: str) -> str:
    level = (value or "info").lower()
    if level not in LOG_LEVELS:
        raise SettingsError(f"{PREFIX}LOG_LEVEL: kies {', '.join(LOG_LEVELS)}")
    return level


def _forge(env: _Reader) -> ForgeSettings | None:
    kind = env.text("FORGE").lower()
    if not kind or kind == "off":
        return None
    if kind not in FORGES:
        raise SettingsError(f"{PREFIX}FORGE: kies {', '.join(FORGES)} of laat het leeg")
    api_url = env.text("FORGE_URL") or FORGE_API.get(kind, "")
    token = env.text("FORGE_TOKEN")
    repository = env.text("FORGE_REPOSITORY")
    missing = [
        name
        for name, value in (("FORGE_URL", api_url), ("FORGE_TOKEN", token), ("FORGE_REPOSITORY", repository))
        if not value
    ]
    if missing:
        raise SettingsError(f"{PREFIX}FORGE={kind} heeft ook nodig: {', '.join(PREFIX + m for m in missing)}")
    if not api_url.startswith(("https://", "http://")):
        raise SettingsError(f"{PREFIX}FORGE_URL: begin met https://")
    return ForgeSettings(
        kind=kind,
        api_url=api_url.rstrip("/"),
        token=token,
        repository=repository.strip("/"),
        remote=env.text("FORGE_REMOTE") or "origin",
        target=env.text("FORGE_TARGET") or "main",
    )


def _mail(env: _Reader) -> MailSettings | None:
    host = env.text("SMTP_HOST")
    if not host:
        return None
    # The values are never repeated in a message: an address must not end up in a log.
    sender = env.text("MAIL_FROM")
    if not sender:
        raise SettingsError(f"{PREFIX}SMTP_HOST staat aan, dus {PREFIX}MAIL_FROM is ook nodig")
    if not _is_address(sender):
        raise SettingsError(
            f"{PREFIX}MAIL_FROM: dit is geen e-mailadres "
            "(een e-mailadres heeft een naam, een @ en een domein)"
        )
    staff = tuple(part.strip() for part in env.text("STAFF_EMAIL").split(",") if part.strip())
    if not all(_is_address(address) for address in staff):
        raise SettingsError(
            f"{PREFIX}STAFF_EMAIL: niet elk deel is een e-mailadres (scheid adressen met een komma)"
        )
    user = env.text("SMTP_USER")
    password = env.environ.get(PREFIX + "SMTP_PASSWORD", "")
    if password and not user:
        raise SettingsError(f"{PREFIX}SMTP_PASSWORD is gezet, maar {PREFIX}SMTP_USER niet")
    # A password should not travel unencrypted: with a user, STARTTLS is on unless turned off.
    starttls = env.switch("SMTP_STARTTLS", default=bool(user))
    port = int(env.number("SMTP_PORT", 587 if starttls else 25, low=1, high=65535))
    return MailSettings(
        host=host,
        port=port,
        sender=sender,
        user=user,
        password=password,
        starttls=starttls,
        staff=staff,
        digest_time=_digest_time(env.text("STAFF_DIGEST")),
        retry_seconds=env.number("MAIL_RETRY_SECONDS", 60, low=0.1, high=3600),
    )


def _is_address(value: str) -> bool:
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain) and not any(
        char.isspace() or char in '<>,;"' for char in value
    )


def _digest_time(value: str) -> str:
    """``STAFF_DIGEST``: off (at once), on (08:00 each day) or a time of day such as 17:30."""
    lowered = value.lower()
    if not value or lowered in _NO:
        return ""
    if lowered in _YES:
        return "08:00"
    hours, colon, minutes = value.partition(":")
    if colon and hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60:
        return f"{int(hours):02d}:{int(minutes):02d}"
    raise SettingsError(f"{PREFIX}STAFF_DIGEST: kies 1 (elke dag om 08:00), een tijd zoals 17:30, of 0")


class _Reader:
    def __init__(self, environ: Mapping[str, str]) -> None:
        self.environ = environ

    def text(self, name: str) -> str:
        return self.environ.get(PREFIX + name, "").strip()

    def switch(self, name: str, default: bool) -> bool:
        raw = self.text(name).lower()
        if not raw:
            return default
        if raw in _YES:
            return True
        if raw in _NO:
            return False
        raise SettingsError(f"{PREFIX}{name}: kies 1 (aan) of 0 (uit)")

    def number(self, name: str, default: float, *, low: float, high: float) -> float:
        raw = self.text(name)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{PREFIX}{name}: '{raw}' is geen getal") from None
        if not low <= value <= high:
            raise SettingsError(f"{PREFIX}{name}: kies een getal van {low:g} tot en met {high:g}")
        return value
